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
  excluded.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from rareonco.clinical.thermal import MAX_TEMP_C, MIN_TEMP_C, thermal_dose

from .alarms import Alarm, AlarmConfig, AlarmMonitor
from .perfusion import DataQualityFinding, PerfusionLog

__all__ = ["Analysis", "Plateau", "ProbeSummary", "analyse"]

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

    def to_dict(self) -> dict[str, object]:
        return {
            "min_c": _r(self.min_c, 2),
            "max_c": _r(self.max_c, 2),
            "mean_c": _r(self.mean_c, 2),
            "time_in_range_min": _r(self.time_in_range_min, 2),
            "cem43_min": _r(self.cem43_min, 2),
        }


@dataclass(frozen=True)
class Analysis:
    """Result of :func:`analyse`."""

    target_c: tuple[float, float]
    plateau: Plateau
    probes: dict[str, ProbeSummary]
    alarms: tuple[Alarm, ...]
    data_quality: tuple[DataQualityFinding, ...]

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``rareonco hipec analyse --json`` (issue 6)."""
        return {
            "plateau": {
                "start_s": _r(self.plateau.start_s, 3),
                "end_s": _r(self.plateau.end_s, 3),
            },
            "probes": {name: s.to_dict() for name, s in self.probes.items()},
            "alarms": [a.to_dict() for a in self.alarms],
            "data_quality": [f.to_dict() for f in self.data_quality],
            "target_c": list(self.target_c),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def analyse(
    log: PerfusionLog,
    target_c: tuple[float, float] = (42.0, 43.0),
    config: AlarmConfig | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
) -> Analysis:
    """Analyse a perfusion log: plateau, per-probe summary, alarms, data-quality findings.

    Parameters
    ----------
    log : a cleaned log (from :func:`rareonco.hipec.logfile.parse_csv` or the simulator).
    target_c : (low, high) intraperitoneal target range, C.
    config : alarm thresholds; defaults of :class:`AlarmConfig`.
    max_gap_s : seconds; longer intervals between a probe's samples are excluded from its dose.
    """
    config = config or AlarmConfig()
    reporting = [p for p, v in log.probes_c.items() if np.isfinite(v).any()]
    monitor = AlarmMonitor(config, target_c, probes=reporting)
    if len(log):
        monitor.feed_batch(log)
    plateau = Plateau(monitor.plateau_start_s, _perfusion_end(log, config))
    if (
        plateau.start_s is not None
        and plateau.end_s is not None
        and plateau.end_s < plateau.start_s
    ):
        plateau = Plateau(plateau.start_s, None)
    probes = {
        name: _summarise(name, log.t_s, temps, monitor.target_c, plateau, max_gap_s)
        for name, temps in log.probes_c.items()
    }
    return Analysis(
        monitor.target_c, plateau, probes, tuple(monitor.alarms), log.data_quality
    )


def _perfusion_end(log: PerfusionLog, config: AlarmConfig) -> float | None:
    if not len(log):
        return None
    if log.flow_l_min is None:
        return float(log.t_s[-1])
    running = np.flatnonzero(log.flow_l_min >= config.flow_min_l_min)
    return float(log.t_s[running[-1]]) if running.size else None


def _summarise(
    name: str,
    t_s: np.ndarray,
    temps_c: np.ndarray,
    target_c: tuple[float, float],
    plateau: Plateau,
    max_gap_s: float,
) -> ProbeSummary:
    valid = np.isfinite(temps_c) & (temps_c >= MIN_TEMP_C) & (temps_c <= MAX_TEMP_C)
    t, temp = t_s[valid], temps_c[valid]
    if t.size == 0:
        return ProbeSummary(name, None, None, None, 0.0, 0.0, 0)
    dose = thermal_dose(t, temp, target_c=target_c, max_gap_s=max_gap_s)
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
    )


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)
