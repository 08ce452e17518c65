"""Analysis of whole perfusions with known answers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rareonco.hipec import analyse, parse_csv

from .conftest import make_log


def noisy(n: int, level: float, seed: int = 0) -> np.ndarray:
    return level + np.random.default_rng(seed).normal(0, 0.01, n)


@pytest.mark.parametrize(("temp_c", "cem43"), [(43.0, 60.0), (42.0, 15.0)])
def test_cem43_of_a_constant_hour(minute_grid, temp_c, cem43) -> None:
    result = analyse(make_log(minute_grid, ip_upper=temp_c))
    probe = result.probes["ip_upper"]
    assert probe.cem43_min == pytest.approx(cem43)
    assert probe.time_in_range_min == pytest.approx(60.0)
    assert (probe.min_c, probe.max_c, probe.mean_c) == (temp_c, temp_c, temp_c)
    assert result.plateau.start_s == 0.0 and result.plateau.end_s == 3600.0


def test_plateau_starts_when_every_intraperitoneal_probe_is_in_range(
    minute_grid,
) -> None:
    t = minute_grid
    upper = np.interp(t, [0, 300, 3600], [37.0, 42.5, 42.5])  # reaches 42.0 at 272.7 s
    pelvis = np.interp(t, [0, 600, 3600], [37.0, 42.4, 42.4])  # reaches 42.0 at 555.6 s
    inflow = np.full(t.size, 44.0)  # out of the target: circuit probes do not count
    result = analyse(make_log(t, ip_upper=upper, ip_pelvis=pelvis, inflow=inflow))
    assert result.plateau.start_s == 556.0
    assert result.plateau.end_s == 3600.0
    # stats over the plateau window
    assert result.probes["ip_pelvis"].min_c == pytest.approx(pelvis[556])
    assert result.probes["ip_upper"].mean_c == pytest.approx(42.5)
    # dose over the whole record: in range from 273 s (upper)
    assert result.probes["ip_upper"].time_in_range_min == pytest.approx(
        (3600 - 272.5) / 60, abs=0.02
    )


def test_plateau_end_is_when_the_pump_stopped(minute_grid) -> None:
    flow = np.where(minute_grid <= 3000, 1.2, 0.0)
    result = analyse(make_log(minute_grid, flow_l_min=flow, ip_upper=noisy(3601, 42.5)))
    assert result.plateau.end_s == 3000.0
    # the pump stays stopped: flow_low at 3002 s, repeated 5 min later one level up
    assert [(a.type.value, a.t_s, a.level) for a in result.alarms] == [
        ("flow_low", 3003.0, 1), ("flow_low", 3303.0, 2)]
    (life,) = result.alarm_lives
    assert life.alarms_t_s == (3003.0, 3303.0) and life.cleared_t_s is None


def test_no_plateau_when_never_in_range(minute_grid) -> None:
    result = analyse(make_log(minute_grid, ip_upper=noisy(3601, 41.0)))
    assert result.plateau.start_s is None
    assert result.to_dict()["plateau"] == {"start_s": None, "end_s": 3600.0}
    assert result.probes["ip_upper"].mean_c == pytest.approx(41.0, abs=0.01)
    # nothing during the 15 min warm-up allowance; then the target was not reached
    first = [(a.type.value, a.t_s) for a in result.alarms if a.level == 1]
    assert first == [("target_not_reached", 900.0), ("under_temperature", 910.0)]


def test_missing_samples_are_skipped_and_long_gaps_not_dosed(minute_grid) -> None:
    temps = np.full(3601, 43.0)
    temps[1800:2400] = np.nan  # 10 min without the probe
    result = analyse(make_log(minute_grid, ip_upper=temps, ip_pelvis=noisy(3601, 42.5)))
    probe = result.probes["ip_upper"]
    assert probe.cem43_min == pytest.approx(50.0, abs=0.05)
    assert probe.n_samples == 3001
    # a constant 43.0 reads as a stuck probe after 60 s; the dropout is silent 10 s in
    first = [(a.type.value, a.probe, a.t_s) for a in result.alarms if a.level == 1]
    assert first == [
        ("probe_flatline", "ip_upper", 60.0),
        ("probe_silent", "ip_upper", 1809.0),
    ]
    flat, silent = result.alarm_lives
    # unacknowledged, both repeat every 5 min (escalating to 3); the silence clears when the
    # probe is back, the stuck reading does not (it is the same 43.00 again)
    assert silent.alarms_t_s == (1809.0, 2109.0) and silent.cleared_t_s == 2400.0
    assert flat.alarms_t_s[:6] == tuple(60.0 + 300.0 * k for k in range(6))
    assert flat.alarms_t_s[6] == 2460.0 and flat.levels[-1] == 3 and flat.cleared_t_s is None
    # dosed: 0-1799 s and 2400-3600 s; the 1799-2400 s hole is the gap
    assert probe.coverage == pytest.approx((1799 + 1200) / 3600)
    assert probe.gap_min == pytest.approx(601 / 60)


def test_probe_without_any_value(minute_grid) -> None:
    result = analyse(
        make_log(minute_grid, ip_upper=noisy(3601, 42.5), ip_pelvis=np.nan)
    )
    assert result.probes["ip_pelvis"].to_dict() == {
        "min_c": None,
        "max_c": None,
        "mean_c": None,
        "time_in_range_min": 0.0,
        "cem43_min": 0.0,
        "coverage": 0.0,
        "gap_min": 0.0,
    }
    assert result.plateau.start_s == 0.0  # a probe that never reports does not block it


def test_json_shape_of_the_issue() -> None:
    text = (
        "time_s,inflow_c,ip_upper_c,flow_l_min\n"
        + "".join(
            f"{t},{44 + 0.02 * (t % 3)},{42.5 + 0.03 * (t % 2)},1.2\n"
            for t in range(120)
        )
        + "120,,42.5,1.2\n"
    )
    result = analyse(parse_csv(text), target_c=(42.0, 43.0))
    data = json.loads(result.to_json())
    assert set(data) >= {"plateau", "probes", "alarms", "alarm_lives", "data_quality",
                         "time_in_range_min", "prescription"}
    assert set(data["plateau"]) == {"start_s", "end_s"}
    assert set(data["probes"]["ip_upper"]) == {
        "min_c",
        "max_c",
        "mean_c",
        "time_in_range_min",
        "cem43_min",
        "coverage",
        "gap_min",
    }
    assert data["probes"]["ip_upper"]["coverage"] == 1.0
    assert data["data_quality"] == [
        {"t_s": 120.0, "issue": "inflow_c: empty cell at t=120 s; treated as missing"}
    ]
    assert data["alarms"] == [] and data["alarm_lives"] == []
