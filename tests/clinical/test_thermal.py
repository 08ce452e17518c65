"""CEM43 (Sapareto and Dewey 1984): the source's conversion factors, gaps, errors, invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rareonco.clinical.thermal import Gap, ThermalDose, cem43_min, thermal_dose
from rareonco.errors import InvalidInput


def _constant(minutes: float, temp: float, step_s: float = 10.0):
    t = np.arange(0.0, minutes * 60.0 + step_s / 2, step_s)
    return t, np.full(t.shape, temp)


@pytest.mark.parametrize(
    ("minutes", "temp", "expected"),
    [(60, 43.0, 60.0), (60, 42.0, 15.0), (30, 44.0, 60.0), (10, 45.0, 40.0), (60, 41.0, 3.75)],
)
def test_source_equivalences(minutes, temp, expected):
    t, temp_c = _constant(minutes, temp)
    assert cem43_min(t, temp_c) == pytest.approx(expected)


def test_interval_uses_mean_of_endpoints():
    # 42 -> 44 C over 60 s: mean 43 C, so exactly one equivalent minute.
    assert cem43_min([0, 60], [42.0, 44.0]) == pytest.approx(1.0)


def test_empty_and_single_sample_are_zero():
    assert cem43_min([], []) == 0.0
    assert cem43_min([5.0], [43.0]) == 0.0
    assert thermal_dose([], []) == ThermalDose(0.0, 0.0, 0.0, 0.0, ())
    assert thermal_dose([1.0], [44.0]).cem43_min == 0.0


def test_gaps_are_reported_and_excluded():
    res = thermal_dose([0, 10, 100, 110], [43.0, 43.0, 43.0, 43.0], max_gap_s=30)
    assert res.gaps == (Gap(10.0, 100.0),)
    assert res.cem43_min == pytest.approx(20 / 60)
    assert cem43_min([0, 10, 100, 110], [43.0] * 4) == pytest.approx(110 / 60)
    assert cem43_min([0, 10, 100, 110], [43.0] * 4, max_gap_s=30) == pytest.approx(20 / 60)


def test_gap_exactly_at_limit_is_kept():
    assert thermal_dose([0, 30], [43.0, 43.0], max_gap_s=30).gaps == ()


def test_no_gap_detection_when_disabled():
    res = thermal_dose([0, 1000], [43.0, 43.0], max_gap_s=None)
    assert res.gaps == () and res.cem43_min == pytest.approx(1000 / 60)


def test_time_in_below_above_range():
    t = [0, 60, 120, 180, 240]
    temp = [41.0, 41.0, 42.5, 43.0, 44.0]
    res = thermal_dose(t, temp, target_c=(42.0, 43.0), max_gap_s=None)
    # intervals' means: 41, 41.75, 42.75, 43.5
    assert res.time_below_min == pytest.approx(2.0)
    assert res.time_in_range_min == pytest.approx(1.0)
    assert res.time_above_min == pytest.approx(1.0)


def test_range_boundaries_are_inside():
    res = thermal_dose([0, 60, 120], [42.0, 42.0, 42.0], target_c=(42.0, 43.0), max_gap_s=None)
    assert res.time_in_range_min == pytest.approx(2.0)
    res = thermal_dose([0, 60], [43.0, 43.0], target_c=(42.0, 43.0), max_gap_s=60)
    assert res.time_in_range_min == pytest.approx(1.0) and res.time_above_min == 0.0


@pytest.mark.parametrize(
    ("t", "temp", "field"),
    [
        ([0, 0], [43, 43], "t_s"),
        ([0, 2, 1], [43, 43, 43], "t_s"),
        ([0, float("nan")], [43, 43], "t_s"),
        ([0, 1], [43, float("nan")], "temp_c"),
        ([0, 1], [43], "temp_c"),
        ([0, 1], [43, 55], "temp_c"),
        ([0, 1], [19.9, 43], "temp_c"),
        ([[0, 1]], [[43, 43]], "t_s"),
        ([0, 1], [[43, 43]], "temp_c"),
    ],
)
def test_invalid_series(t, temp, field):
    with pytest.raises(InvalidInput) as err:
        cem43_min(t, temp)
    assert err.value.field == field


@pytest.mark.parametrize("gap", [0, -1, float("inf"), float("nan")])
def test_invalid_max_gap(gap):
    with pytest.raises(InvalidInput) as err:
        cem43_min([0, 1], [43, 43], max_gap_s=gap)
    assert err.value.field == "max_gap_s"


@pytest.mark.parametrize("target", [(43, 42), (10, 43), (42, 60), (42,), "ab", (42, "x"), None])
def test_invalid_target(target):
    with pytest.raises(InvalidInput) as err:
        thermal_dose([0, 1], [43, 43], target_c=target)
    assert err.value.field == "target_c"


def test_bounds_inclusive():
    assert cem43_min([0, 60], [20.0, 50.0]) > 0


series = st.integers(min_value=2, max_value=40).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0.1, 20.0), min_size=n - 1, max_size=n - 1),
        st.lists(st.floats(20.0, 48.0), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(series, st.floats(20.0, 48.0), st.floats(0.1, 20.0))
def test_dose_never_decreases_when_a_sample_is_added(data, extra_temp, extra_dt):
    steps, temps = data
    t = np.concatenate([[0.0], np.cumsum(steps)])
    before = cem43_min(t, temps)
    after = cem43_min(np.append(t, t[-1] + extra_dt), np.append(temps, extra_temp))
    assert after >= before


@settings(max_examples=60, deadline=None)
@given(series)
def test_uniform_shift_up_never_lowers_dose(data):
    steps, temps = data
    t = np.concatenate([[0.0], np.cumsum(steps)])
    temps = np.minimum(np.asarray(temps), 49.0)
    assert cem43_min(t, temps + 1.0) >= cem43_min(t, temps)


@settings(max_examples=60, deadline=None)
@given(series, st.floats(1.0, 30.0))
def test_times_add_up_to_recorded_time(data, gap):
    steps, temps = data
    t = np.concatenate([[0.0], np.cumsum(steps)])
    if np.median(np.diff(t)) > gap:  # sparser than the gap limit: refused, never a silent 0
        with pytest.raises(InvalidInput, match="median sampling interval"):
            thermal_dose(t, temps, max_gap_s=gap)
        return
    res = thermal_dose(t, temps, max_gap_s=gap)
    gaps_s = sum(g.end_s - g.start_s for g in res.gaps)
    total = res.time_in_range_min + res.time_above_min + res.time_below_min
    assert total * 60 + gaps_s == pytest.approx(t[-1] - t[0])
    assert res.gap_min * 60 == pytest.approx(gaps_s, abs=1e-6)
    assert res.covered_min == pytest.approx(total)


def test_matches_a_pure_python_loop():
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.05, 0.2, 500))
    temp = rng.uniform(39.0, 45.0, 500)
    expected = 0.0
    for i in range(499):
        mean = (temp[i] + temp[i + 1]) / 2
        r = 0.5 if mean >= 43 else 0.25
        expected += (t[i + 1] - t[i]) / 60 * r ** (43 - mean)
    assert cem43_min(t, temp) == pytest.approx(expected, rel=1e-12)


# -- sparse logs (issue 19): refused naming the interval, or integrated when asked, never 0 ----


def test_an_hour_at_43_sampled_every_60_s_is_refused_naming_the_interval():
    t, temp = _constant(60, 43.0, step_s=60.0)
    for call in (lambda: thermal_dose(t, temp), lambda: cem43_min(t, temp, max_gap_s=30)):
        with pytest.raises(InvalidInput) as err:
            call()
        assert err.value.field == "t_s"
        assert "60 s apart" in err.value.reason and "30 s gap limit" in err.value.reason


def test_sparse_log_is_dosed_when_the_caller_widens_the_gap_limit():
    t, temp = _constant(60, 43.0, step_s=60.0)
    res = thermal_dose(t, temp, max_gap_s=60)
    assert res.cem43_min == pytest.approx(60.0)
    assert res.gaps == () and res.gap_min == 0.0 and res.covered_min == pytest.approx(60.0)
    assert res.sampling_interval_s == 60.0


@pytest.mark.parametrize(
    ("minutes", "temp", "expected"), [(60, 43.0, 60.0), (60, 42.0, 15.0), (30, 44.0, 60.0),
                                      (10, 45.0, 40.0)])
def test_source_equivalences_through_thermal_dose(minutes, temp, expected):
    t, temp_c = _constant(minutes, temp, step_s=1.0)
    res = thermal_dose(t, temp_c, target_c=(42.0, 43.0))
    assert res.cem43_min == pytest.approx(expected)
    assert res.covered_min == pytest.approx(minutes) and res.gaps == ()


def test_holes_in_a_dense_log_are_stated_not_bridged():
    t, temp = _constant(60, 43.0, step_s=1.0)
    keep = (t < 1200) | (t >= 1800)  # a 10-minute hole
    res = thermal_dose(t[keep], temp[keep])
    assert res.gaps == (Gap(1199.0, 1800.0),)
    assert res.gap_min == pytest.approx(601 / 60)
    assert res.covered_min == pytest.approx(60 - 601 / 60)
    assert res.cem43_min == pytest.approx(res.covered_min)  # 43 C: one minute per minute
