"""Issue 19: predicted alarms from the probes' robust trend, and the simulator's new faults."""

from __future__ import annotations

import numpy as np
import pytest

from rareonco.errors import InvalidInput
from rareonco.hipec import (
    AlarmMonitor,
    AlarmType,
    SimulatorParams,
    analyse,
    parse_fault,
    simulate,
)
from rareonco.hipec.forecast import TrendForecaster

from .conftest import make_log


def _first(alarms, kind: AlarmType, probe: str):
    return next(a for a in alarms if a.type == kind and a.probe == probe)


def test_slow_drift_is_forecast_before_the_crossing() -> None:
    """0.1 C/min set-point creep: the forecast comes before the over-temperature alarm (the
    inflow, with white noise only, by more than 30 s; the abdomen's probes fluctuate with local
    mixing too, so their noisy first crossing can come early, but never before the forecast),
    and its forecast crossing time is near the true (noise-free) crossing."""
    fault = [parse_fault("drift@20,rate=0.1")]
    log = simulate(45, seed=1, faults=fault)
    truth = simulate(45, seed=1, faults=fault, params=SimulatorParams(noise_c=0.0,
                                                                      fluctuation_c=0.0))
    result = analyse(log)
    for probe in ("inflow", "ip_upper", "ip_pelvis"):
        predicted = _first(result.alarms, AlarmType.OVER_TEMPERATURE_PREDICTED, probe)
        actual = _first(result.alarms, AlarmType.OVER_TEMPERATURE, probe)
        assert predicted.t_s < actual.onset_s
        true_crossing = float(truth.t_s[np.flatnonzero(truth.probes_c[probe] > actual.limit)[0]])
        assert predicted.t_s < true_crossing
        assert predicted.predicted_crossing_s is not None
        assert predicted.t_s < predicted.predicted_crossing_s <= predicted.t_s + 60.0
        assert predicted.to_dict()["predicted_crossing_s"] == round(
            predicted.predicted_crossing_s, 1)
        # the real alarm supersedes the forecast: its episode is closed by then
        life = next(x for x in result.alarm_lives if x.episode == predicted.episode)
        assert life.cleared_t_s is not None and life.cleared_t_s <= actual.t_s + 1
    inflow_p = _first(result.alarms, AlarmType.OVER_TEMPERATURE_PREDICTED, "inflow")
    inflow_a = _first(result.alarms, AlarmType.OVER_TEMPERATURE, "inflow")
    assert inflow_a.onset_s - inflow_p.t_s >= 30.0
    true_inflow = float(truth.t_s[np.flatnonzero(truth.probes_c["inflow"] > 44.5)[0]])
    assert abs(inflow_p.predicted_crossing_s - true_inflow) <= 20.0


def test_cooling_drift_forecasts_under_temperature() -> None:
    log = simulate(50, seed=1, faults=[parse_fault("drift@20,rate=-0.1")])
    result = analyse(log)
    predicted = _first(result.alarms, AlarmType.UNDER_TEMPERATURE_PREDICTED, "ip_upper")
    actual = _first(result.alarms, AlarmType.UNDER_TEMPERATURE, "ip_upper")
    assert predicted.t_s < actual.onset_s


def test_no_forecast_on_a_steady_noisy_probe_near_the_limit() -> None:
    t = np.arange(0.0, 1800.0)
    ip = 43.3 + np.random.default_rng(3).normal(0, 0.05, t.size)  # 0.2 C under the limit
    result = analyse(make_log(t, ip_upper=ip))
    assert [a for a in result.alarms if a.type == AlarmType.OVER_TEMPERATURE_PREDICTED] == []


def test_a_step_is_not_extrapolated_as_a_ramp() -> None:
    t = np.arange(0.0, 400.0)
    ip = np.where(t < 200, 42.5, 43.2) + np.random.default_rng(4).normal(0, 0.02, t.size)
    alarms = AlarmMonitor().feed_batch(make_log(t, ip_upper=ip))
    assert alarms == []


