"""Analysis of a whole perfusion: plateau, per-probe temperatures and thermal dose, alarms.

Definitions (issue 6, item 4; the centre's HIPEC protocol, clinical reference section 3):

- *Plateau start*: the first sample at which every intraperitoneal probe (``ip_*``) that reports
  at all reads within the target range (default 42-43 C). Found by the same
  :class:`~rareonco.hipec.alarms.AlarmMonitor` that raises the alarms, so the under-temperature
  rule and the plateau agree.
- *Plateau end* (end of perfusion): the last sample at which the pump ran (flow at or above the
  flow alarm minimum), or the last sample of the log when it has no flow column.
- Per probe: minimum, maximum and mean over the plateau (the period the protocol requires to stay
  in range; over the whole log when no plateau was reached); time in range and CEM43 over the
  whole log, as the dose accrues during warm-up too, from :func:`rareonco.clinical.thermal.thermal_dose`
  (Sapareto and Dewey 1984) with NaN samples left out and intervals longer than ``max_gap_s``
  excluded and stated: each probe says which fraction of the perfusion its data covers
  (``coverage``: dosed time over the perfusion from pump start to end) and how many minutes were
  gaps. A probe sampled more sparsely than ``max_gap_s`` is refused with an error naming the
  probe and its sampling interval (issue 19: never a silent zero dose).
- Alarms: every announcement (``alarms``) and every episode's life (``alarm_lives``: raised,
  repeated and escalated, acknowledged by whom and when, cleared), from the prescription's
  limits (:class:`~rareonco.hipec.prescription.Prescription`); acknowledgements given to
  :func:`analyse` are applied at their times, as a live monitor would have received them.
- *Therapeutic time* (``time_in_range_min``): the engine's count of minutes during which every
  reporting intraperitoneal probe stood at or above the target's low end minus the under
  margin, the time ``target_not_reached`` weighs against the prescribed duration.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from rareonco.clinical.thermal import MAX_TEMP_C, MIN_TEMP_C, thermal_dose
from rareonco.errors import InvalidInput

from .alarms import Alarm, AlarmConfig, AlarmMonitor
from .lifecycle import AlarmLife, AlarmType
from .perfusion import DataQualityFinding, PerfusionLog, SampleBatch
from .prescription import Prescription

__all__ = ["Acknowledge", "Analysis", "Plateau", "ProbeSummary", "analyse"]

#: Intervals between a probe's valid samples longer than this are gaps (not dosed).
DEFAULT_MAX_GAP_S = 30.0


@dataclass(frozen=True)
class Plateau:
    """Plateau window in seconds from the start of the log; either bound may be unknown."""

    start_s: float | None
    end_s: float | None

    @property
    def duration_min(self) -> float | None:
        if self.start_s is None or self.end_s is None:
            return None
        return (self.end_s - self.start_s) / 60.0


@dataclass(frozen=True)
class ProbeSummary:
    """One probe over the perfusion; temperatures in C, durations in minutes, ``None`` if no data."""

    probe: str
    min_c: float | None
    max_c: float | None
    mean_c: float | None
    time_in_range_min: float
    cem43_min: float
    n_samples: int
    #: Fraction (0-1) of the perfusion (pump start to end) covered by dosed intervals.
    coverage: float = 0.0
    #: Minutes between this probe's first and last sample left out as gaps.
    gap_min: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "min_c": _r(self.min_c, 2),
            "max_c": _r(self.max_c, 2),
            "mean_c": _r(self.mean_c, 2),
            "time_in_range_min": _r(self.time_in_range_min, 2),
            "cem43_min": _r(self.cem43_min, 2),
            "coverage": _r(self.coverage, 3),
            "gap_min": _r(self.gap_min, 2),
        }


@dataclass(frozen=True)
class Acknowledge:
    """An acknowledgement to apply while analysing: ``by`` acknowledged the active episode of
    ``type`` on ``probe`` at ``t_s`` (seconds from the start of the log)."""

    t_s: float
    type: AlarmType
    probe: str | None
    by: str


@dataclass(frozen=True)
class Analysis:
    """Result of :func:`analyse`."""

    target_c: tuple[float, float]
    plateau: Plateau
    probes: dict[str, ProbeSummary]
    alarms: tuple[Alarm, ...]
    data_quality: tuple[DataQualityFinding, ...]
    alarm_lives: tuple[AlarmLife, ...] = ()
    prescription: Prescription | None = None
    time_in_range_min: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``rareonco hipec analyse --json`` (issues 6 and 19)."""
        return {
            "plateau": {
                "start_s": _r(self.plateau.start_s, 3),
                "end_s": _r(self.plateau.end_s, 3),
            },
            "probes": {name: s.to_dict() for name, s in self.probes.items()},
            "time_in_range_min": _r(self.time_in_range_min, 2),
            "alarms": [a.to_dict() for a in self.alarms],
            "alarm_lives": [life.to_dict() for life in self.alarm_lives],
            "data_quality": [f.to_dict() for f in self.data_quality],
            "target_c": list(self.target_c),
            "prescription": None if self.prescription is None else self.prescription.to_dict(),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def analyse(
    log: PerfusionLog,
    target_c: tuple[float, float] = (42.0, 43.0),
    config: AlarmConfig | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    prescription: Prescription | None = None,
    acknowledgements: tuple[Acknowledge, ...] = (),
) -> Analysis:
    """Analyse a perfusion log: plateau, per-probe summary, alarms and their lives, data quality.

    Parameters
    ----------
    log : a cleaned log (from :func:`rareonco.hipec.logfile.parse_csv` or the simulator).
    target_c : (low, high) intraperitoneal target range, C; used when ``prescription`` is None.
    config : alarm timing; defaults of :class:`AlarmConfig`.
    max_gap_s : seconds; longer intervals between a probe's samples are gaps (not dosed).
    prescription : target and limits; default: :class:`Prescription` around ``target_c``.
    acknowledgements : applied in time order while the log is fed.

    Raises
    ------
    InvalidInput
        a probe sampled more sparsely than ``max_gap_s`` (field ``max_gap_s``, naming the probe
        and its sampling interval), or a bad prescription.
    """
    config = config or AlarmConfig()
    if prescription is None:
        low, high = (float(v) for v in target_c)
        prescription = Prescription(target_low_c=low, target_high_c=high)
    reporting = [p for p, v in log.probes_c.items() if np.isfinite(v).any()]
    monitor = AlarmMonitor(config, probes=reporting, prescription=prescription)
    _feed(monitor, log, sorted(acknowledgements, key=lambda a: a.t_s))
    plateau = Plateau(monitor.plateau_start_s, _perfusion_end(log, prescription))
    if (
        plateau.start_s is not None
        and plateau.end_s is not None
        and plateau.end_s < plateau.start_s
    ):
        plateau = Plateau(plateau.start_s, None)
    span = _span(log, monitor.start_s, plateau.end_s)
    probes = {
        name: _summarise(name, log.t_s, temps, monitor.target_c, plateau, max_gap_s, span)
        for name, temps in log.probes_c.items()
    }
    return Analysis(
        monitor.target_c, plateau, probes, tuple(monitor.alarms), log.data_quality,
        monitor.lives(), prescription, monitor.therapeutic_s / 60.0,
    )


def _feed(monitor: AlarmMonitor, log: PerfusionLog, acks: list[Acknowledge]) -> None:
    start = 0
    for ack in acks:
        stop = int(np.searchsorted(log.t_s, ack.t_s, side="right"))
        if stop > start:
            monitor.feed_batch(_slice(log, start, stop))
            start = stop
        monitor.acknowledge(ack.type, ack.probe, by=ack.by, t_s=ack.t_s)
    if start < len(log):
        monitor.feed_batch(_slice(log, start, len(log)))


def _slice(log: SampleBatch, a: int, b: int) -> SampleBatch:
    return SampleBatch(log.t_s[a:b], {k: v[a:b] for k, v in log.probes_c.items()},
                       None if log.flow_l_min is None else log.flow_l_min[a:b])


def _span(log: PerfusionLog, start_s: float | None, end_s: float | None) -> tuple[float, float]:
    """The perfusion's time span (pump start to end), s, for the coverage fractions."""
    if not len(log):
        return (0.0, 0.0)
    a = start_s if start_s is not None else float(log.t_s[0])
    b = end_s if end_s is not None and end_s > a else float(log.t_s[-1])
    return (a, b)


def _perfusion_end(log: PerfusionLog, prescription: Prescription) -> float | None:
    if not len(log):
        return None
    if log.flow_l_min is None:
        return float(log.t_s[-1])
    running = np.flatnonzero(log.flow_l_min >= prescription.flow_min_l_min)
    return float(log.t_s[running[-1]]) if running.size else None


def _summarise(
    name: str,
    t_s: np.ndarray,
    temps_c: np.ndarray,
    target_c: tuple[float, float],
    plateau: Plateau,
    max_gap_s: float,
    span: tuple[float, float],
) -> ProbeSummary:
    valid = np.isfinite(temps_c) & (temps_c >= MIN_TEMP_C) & (temps_c <= MAX_TEMP_C)
    t, temp = t_s[valid], temps_c[valid]
    if t.size == 0:
        return ProbeSummary(name, None, None, None, 0.0, 0.0, 0)
    try:
        dose = thermal_dose(t, temp, target_c=target_c, max_gap_s=max_gap_s)
    except InvalidInput as exc:
        if exc.field != "t_s":
            raise
        raise InvalidInput("max_gap_s", f"probe {name}: {exc.reason}") from None
    covered_s = _covered_s(t, max_gap_s, span)
    span_s = span[1] - span[0]
    window = temp
    if plateau.start_s is not None:
        end = plateau.end_s if plateau.end_s is not None else math.inf
        in_plateau = (t >= plateau.start_s) & (t <= end)
        if in_plateau.any():
            window = temp[in_plateau]
    return ProbeSummary(
        probe=name,
        min_c=float(window.min()),
        max_c=float(window.max()),
        mean_c=float(window.mean()),
        time_in_range_min=dose.time_in_range_min,
        cem43_min=dose.cem43_min,
        n_samples=int(t.size),
        coverage=covered_s / span_s if span_s > 0 else 0.0,
        gap_min=dose.gap_min,
    )


def _covered_s(t: np.ndarray, max_gap_s: float, span: tuple[float, float]) -> float:
    """Seconds of ``span`` covered by intervals between samples no longer than ``max_gap_s``."""
    if t.size < 2:
        return 0.0
    a = np.clip(t[:-1], *span)
    b = np.clip(t[1:], *span)
    dosed = np.diff(t) <= max_gap_s
    return float(np.sum((b - a)[dosed]))


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)
