"""The circuit simulator: believable warm-up, steady plateau, each fault and its alarm."""

from __future__ import annotations

import time

import numpy as np
import pytest

from rareonco.errors import InvalidInput
from rareonco.hipec import (
    AlarmConfig,
    PerfusionSimulator,
    SimulatorParams,
    analyse,
    parse_fault,
    simulate,
    stream,
)


def alarms_of(log, kind: str):
    """The first announcement of each episode of ``kind`` (repeats are level 2-3)."""
    return [a for a in analyse(log).alarms if a.type.value == kind and a.level == 1]


def test_without_faults_plateau_in_a_believable_time_and_held() -> None:
    log = simulate(60, seed=1)
    result = analyse(log)
    assert result.alarms == ()
    assert 5 * 60 <= result.plateau.start_s <= 15 * 60
    for name in ("ip_upper", "ip_pelvis"):
        probe = result.probes[name]
        after = log.t_s >= result.plateau.start_s + 120
        temps = log.probes_c[name][after]
        assert temps.min() > 41.8 and temps.max() < 43.0, name
        assert probe.time_in_range_min >= 45.0
    inflow = log.probes_c["inflow"][log.t_s >= 600]
    assert (
        43.5 < inflow.mean() < 44.5 and inflow.max() < 44.5
    )  # 1.5-2 C above the abdomen
    assert np.all(np.abs(log.flow_l_min - 1.2) < 0.1)


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_other_seeds_do_not_raise_false_alarms(seed) -> None:
    assert analyse(simulate(60, seed=seed)).alarms == ()


def test_same_seed_same_log_and_stream_matches_simulate() -> None:
    a, b = simulate(20, seed=7), simulate(20, seed=7)
    for name in a.probes_c:
        np.testing.assert_array_equal(a.probes_c[name], b.probes_c[name])
    batches = list(stream(20, batch_s=7.3, seed=7))
    streamed = {
        name: np.concatenate([x.probes_c[name] for x in batches]) for name in a.probes_c
    }
    np.testing.assert_array_equal(np.concatenate([x.t_s for x in batches]), a.t_s)
    for name in a.probes_c:  # batching does not change a single sample
        np.testing.assert_allclose(streamed[name], a.probes_c[name], atol=1e-9)
    np.testing.assert_allclose(
        np.concatenate([x.flow_l_min for x in batches]), a.flow_l_min
    )


def test_ten_hertz_and_ten_probes_are_fast() -> None:
    probes = (
        ["inflow", "outflow", "reservoir"]
        + [f"ip_site{i}" for i in range(6)]
        + ["ip_pelvis"]
    )
    started = time.perf_counter()
    log = simulate(60, seed=1, rate_hz=10, probes=probes)
    assert time.perf_counter() - started < 2.0
    assert len(log) == 36001 and len(log.probes_c) == 10


def test_one_minute_at_one_hertz_is_well_under_a_second() -> None:
    started = time.perf_counter()
    simulate(60, seed=1)
    assert time.perf_counter() - started < 0.5


# -- faults: each yields its alarm at the right time --------------------------------------------
# Tolerances: silent = fault + 10 s (rule) within one sample; flatline = fault + 60 s window
# (-5 s);
# flow_low = within the 2 s pump ramp + 2 s sustain; temperature faults against the noise-free
# model (same physics, noise off): the alarm follows the true crossing by the 10 s / 2 s sustain
# within 20 s of noise.


def test_probe_dropout_raises_probe_silent_ten_seconds_later() -> None:
    log = simulate(40, seed=1, faults=[parse_fault("probe_dropout:ip_pelvis@20")])
    assert np.isnan(log.probes_c["ip_pelvis"][log.t_s >= 1200]).all()
    (alarm,) = alarms_of(log, "probe_silent")
    assert alarm.probe == "ip_pelvis"
    assert 1200 + 9 <= alarm.t_s <= 1200 + 11