def test_forecaster_gives_the_crossing_of_a_clean_ramp() -> None:
    f = TrendForecaster(window_s=60.0)
    for t in np.arange(0.0, 61.0, 0.5):
        f.add(float(t), 42.0 + 0.01 * float(t))  # 0.6 C/min
    fc = f.crossing(43.5, upward=True, horizon_s=120.0)
    assert fc is not None
    assert fc.slope_c_min == pytest.approx(0.6)
    assert fc.crossing_s == pytest.approx(150.0, abs=0.6)  # 42 + 0.01 t = 43.5 at t = 150
    assert f.crossing(43.5, upward=True, horizon_s=60.0) is None  # beyond the horizon
    assert f.crossing(41.0, upward=False, horizon_s=60.0) is None  # wrong direction
    f.reset()
    assert f.crossing(43.5, upward=True, horizon_s=120.0) is None


# -- the simulator's faults ------------------------------------------------------------------


def test_fault_parameters_parse_and_print() -> None:
    f = parse_fault("drift@20,rate=-0.15")
    assert (f.kind, f.at_min, f.rate_c_min) == ("drift", 20.0, -0.15)
    assert str(f) == "drift@20,rate=-0.15"
    assert parse_fault("drift@5").rate_c_min == 0.1
    assert parse_fault("flow_drop@30").flow_l_min == 0.3
    d = parse_fault("probe_dropout:ip_pelvis@20,for=2")
    assert (d.duration_min, d.end_s, str(d)) == (2.0, 1320.0, "probe_dropout:ip_pelvis@20,for=2")
    assert parse_fault("heater_failure@3").end_s == float("inf")


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [("drift@5,flow=1", "takes no parameter 'flow'"), ("drift@5,rate=x", "not a number"),
     ("flow_drop@5,flow=20", "0-10 L/min"), ("probe_dropout:ip_upper@5,for=0", "positive"),
     ("heater_failure@5,rate=1", "takes: none"), ("drift@5,rate=inf", "finite")],
)
def test_bad_fault_parameters(spec, fragment) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_fault(spec)
    assert err.value.field == "fault" and fragment in err.value.reason


def test_timed_dropout_comes_back() -> None:
    log = simulate(30, seed=1, faults=[parse_fault("probe_dropout:ip_pelvis@20,for=2")])
    gone = (log.t_s >= 1200) & (log.t_s < 1320)
    assert np.isnan(log.probes_c["ip_pelvis"][gone]).all()
    assert np.isfinite(log.probes_c["ip_pelvis"][log.t_s >= 1320]).all()
    (life,) = analyse(log).alarm_lives
    assert (life.type, life.raised_t_s, life.cleared_t_s) == (AlarmType.PROBE_SILENT, 1209.0,
                                                             1320.0)


def test_flow_drop_raises_flow_low_and_the_abdomen_cools() -> None:
    log = simulate(50, seed=1, faults=[parse_fault("flow_drop@30,flow=0.3")])
    assert log.flow_l_min[log.t_s > 1805].max() < 0.36
    result = analyse(log)
    flow = _first(result.alarms, AlarmType.FLOW_LOW, None)
    assert 1800 < flow.t_s <= 1806
    assert any(a.type == AlarmType.UNDER_TEMPERATURE for a in result.alarms)


def test_set_point_drift_raises_the_inflow_at_the_given_rate() -> None:
    log = simulate(40, seed=1, faults=[parse_fault("drift@20,rate=0.2")])
    late = (log.t_s >= 1800) & (log.t_s <= 2400)
    slope_c_min = np.polyfit(log.t_s[late], log.probes_c["inflow"][late], 1)[0] * 60
    assert slope_c_min == pytest.approx(0.2, abs=0.03)


def test_core_probe_warms_about_a_degree_in_a_normal_perfusion() -> None:
    log = simulate(60, seed=1, probes=("inflow", "ip_upper", "oesophageal"))
    core = log.probes_c["oesophageal"]
    assert core[0] == pytest.approx(37.0, abs=0.2) and 37.6 < core[-1] < 38.6
