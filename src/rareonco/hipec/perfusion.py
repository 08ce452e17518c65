"""Value objects of a HIPEC perfusion record: the log, its samples and data-quality findings.

Probe naming convention (what perfusion machines export and what the centre's protocol uses):
probes whose name starts with ``ip_`` are *intraperitoneal* (in the abdomen, e.g. ``ip_upper``,
``ip_pelvis``); *core* probes measure the patient's core temperature (``core``, ``core_*``,
``oesophageal``, ``esophageal``, ``bladder``, ``rectal``, ``nasopharyngeal``: systemic
hyperthermia); every other probe (``inflow``, ``outflow``, ``reservoir``) is a *circuit* probe.
The plateau and the under-temperature rule look at intraperitoneal probes only; the
over-temperature rule has its own limit for each kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

__all__ = [
    "DataQualityFinding",
    "PerfusionLog",
    "SampleBatch",
    "is_core",
    "is_intraperitoneal",
]

INTRAPERITONEAL_PREFIX = "ip_"
CORE_NAMES = frozenset(
    {"core", "oesophageal", "esophageal", "bladder", "rectal", "nasopharyngeal"}
)


def is_intraperitoneal(probe: str) -> bool:
    """True for an intraperitoneal probe (name starting with ``ip_``)."""
    return probe.startswith(INTRAPERITONEAL_PREFIX)


def is_core(probe: str) -> bool:
    """True for a patient core-temperature probe (oesophageal, bladder...)."""
    return probe in CORE_NAMES or probe.startswith("core_")


@dataclass(frozen=True)
class DataQualityFinding:
    """A defect of the record that was repaired or worked around, not a reason to reject it.

    ``t_s`` is the time of the (first) affected sample in seconds from the start of the log, or
    ``None`` for a finding about the whole file (an ignored column, a missing flow column).
    """

    t_s: float | None
    issue: str

    def to_dict(self) -> dict[str, object]:
        return {"t_s": _round_s(self.t_s), "issue": self.issue}


@dataclass(frozen=True, eq=False)
class SampleBatch:
    """A run of samples: the unit fed to the alarm engine and produced by the simulator.

    ``t_s`` : 1-D float array, seconds, increasing.
    ``probes_c`` : probe name -> 1-D float array of C, same length, NaN where the probe did not
    report.
    ``flow_l_min`` : 1-D float array of L/min (NaN where missing), or ``None`` without a flow meter.
    """

    t_s: np.ndarray
    probes_c: Mapping[str, np.ndarray]
    flow_l_min: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.t_s.size)


@dataclass(frozen=True, eq=False)
class PerfusionLog(SampleBatch):
    """A whole perfusion record, cleaned: times strictly increasing, implausible values as NaN.

    ``started_at`` is the wall-clock time of ``t_s == 0`` when the export had ISO 8601 times.
    ``data_quality`` lists what was repaired while reading it.
    """

    started_at: datetime | None = None
    data_quality: tuple[DataQualityFinding, ...] = field(default=())

    @property
    def probes(self) -> tuple[str, ...]:
        return tuple(self.probes_c)

    @property
    def intraperitoneal_probes(self) -> tuple[str, ...]:
        return tuple(p for p in self.probes_c if is_intraperitoneal(p))

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if self.t_s.size else 0.0


def _round_s(t_s: float | None) -> float | None:
    return None if t_s is None else round(float(t_s), 3)