def test_probe_flatline_raises_after_the_window() -> None:
    log = simulate(40, seed=1, faults=[parse_fault("probe_flatline:ip_upper@25")])
    (alarm,) = alarms_of(log, "probe_flatline")
    assert alarm.probe == "ip_upper"
    # the last readings before the fault may by chance lie within 0.02 C of the stuck value
    # and then count towards the window: a few seconds early at most
    assert 1500 + 55 <= alarm.t_s <= 1500 + 61
    result = analyse(log)
    # unacknowledged, the stuck probe re-alarms every 5 min, escalating, until the log ends
    assert [(a.type.value, a.level) for a in result.alarms] == [
        ("probe_flatline", 1), ("probe_flatline", 2), ("probe_flatline", 3)]
    assert [a.t_s - alarm.t_s for a in result.alarms] == [0.0, 300.0, 600.0]
    (life,) = result.alarm_lives
    assert life.cleared_t_s is None and life.max_level == 3


def test_pump_stop_raises_flow_low_within_seconds_and_ends_the_perfusion() -> None:
    log = simulate(50, seed=1, faults=[parse_fault("pump_stop@40")])
    result = analyse(log)
    (alarm,) = [a for a in result.alarms if a.type.value == "flow_low" and a.level == 1]
    assert 2400 < alarm.t_s <= 2405
    assert result.plateau.end_s == pytest.approx(2401, abs=1)
    # without flow the heater is cut and the abdomen cools: under-temperature follows
    under = [a for a in result.alarms if a.type.value == "under_temperature"]
    assert under and all(a.t_s > alarm.t_s for a in under)


def _crossing_s(
    kind: str, probe: str, threshold: float, above: bool, fault: str
) -> float:
    quiet = SimulatorParams(noise_c=0.0, fluctuation_c=0.0)
    truth = simulate(60, seed=1, faults=[parse_fault(fault)], params=quiet)
    temps, t = truth.probes_c[probe], truth.t_s
    after = t >= parse_fault(fault).at_s
    hit = (temps > threshold) if above else (temps < threshold)
    return float(t[np.flatnonzero(after & hit)[0]])


def test_heater_failure_raises_under_temperature_when_the_abdomen_cools() -> None:
    fault = "heater_failure@35"
    log = simulate(60, seed=1, faults=[parse_fault(fault)])
    under = alarms_of(log, "under_temperature")
    assert {a.probe for a in under} == {"ip_upper", "ip_pelvis"}
    assert all(a.t_s > 35 * 60 for a in under)
    cfg = AlarmConfig()
    for alarm in under:
        truth_s = _crossing_s(
            "under", alarm.probe, 42.0 - cfg.under_margin_c, False, fault
        )
        assert abs(alarm.t_s - (truth_s + cfg.under_sustain_s)) <= 20.0
        assert truth_s - 35 * 60 < 10 * 60  # believable: minutes, not an hour


def test_heater_runaway_raises_over_temperature_on_the_inflow_first() -> None:
    fault = "heater_runaway@30"
    log = simulate(45, seed=1, faults=[parse_fault(fault)])
    over = alarms_of(log, "over_temperature")
    assert over[0].probe == "inflow"
    truth_s = _crossing_s("over", "inflow", 44.5, True, fault)
    assert abs(over[0].t_s - (truth_s + AlarmConfig().over_sustain_s)) <= 20.0
    assert {"ip_upper", "ip_pelvis"} <= {a.probe for a in over}
    assert np.nanmax(np.concatenate(list(log.probes_c.values()))) < 50.0


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("bogus@3", "unknown fault"),
        ("probe_dropout@3", "needs a probe"),
        ("pump_stop:inflow@3", "takes no probe"),
        ("heater_failure", "kind[:probe]@minutes"),
        ("heater_failure@x", "kind[:probe]@minutes"),
        ("heater_failure@1.2.3", "not a number"),
    ],
)
def test_bad_fault_specs(spec, fragment) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_fault(spec)
    assert info.value.field == "fault" and fragment in info.value.reason


def test_bad_simulator_arguments() -> None:
    with pytest.raises(InvalidInput, match="no probe 'ip_left'"):
        simulate(10, faults=[parse_fault("probe_dropout:ip_left@3")])
    with pytest.raises(InvalidInput, match="after the end"):
        simulate(10, faults=[parse_fault("pump_stop@30")])
    with pytest.raises(InvalidInput):
        simulate(0)
    with pytest.raises(InvalidInput):
        PerfusionSimulator(probes=["thermometer"])
    with pytest.raises(InvalidInput):
        PerfusionSimulator(rate_hz=0)
