"""The issue-6 alarm engine (commit 69215af), kept as the same-run baseline of
benchmarks/hipec_alarms.py; not used by the application.

Fixed limits (44.5 C circuit probes, 43.5 C intraperitoneal, whatever the target),
under-temperature armed only after the plateau, each condition raised once until it clears;
no target_not_reached, no repeats or escalation, no forecast. Docstrings below are the
original's.
"""


from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from rareonco.errors import InvalidInput
from rareonco.hipec.perfusion import SampleBatch, is_intraperitoneal

__all__ = ["Alarm", "AlarmConfig", "AlarmMonitor", "AlarmType"]


class AlarmType(StrEnum):
    OVER_TEMPERATURE = "over_temperature"
    UNDER_TEMPERATURE = "under_temperature"
    PROBE_SILENT = "probe_silent"
    PROBE_FLATLINE = "probe_flatline"
    FLOW_LOW = "flow_low"


@dataclass(frozen=True)
class AlarmConfig:
    """Thresholds of the alarm rules; temperatures in C, durations in s, flow in L/min."""

    circuit_max_c: float = 44.5
    intraperitoneal_max_c: float = 43.5
    over_sustain_s: float = 2.0
    under_margin_c: float = 0.5
    under_sustain_s: float = 10.0
    silent_after_s: float = 10.0
    flatline_window_s: float = 60.0
    flatline_range_c: float = 0.02
    flow_min_l_min: float = 0.5
    flow_sustain_s: float = 2.0
    hysteresis_c: float = 0.1
    hysteresis_l_min: float = 0.05

    def __post_init__(self) -> None:
        for name in (
            "circuit_max_c",
            "intraperitoneal_max_c",
            "flatline_window_s",
            "silent_after_s",
            "flatline_range_c",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidInput(name, f"must be a positive number, got {value!r}")
        for name in (
            "over_sustain_s",
            "under_sustain_s",
            "under_margin_c",
            "flow_min_l_min",
            "flow_sustain_s",
            "hysteresis_c",
            "hysteresis_l_min",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InvalidInput(name, f"must be zero or positive, got {value!r}")


@dataclass(frozen=True)
class Alarm:
    """An alarm raised at ``t_s`` (the sample that confirmed the condition).

    ``onset_s`` is when the condition began (``t_s`` minus the sustain time, or the last sample
    of a silent probe); ``probe`` is ``None`` for ``flow_low``; ``value`` is the reading that
    raised it (C, L/min, or seconds of silence).
    """

    t_s: float
    type: AlarmType
    probe: str | None
    value: float
    message: str
    onset_s: float

    def to_dict(self) -> dict[str, object]:
        return {
            "t_s": round(self.t_s, 3),
            "type": self.type.value,
            "probe": self.probe,
            "value": round(self.value, 3),
            "onset_s": round(self.onset_s, 3),
            "message": self.message,
        }


class _Debounce:
    """A condition that must hold for ``sustain_s`` to raise and clears with hysteresis."""

    __slots__ = ("active", "since", "sustain_s")

    def __init__(self, sustain_s: float) -> None:
        self.sustain_s = sustain_s
        self.since: float | None = None
        self.active = False

    def update(self, t_s: float, met: bool, cleared: bool) -> bool:
        """Advance with one observation; True when the alarm must be raised now."""
        if met:
            if self.since is None:
                self.since = t_s
            if not self.active and t_s - self.since >= self.sustain_s - 1e-9:
                self.active = True
                return True
        elif cleared or not self.active:
            self.since = None
            self.active = False
        return False


class _ProbeState:
    __slots__ = (
        "flat",
        "intraperitoneal",
        "last_c",
        "last_t",
        "max_c",
        "maxs",
        "mins",
        "name",
        "over",
        "silent",
        "under",
        "window",
    )

    def __init__(self, name: str, config: AlarmConfig, t_s: float) -> None:
        self.name = name
        self.intraperitoneal = is_intraperitoneal(name)
        self.max_c = (
            config.intraperitoneal_max_c
            if self.intraperitoneal
            else config.circuit_max_c
        )
        self.last_t = t_s
        self.last_c = math.nan
        self.silent = False
        self.over = _Debounce(config.over_sustain_s)
        self.under = _Debounce(config.under_sustain_s)
        self.window: deque[float] = deque()  # times in the flatline window
        self.mins: deque[tuple[float, float]] = (
            deque()
        )  # increasing values: window minimum first
        self.maxs: deque[tuple[float, float]] = (
            deque()
        )  # decreasing values: window maximum first
        self.flat = False


class AlarmMonitor:
    """Incremental alarm engine for one perfusion.

    Parameters
    ----------
    config : thresholds; see :class:`AlarmConfig`.
    target_c : (low, high) intraperitoneal target in C, for the plateau and under-temperature.
    probes : probes expected from the start; a listed probe that never reports raises
        ``probe_silent``. Other probes are picked up when they first report.
    """

    def __init__(
        self,
        config: AlarmConfig | None = None,
        target_c: tuple[float, float] = (42.0, 43.0),
        probes: Iterable[str] = (),
    ) -> None:
        self.config = config or AlarmConfig()
        low, high = (float(v) for v in target_c)
        if not (math.isfinite(low) and math.isfinite(high) and low <= high):
            raise InvalidInput("target_c", f"need low <= high, got {target_c!r}")
        self.target_c = (low, high)
        self._under_c = low - self.config.under_margin_c
        self._expected = list(probes)
        self._probes: dict[str, _ProbeState] = {}
        self._flow = _Debounce(self.config.flow_sustain_s)
        self._last_t: float | None = None
        #: Time the plateau began (s), or None before it.
        self.plateau_start_s: float | None = None
        #: Every alarm raised so far, in order.
        self.alarms: list[Alarm] = []

    # -- feeding --------------------------------------------------------------------------------

    def feed(
        self, t_s: float, temps_c: Mapping[str, float], flow_l_min: float | None = None
    ) -> list[Alarm]:
        """Process one time point: any subset of probes (missing or NaN = no reading)."""
        self._advance(t_s)
        new: list[Alarm] = []
        for name, value in temps_c.items():
            self._probe_value(t_s, name, value, new)
        self._after_values(t_s, temps_c, flow_l_min, new)
        return new

    def feed_batch(self, batch: SampleBatch) -> list[Alarm]:
        """Process a run of samples in time order; returns the alarms raised, in order."""
        times = batch.t_s.tolist()
        columns = [(name, values.tolist()) for name, values in batch.probes_c.items()]
        flows = batch.flow_l_min.tolist() if batch.flow_l_min is not None else None
        new: list[Alarm] = []
        for i, t in enumerate(times):
            self._advance(t)
            present: dict[str, float] = {}
            for name, values in columns:
                v = values[i]
                self._probe_value(t, name, v, new)
                present[name] = v
            self._after_values(t, present, flows[i] if flows is not None else None, new)
        return new

    def check(self, t_s: float) -> list[Alarm]:
        """Clock tick without data (live use): raise ``probe_silent`` for probes overdue at ``t_s``.

        Unlike :meth:`feed`, this flags every overdue probe, so a feed that died altogether is
        noticed.
        """
        self._advance(t_s)
        new: list[Alarm] = []
        for state in self._probes.values():
            self._check_silent(t_s, state, new)
        return new

    # -- internals ------------------------------------------------------------------------------

    def _advance(self, t_s: float) -> None:
        t_s = float(t_s)
        if not math.isfinite(t_s):
            raise InvalidInput("t_s", "sample time must be a finite number of seconds")
        if self._last_t is None:
            for name in self._expected:
                self._probes[name] = _ProbeState(name, self.config, t_s)
        elif t_s < self._last_t:
            raise InvalidInput(
                "t_s",
                f"sample at {t_s:g} s is earlier than the previous one at {self._last_t:g} s",
            )
        self._last_t = t_s

    def _probe_value(self, t: float, name: str, v: float, new: list[Alarm]) -> None:
        if math.isnan(v):  # no reading
            return
        state = self._probes.get(name)
        if state is None:
            state = self._probes[name] = _ProbeState(name, self.config, t)
        state.last_t = t
        state.last_c = v
        state.silent = False
        cfg = self.config
        if state.over.update(t, v > state.max_c, v <= state.max_c - cfg.hysteresis_c):
            self._raise(
                new,
                t,
                AlarmType.OVER_TEMPERATURE,
                name,
                v,
                state.over.since,
                f"{name} {v:.2f} C above {state.max_c:g} C",
            )
        if (
            state.intraperitoneal
            and self.plateau_start_s is not None
            and state.under.update(
                t, v < self._under_c, v >= self._under_c + cfg.hysteresis_c
            )
        ):
            self._raise(
                new,
                t,
                AlarmType.UNDER_TEMPERATURE,
                name,
                v,
                state.under.since,
                f"{name} {v:.2f} C below {self._under_c:g} C after the plateau began",
            )
        self._flatline(t, state, v, new)

    def _flatline(self, t: float, s: _ProbeState, v: float, new: list[Alarm]) -> None:
        window_s = self.config.flatline_window_s
        horizon = t - window_s - 1e-6
        s.window.append(t)
        while s.mins and s.mins[-1][1] >= v:
            s.mins.pop()
        s.mins.append((t, v))
        while s.maxs and s.maxs[-1][1] <= v:
            s.maxs.pop()
        s.maxs.append((t, v))
        while s.window[0] < horizon:
            s.window.popleft()
        while s.mins[0][0] < horizon:
            s.mins.popleft()
        while s.maxs[0][0] < horizon:
            s.maxs.popleft()
        if t - s.window[0] < window_s - 1e-6:
            return  # not a full window yet
        spread = s.maxs[0][1] - s.mins[0][1]
        if spread < self.config.flatline_range_c:
            if not s.flat:
                s.flat = True
                self._raise(
                    new,
                    t,
                    AlarmType.PROBE_FLATLINE,
                    s.name,
                    v,
                    s.window[0],
                    f"{s.name} varied by only {spread:.3f} C over {window_s:g} s",
                )
        else:
            s.flat = False

    def _after_values(
        self,
        t: float,
        present: Mapping[str, float],
        flow: float | None,
        new: list[Alarm],
    ) -> None:
        for name, state in self._probes.items():
            if math.isnan(present.get(name, math.nan)):
                self._check_silent(t, state, new)
        if self.plateau_start_s is None:
            self._check_plateau(t)
        if flow is not None and not math.isnan(flow):
            cfg = self.config
            if self._flow.update(
                t,
                flow < cfg.flow_min_l_min,
                flow >= cfg.flow_min_l_min + cfg.hysteresis_l_min,
            ):
                self._raise(
                    new,
                    t,
                    AlarmType.FLOW_LOW,
                    None,
                    flow,
                    self._flow.since,
                    f"flow {flow:.2f} L/min below {cfg.flow_min_l_min:g} L/min",
                )

    def _check_silent(self, t: float, state: _ProbeState, new: list[Alarm]) -> None:
        quiet_s = t - state.last_t
        if not state.silent and quiet_s >= self.config.silent_after_s - 1e-9:
            state.silent = True
            self._raise(
                new,
                t,
                AlarmType.PROBE_SILENT,
                state.name,
                quiet_s,
                state.last_t,
                f"{state.name} has not reported for {quiet_s:.0f} s",
            )

    def _check_plateau(self, t: float) -> None:
        low, high = self.target_c
        seen = False
        for state in self._probes.values():
            if not state.intraperitoneal:
                continue
            c = state.last_c
            if not (
                low <= c <= high
            ):  # also False for NaN: an expected probe not yet heard
                return
            seen = True
        if seen:
            self.plateau_start_s = t

    def _raise(
        self,
        new: list[Alarm],
        t: float,
        kind: AlarmType,
        probe: str | None,
        value: float,
        onset: float | None,
        message: str,
    ) -> None:
        alarm = Alarm(
            float(t),
            kind,
            probe,
            float(value),
            message,
            float(onset if onset is not None else t),
        )
        new.append(alarm)
        self.alarms.append(alarm)
