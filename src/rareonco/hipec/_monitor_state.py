"""Per-probe state of the alarm engine: the temperature rules of one probe (see
:mod:`rareonco.hipec.alarms` for the rules and their sources)."""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from .forecast import TrendForecaster
from .lifecycle import AlarmType
from .perfusion import is_core, is_intraperitoneal

if TYPE_CHECKING:  # pragma: no cover
    from .alarms import Alarm, AlarmMonitor

_INF = math.inf


class ProbeState:
    """One probe: its last reading, over/under/predicted/flatline/silent conditions."""

    __slots__ = ("core", "flat_maxs", "flat_mins", "flat_window", "forecaster",
                 "intraperitoneal", "last_c", "last_forecast_t", "last_t", "max_c", "monitor",
                 "name", "over_kind")

    def __init__(self, name: str, monitor: AlarmMonitor, t_s: float) -> None:
        rx, cfg = monitor.prescription, monitor.config
        self.name = name
        self.monitor = monitor
        self.intraperitoneal = is_intraperitoneal(name)
        self.core = is_core(name)
        if self.intraperitoneal:
            self.max_c, self.over_kind = rx.intraperitoneal_max_c, AlarmType.OVER_TEMPERATURE
        elif self.core:
            self.max_c, self.over_kind = rx.core_max_c, AlarmType.CORE_TEMPERATURE_HIGH
        else:
            self.max_c, self.over_kind = rx.circuit_max_c, AlarmType.OVER_TEMPERATURE
        self.last_t = t_s
        self.last_c = math.nan
        self.forecaster = TrendForecaster(cfg.predict_window_s, cfg.predict_window_s / 2,
                                          cfg.predict_confidence)
        self.last_forecast_t: dict[AlarmType, float] = {}
        self.flat_window: deque[float] = deque()
        self.flat_mins: deque[tuple[float, float]] = deque()  # increasing: minimum first
        self.flat_maxs: deque[tuple[float, float]] = deque()  # decreasing: maximum first

    def value(self, t: float, v: float, new: list[Alarm]) -> None:
        m, cfg = self.monitor, self.monitor.config
        quiet_s = t - self.last_t
        silent = m.existing(AlarmType.PROBE_SILENT, self.name)
        if silent is not None:
            m.update(silent, t, False, True, 0.0, None, "", new)
        if quiet_s >= cfg.silent_after_s:
            self.forecaster.reset()  # the old trend says nothing of now
        self.last_t, self.last_c = t, v
        hys = cfg.hysteresis_c
        sustain = cfg.core_sustain_s if self.core else cfg.over_sustain_s
        over = m.condition(self.over_kind, self.name, sustain, True, cfg.worsen_c)
        what = "core temperature" if self.core else self.name
        m.update(over, t, v > self.max_c, v <= self.max_c - hys, v, self.max_c,
                 f"{what} {v:.2f} C above {self.max_c:g} C", new)
        armed = self.intraperitoneal and m.armed_after_warm_up(t)
        under_c = m.under_c
        under = None
        if armed:
            under = m.condition(AlarmType.UNDER_TEMPERATURE, self.name, cfg.under_sustain_s,
                                False, cfg.worsen_c)
            m.update(under, t, v < under_c, v >= under_c + hys, v, under_c,
                     f"{self.name} {v:.2f} C below {under_c:g} C", new)
        if self.forecaster.add(t, v) and not self.core:
            self._predict(t, AlarmType.OVER_TEMPERATURE_PREDICTED, self.max_c, True,
                          over.active or v > self.max_c, new)
            if under is not None:
                self._predict(t, AlarmType.UNDER_TEMPERATURE_PREDICTED, under_c, False,
                              under.active or v < under_c, new)
        self._flatline(t, v, new)

    def _predict(self, t: float, kind: AlarmType, limit: float, upward: bool,
                 superseded: bool, new: list[Alarm]) -> None:
        m, cfg = self.monitor, self.monitor.config
        forecast = None if superseded else self.forecaster.crossing(
            limit, upward, cfg.predict_horizon_s)
        cond = m.existing(kind, self.name)
        if forecast is None:
            held = t - self.last_forecast_t.get(kind, -_INF) < cfg.predict_hold_s
            if cond is not None and (superseded or not (cond.active and held)):
                m.update(cond, t, False, True, math.nan, limit, "", new)
            return
        self.last_forecast_t[kind] = t
        if cond is None:
            cond = m.condition(kind, self.name, max(0, cfg.predict_sustain_bins - 1), upward,
                               _INF)
        ahead = forecast.crossing_s - t
        side = "above" if upward else "below"
        m.update(cond, t, True, False, forecast.level_c, limit,
                 f"{self.name} forecast {side} {limit:g} C in {max(ahead, 0):.0f} s "
                 f"({forecast.level_c:.2f} C, {forecast.slope_c_min:+.2f} C/min)", new,
                 predicted_crossing_s=forecast.crossing_s)

    def _flatline(self, t: float, v: float, new: list[Alarm]) -> None:
        m, cfg = self.monitor, self.monitor.config
        window_s = cfg.flatline_window_s
        horizon = t - window_s - 1e-6
        self.flat_window.append(t)
        mins, maxs, window = self.flat_mins, self.flat_maxs, self.flat_window
        while mins and mins[-1][1] >= v:
            mins.pop()
        mins.append((t, v))
        while maxs and maxs[-1][1] <= v:
            maxs.pop()
        maxs.append((t, v))
        while window[0] < horizon:
            window.popleft()
        while mins[0][0] < horizon:
            mins.popleft()
        while maxs[0][0] < horizon:
            maxs.popleft()
        if t - window[0] < window_s - 1e-6:
            return  # not a full window yet
        spread = maxs[0][1] - mins[0][1]
        flat = spread < cfg.flatline_range_c
        cond = m.existing(AlarmType.PROBE_FLATLINE, self.name)
        if cond is None and not flat:
            return
        cond = m.condition(AlarmType.PROBE_FLATLINE, self.name, 0.0, True, _INF)
        m.update(cond, t, flat, not flat, v, cfg.flatline_range_c,
                 f"{self.name} varied by only {spread:.3f} C over {window_s:g} s", new,
                 onset_s=window[0])

    def check_silent(self, t: float, new: list[Alarm]) -> None:
        m = self.monitor
        quiet_s = t - self.last_t
        met = quiet_s >= m.config.silent_after_s - 1e-9
        cond = m.existing(AlarmType.PROBE_SILENT, self.name)
        if cond is None:
            if not met:
                return
            cond = m.condition(AlarmType.PROBE_SILENT, self.name, 0.0, True, _INF)
        m.update(cond, t, met, not met, quiet_s, m.config.silent_after_s,
                 f"{self.name} has not reported for {quiet_s:.0f} s", new, onset_s=self.last_t)
