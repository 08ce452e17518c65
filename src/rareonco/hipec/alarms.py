"""The HIPEC alarm engine: incremental, the same for offline logs and live feeds.

An :class:`AlarmMonitor` is fed samples in time order (one time point with any subset of probes,
or a :class:`SampleBatch`) and returns the alarms announced at that sample. Thresholds come from
the perfusion's :class:`~rareonco.hipec.prescription.Prescription` (issue 19); the debounce,
hysteresis and repeat timing from :class:`AlarmConfig`. Each announcement belongs to an episode
whose life (raised, repeated and escalated, acknowledged, cleared) is kept as
:class:`~rareonco.hipec.lifecycle.AlarmLife` (rules in :mod:`rareonco.hipec.lifecycle`).

Rules (``lo``-``hi`` the target; probe kinds in :mod:`rareonco.hipec.perfusion`):

- ``over_temperature``: an intraperitoneal probe above ``hi + over_margin_c``, or a circuit
  probe above the inflow limit, for 2 s. Always armed: heat injures at any time.
- ``under_temperature``: an intraperitoneal probe below ``lo - 0.5 C`` for 10 s, armed once the
  plateau began or the warm-up allowance (``reach_target_min``) has run out, never during the
  warm-up itself. The margin and sustain absorb probe noise and bowel moved over a probe.
- ``target_not_reached``: from the end of the warm-up allowance, when no intraperitoneal probe
  has yet reached ``lo``; and whenever the therapeutic time (every reporting intraperitoneal
  probe at or above ``lo - 0.5 C``) plus the time left until the planned end
  (start + allowance + ``duration_min``) can no longer make up ``duration_min``. Its value is the
  shortfall in minutes.
- ``*_predicted``: the probe's robust trend (:mod:`rareonco.hipec.forecast`) crosses the over
  limit (intraperitoneal and circuit probes; core temperature moves too slowly to need it) or
  the under threshold (intraperitoneal, armed as under) within
  ``horizon_s`` (60 s), on two consecutive 1 s bins; ``predicted_crossing_s`` is the forecast
  crossing time. It clears when the real alarm takes over or when no forecast has crossed for
  ``predict_hold_s`` (30 s: a forecast flickering with the noise is one episode).
- ``core_temperature_high``: a core probe (oesophageal, bladder) above ``core_max_c`` for 10 s.
- ``gradient_high``: inflow minus outflow above ``gradient_max_c`` for 30 s, armed like under.
- ``flow_low`` / ``reservoir_low``: below the prescription's minimum for 2 s.
- ``probe_silent``: a probe that reported before has had no value for 10 s while other values
  arrive (a dead feed: :meth:`AlarmMonitor.check`). ``probe_flatline``: readings spanning less
  than 0.02 C over 60 s (a stuck sensor; real thermistors in flowing perfusate are noisier).

Cost: O(1) amortised per value; the robust fit runs at most once a second per probe and only
when a cheap least-squares screen sees a crossing coming.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from rareonco.errors import InvalidInput

from ._monitor_state import ProbeState
from .lifecycle import AlarmLife, AlarmType, Condition
from .perfusion import SampleBatch
from .prescription import Prescription

__all__ = ["Alarm", "AlarmConfig", "AlarmLife", "AlarmMonitor", "AlarmType"]

_PREDICTED = (AlarmType.OVER_TEMPERATURE_PREDICTED, AlarmType.UNDER_TEMPERATURE_PREDICTED)


@dataclass(frozen=True)
class AlarmConfig:
    """Timing of the rules (not clinical limits: those are the :class:`Prescription`'s).

    Temperatures in C, durations in s, flow in L/min.
    """

    over_sustain_s: float = 2.0
    under_margin_c: float = 0.5
    under_sustain_s: float = 10.0
    core_sustain_s: float = 10.0
    gradient_sustain_s: float = 30.0
    silent_after_s: float = 10.0
    flatline_window_s: float = 60.0
    flatline_range_c: float = 0.02
    flow_sustain_s: float = 2.0
    hysteresis_c: float = 0.1
    hysteresis_l_min: float = 0.05
    repeat_s: float = 300.0
    reopen_s: float = 120.0
    worsen_c: float = 0.5
    worsen_l_min: float = 0.2
    worsen_target_min: float = 5.0
    predict_window_s: float = 60.0
    predict_horizon_s: float = 60.0
    predict_confidence: float = 0.90
    predict_sustain_bins: int = 2
    predict_hold_s: float = 30.0
    max_gap_s: float = 30.0

    def __post_init__(self) -> None:
        positive = ("flatline_window_s", "silent_after_s", "flatline_range_c", "repeat_s",
                    "predict_window_s", "predict_horizon_s", "max_gap_s")
        for f in fields(self):
            value = getattr(self, f.name)
            ok = math.isfinite(value) and (value > 0 if f.name in positive else value >= 0)
            if not ok:
                kind = "a positive number" if f.name in positive else "zero or positive"
                raise InvalidInput(f.name, f"must be {kind}, got {value!r}")
        if not 0 < self.predict_confidence < 1:
            raise InvalidInput("predict_confidence", "must lie between 0 and 1")


@dataclass(frozen=True)
class Alarm:
    """An alarm announced at ``t_s`` (the sample that confirmed or repeated the condition).

    ``onset_s``: when the condition began. ``value``: the reading (C, L/min, L, s of silence, or
    minutes of shortfall for ``target_not_reached``); ``limit``: the threshold it was held to.
    ``level`` 1-3 (escalation); ``episode`` groups the announcements of one occurrence;
    ``predicted_crossing_s``: forecast crossing time of a ``*_predicted`` alarm.
    """

    t_s: float
    type: AlarmType
    probe: str | None
    value: float
    message: str
    onset_s: float
    level: int = 1
    limit: float | None = None
    episode: int = 0
    predicted_crossing_s: float | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "type": self.type.value,
            "probe": self.probe,
            "t_s": round(self.t_s, 3),
            "level": self.level,
        }
        if self.type in _PREDICTED:
            out["predicted_crossing_s"] = (
                None if self.predicted_crossing_s is None else round(self.predicted_crossing_s, 1)
            )
        out.update(value=round(self.value, 3),
                   limit=None if self.limit is None else round(self.limit, 3),
                   onset_s=round(self.onset_s, 3), episode=self.episode, message=self.message)
        return out


class AlarmMonitor:
    """Incremental alarm engine for one perfusion.

    Parameters
    ----------
    config : timing; see :class:`AlarmConfig`.
    target_c : (low, high) target in C, used when no ``prescription`` is given (the other limits
        then take the prescription's defaults relative to it).
    probes : probes expected from the start; a listed probe that never reports is silent.
    prescription : the perfusion's target and limits (:class:`Prescription`).
    """

    def __init__(self, config: AlarmConfig | None = None,
                 target_c: tuple[float, float] = (42.0, 43.0), probes: Iterable[str] = (),
                 prescription: Prescription | None = None) -> None:
        self.config = config or AlarmConfig()
        if prescription is None:
            low, high = (float(v) for v in target_c)
            if not (math.isfinite(low) and math.isfinite(high) and low <= high):
                raise InvalidInput("target_c", f"need low <= high, got {target_c!r}")
            prescription = Prescription(target_low_c=low, target_high_c=max(high, low + 1e-6))
        self.prescription = prescription
        self.target_c = prescription.target_c
        self._under_c = prescription.target_low_c - self.config.under_margin_c
        self._expected = list(probes)
        self._probes: dict[str, ProbeState] = {}
        self._conditions: dict[tuple[AlarmType, str | None], Condition] = {}
        self._lives: dict[int, AlarmLife] = {}
        self._last_t: float | None = None
        #: First time the pump ran (flow at or above the minimum, or the first sample without
        #: a flow reading), s; None before.
        self.start_s: float | None = None
        #: Time the plateau began (every reporting intraperitoneal probe in range), s, or None.
        self.plateau_start_s: float | None = None
        #: Seconds of therapeutic time (see the module docstring), so far.
        self.therapeutic_s = 0.0
        self._therapeutic_now = False
        self._prev_t: float | None = None
        self._reached = False
        #: Every alarm announced so far, in order.
        self.alarms: list[Alarm] = []

    # -- feeding --------------------------------------------------------------------------------

    def feed(self, t_s: float, temps_c: Mapping[str, float], flow_l_min: float | None = None,
             reservoir_l: float | None = None) -> list[Alarm]:
        """Process one time point: any subset of probes (missing or NaN = no reading)."""
        self._advance(t_s)
        new: list[Alarm] = []
        for name, value in temps_c.items():
            self._probe_value(t_s, name, value, new)
        self._after_values(t_s, temps_c, flow_l_min, reservoir_l, new)
        return new

    def feed_batch(self, batch: SampleBatch) -> list[Alarm]:
        """Process a run of samples in time order; returns the alarms announced, in order."""
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
            self._after_values(t, present, flows[i] if flows is not None else None, None, new)
        return new

    def check(self, t_s: float) -> list[Alarm]:
        """Clock tick without data (live use): every probe overdue at ``t_s`` is silent, and
        silent probes keep re-alarming. Unlike :meth:`feed`, a feed that died is noticed."""
        self._advance(t_s)
        new: list[Alarm] = []
        for state in self._probes.values():
            self._check_silent(t_s, state, new)
        return new

    def acknowledge(self, alarm_type: AlarmType | str, probe: str | None, *, by: str,
                    t_s: float | None = None) -> AlarmLife | None:
        """Acknowledge the active episode of ``alarm_type`` on ``probe`` (``None`` for flow,
        gradient and target alarms) at ``t_s`` (default: the last sample's time).

        Returns the episode's life after the acknowledgement, or None when that condition is not
        active (already cleared: nothing to silence). The episode stays quiet until it worsens.
        """
        try:
            kind = AlarmType(alarm_type)
        except ValueError:
            raise InvalidInput("type", f"unknown alarm type {alarm_type!r}") from None
        if not by.strip():
            raise InvalidInput("by", "who acknowledges must be named")
        cond = self._conditions.get((kind, probe))
        if cond is None or not cond.active:
            return None
        when = self._last_t if t_s is None else float(t_s)
        cond.acknowledge(when if when is not None else 0.0, by.strip(), cond.current)
        life = self._lives[cond.episode] = cond.life()
        return life

    def lives(self) -> tuple[AlarmLife, ...]:
        """Every episode so far (active ones as of the last sample), in the order raised."""
        for cond in self._conditions.values():
            if cond.active:
                self._lives[cond.episode] = cond.life()
        return tuple(self._lives[k] for k in sorted(self._lives))

    # -- internals ------------------------------------------------------------------------------

    def _advance(self, t_s: float) -> None:
        t_s = float(t_s)
        if not math.isfinite(t_s):
            raise InvalidInput("t_s", "sample time must be a finite number of seconds")
        if self._last_t is None:
            for name in self._expected:
                self._probes[name] = ProbeState(name, self, t_s)
        elif t_s < self._last_t:
            raise InvalidInput(
                "t_s", f"sample at {t_s:g} s is earlier than the previous one at {self._last_t:g} s")
        self._last_t = t_s

    @property
    def under_c(self) -> float:
        """Under-temperature threshold: the target's low end less the margin, C."""
        return self._under_c

    def existing(self, kind: AlarmType, probe: str | None) -> Condition | None:
        """The condition of ``kind`` on ``probe`` if a rule has created it."""
        return self._conditions.get((kind, probe))

    def condition(self, kind: AlarmType, probe: str | None, sustain_s: float,
                  higher_is_worse: bool, worsen_by: float) -> Condition:
        """The condition of ``kind`` on ``probe``, created on first use (used by the rules)."""
        key = (kind, probe)
        cond = self._conditions.get(key)
        if cond is None:
            cond = self._conditions[key] = Condition(kind, probe, sustain_s, higher_is_worse,
                                                     worsen_by)
        return cond

    def update(self, cond: Condition, t: float, met: bool, cleared: bool, value: float,
               limit: float | None, message: str, new: list[Alarm],
               predicted_crossing_s: float | None = None, onset_s: float | None = None) -> None:
        """Advance ``cond`` and announce what it raises (used by the rules); ``onset_s``
        overrides when the condition began (a silent probe: its last reading)."""
        was_active = cond.active
        cond.current = value
        r = cond.update(t, met, cleared, value, self.config.repeat_s, len(self._lives) + 1, limit,
                        self.config.reopen_s)
        if r is None:
            if was_active and not cond.active:
                self._lives[cond.episode] = cond.life()
            return
        repeat = f" (repeat, level {r.level})" if r.repeat else ""
        onset = r.onset_s if onset_s is None or r.repeat else onset_s
        alarm = Alarm(float(t), cond.kind, cond.probe, float(value), message + repeat,
                      float(onset), r.level, limit, r.episode, predicted_crossing_s)
        self._lives[r.episode] = cond.life()
        new.append(alarm)
        self.alarms.append(alarm)

    def armed_after_warm_up(self, t: float) -> bool:
        """Under-temperature and gradient rules: after the plateau or the warm-up allowance."""
        if self.plateau_start_s is not None:
            return True
        return self.start_s is not None and t >= self.start_s + 60 * self.prescription.reach_target_min

    def _probe_value(self, t: float, name: str, v: float, new: list[Alarm]) -> None:
        if math.isnan(v):
            return
        state = self._probes.get(name)
        if state is None:
            state = self._probes[name] = ProbeState(name, self, t)
        state.value(t, v, new)

    def _check_silent(self, t: float, state: ProbeState, new: list[Alarm]) -> None:
        state.check_silent(t, new)

    def _after_values(self, t: float, present: Mapping[str, float], flow: float | None,
                      reservoir: float | None, new: list[Alarm]) -> None:
        for name, state in self._probes.items():
            if math.isnan(present.get(name, math.nan)):
                self._check_silent(t, state, new)
        rx, cfg = self.prescription, self.config
        flow_ok = flow is None or math.isnan(flow) or flow >= rx.flow_min_l_min
        if self.start_s is None and flow_ok:
            self.start_s = t
        self._track_therapeutic(t)
        if self.plateau_start_s is None:
            self._check_plateau(t)
        if flow is not None and not math.isnan(flow):
            cond = self.condition(AlarmType.FLOW_LOW, None, cfg.flow_sustain_s, False,
                                  cfg.worsen_l_min)
            self.update(cond, t, flow < rx.flow_min_l_min,
                        flow >= rx.flow_min_l_min + cfg.hysteresis_l_min, flow, rx.flow_min_l_min,
                        f"flow {flow:.2f} L/min below {rx.flow_min_l_min:g} L/min", new)
        if reservoir is not None and not math.isnan(reservoir) and rx.reservoir_min_l is not None:
            cond = self.condition(AlarmType.RESERVOIR_LOW, None, cfg.flow_sustain_s, False,
                                  cfg.worsen_l_min)
            self.update(cond, t, reservoir < rx.reservoir_min_l,
                        reservoir >= rx.reservoir_min_l + cfg.hysteresis_l_min, reservoir,
                        rx.reservoir_min_l,
                        f"reservoir {reservoir:.2f} L below {rx.reservoir_min_l:g} L", new)
        self._gradient(t, new)
        self._target(t, new)

    def _ip_values(self, t: float) -> list[float]:
        quiet = self.config.silent_after_s
        return [s.last_c for s in self._probes.values()
                if s.intraperitoneal and not math.isnan(s.last_c) and t - s.last_t < quiet]

    def _track_therapeutic(self, t: float) -> None:
        prev = self._prev_t
        if prev is not None and self._therapeutic_now and self.start_s is not None:
            self.therapeutic_s += min(t - prev, self.config.max_gap_s)
        self._prev_t = t
        values = self._ip_values(t)
        self._therapeutic_now = bool(values) and min(values) >= self._under_c
        if not self._reached and values and max(values) >= self.prescription.target_low_c:
            self._reached = True

    def _target(self, t: float, new: list[Alarm]) -> None:
        if self.start_s is None:
            return
        rx = self.prescription
        deadline = self.start_s + 60 * rx.reach_target_min
        need_s = 60 * rx.duration_min
        left_s = max(0.0, deadline + need_s - t)
        shortfall_min = max(0.0, need_s - self.therapeutic_s - left_s) / 60.0
        behind = self.therapeutic_s < need_s and (not self._reached or shortfall_min > 0)
        met = t >= deadline - 1e-9 and behind
        if not met and (AlarmType.TARGET_NOT_REACHED, None) not in self._conditions:
            return
        cond = self.condition(AlarmType.TARGET_NOT_REACHED, None, 0.0, True,
                              self.config.worsen_target_min)
        values = self._ip_values(t)
        if not self._reached:
            hottest = f"{max(values):.2f} C" if values else "no reading"
            message = (f"no intraperitoneal probe reached {rx.target_low_c:g} C within "
                       f"{rx.reach_target_min:g} min (hottest {hottest})")
        else:
            message = (f"time in range {self.therapeutic_s / 60:.1f} min cannot reach the "
                       f"prescribed {rx.duration_min:g} min: {shortfall_min:.1f} min short")
        self.update(cond, t, met, not met, shortfall_min, rx.duration_min, message, new)

    def _gradient(self, t: float, new: list[Alarm]) -> None:
        inflow, outflow = self._probes.get("inflow"), self._probes.get("outflow")
        if inflow is None or outflow is None or not self.armed_after_warm_up(t):
            return
        quiet = self.config.silent_after_s
        if t - inflow.last_t >= quiet or t - outflow.last_t >= quiet:
            return
        gradient = inflow.last_c - outflow.last_c
        if math.isnan(gradient):
            return
        rx, cfg = self.prescription, self.config
        cond = self.condition(AlarmType.GRADIENT_HIGH, None, cfg.gradient_sustain_s, True,
                              cfg.worsen_c)
        self.update(cond, t, gradient > rx.gradient_max_c,
                    gradient <= rx.gradient_max_c - cfg.hysteresis_c, gradient, rx.gradient_max_c,
                    f"inflow - outflow {gradient:.2f} C above {rx.gradient_max_c:g} C", new)

    def _check_plateau(self, t: float) -> None:
        low, high = self.target_c
        seen = False
        for state in self._probes.values():
            if not state.intraperitoneal:
                continue
            if not (low <= state.last_c <= high):  # also False for NaN: not yet heard
                return
            seen = True
        if seen:
            self.plateau_start_s = t
