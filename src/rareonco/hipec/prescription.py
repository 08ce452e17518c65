"""The perfusion prescription: the target and the limits every alarm rule is relative to.

A :class:`Prescription` is what the surgeon and perfusionist agreed for this perfusion. The alarm
engine (:mod:`rareonco.hipec.alarms`) derives its thresholds from it, so a 40-41 C prescription
alarms at 41.5 C in the abdomen and a 42-43 C one at 43.5 C, instead of one fixed limit for every
perfusion (issue 19, item 1).

Defaults and where they come from (be aware which are published and which are centre practice):

======================  =======  ==============================================================
field                   default  source
======================  =======  ==============================================================
target_low/high_c       42-43 C  intraperitoneal target 41-43 C in HIPEC practice (PSOGI
                                 consensus practice and MD Anderson reports; clinical reference
                                 section 3); 42-43 C is the centre's DSRCT protocol
                                 (Hayes-Jordan et al., Ann Surg Oncol 2010: cisplatin HIPEC at
                                 40-42+ C, the centre uses the upper part of the range).
over_margin_c           0.5 C    centre practice: an intraperitoneal probe more than 0.5 C above
                                 the top of the target (43.5 C for 42-43) is too hot; it is the
                                 limit of the previous fixed engine, now made relative.
inflow_max_c            hi+1.5   clinical reference section 3: "inflow typically 1-2 C above" the
                                 abdomen; the limit sits half-way into that band above the top of
                                 the target (44.5 C for 42-43, the previous engine's fixed value).
                                 Centre practice, not a published number.
gradient_max_c          3.0 C    centre practice: inflow minus outflow is 1.5-2 C on a well
                                 mixed abdomen at 1-2 L/min; more than 3 C after the warm-up
                                 means poor distribution or low flow. Not a published number.
flow_min_l_min          0.5      centre practice (the previous engine's limit); nominal flow
                                 1-2 L/min (clinical reference section 3).
reservoir_min_l         None     only when the machine logs the reservoir volume; the centre sets
                                 it per circuit (no published value).
core_max_c              39.0 C   systemic hyperthermia: anaesthesia reports of CRS-HIPEC describe
                                 core (oesophageal or bladder) temperature rising to 38-39 C and
                                 active cooling to keep it below about 39-39.5 C (e.g. Schmidt C
                                 et al., J Surg Oncol 2008;98:297-301; Raspe C et al., Eur J Surg
                                 Oncol 2017). 39.0 C is the lower, safer end; verify against the
                                 centre's anaesthesia protocol.
reach_target_min        15 min   centre practice: a primed, pre-warmed circuit brings the abdomen
                                 into range in 5-15 min; a longer warm-up is itself a fault.
duration_min            60 min   clinical reference section 3: 30-90 min in practice, 60 min in
                                 the centre's protocol (also the procedure record's default).
======================  =======  ==============================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from rareonco.errors import InvalidInput

__all__ = ["Prescription"]

_TEMP_RANGE_C = (20.0, 50.0)


@dataclass(frozen=True)
class Prescription:
    """Target and limits of one perfusion; temperatures in C, flow in L/min, times in minutes.

    ``inflow_max_c`` ``None`` means ``target_high_c + 1.5``. ``reservoir_min_l`` ``None`` means
    the reservoir volume is not watched. See the module docstring for every default's source.
    """

    target_low_c: float = 42.0
    target_high_c: float = 43.0
    over_margin_c: float = 0.5
    inflow_max_c: float | None = None
    gradient_max_c: float = 3.0
    flow_min_l_min: float = 0.5
    reservoir_min_l: float | None = None
    core_max_c: float = 39.0
    reach_target_min: float = 15.0
    duration_min: float = 60.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if not (isinstance(value, int | float) and math.isfinite(value)):
                raise InvalidInput(f.name, f"must be a finite number, got {value!r}")
        lo, hi = _TEMP_RANGE_C
        if not (lo <= self.target_low_c < self.target_high_c <= hi):
            raise InvalidInput(
                "target_c",
                f"need {lo:g} <= low < high <= {hi:g} C, got "
                f"{self.target_low_c:g}-{self.target_high_c:g}",
            )
        for name in ("over_margin_c", "gradient_max_c", "flow_min_l_min", "reach_target_min",
                     "duration_min"):
            if getattr(self, name) <= 0:
                raise InvalidInput(name, f"must be positive, got {getattr(self, name)!r}")
        if self.inflow_max_c is not None and self.inflow_max_c <= self.target_high_c:
            raise InvalidInput(
                "inflow_max_c",
                f"{self.inflow_max_c:g} C must lie above the target's top {self.target_high_c:g} C",
            )
        if self.reservoir_min_l is not None and self.reservoir_min_l <= 0:
            raise InvalidInput("reservoir_min_l", "must be positive litres")
        if not (lo <= self.core_max_c <= hi):
            raise InvalidInput("core_max_c", f"must be within {lo:g}-{hi:g} C")

    @property
    def target_c(self) -> tuple[float, float]:
        return (self.target_low_c, self.target_high_c)

    @property
    def intraperitoneal_max_c(self) -> float:
        """Over-temperature limit of an intraperitoneal probe: the target's top plus the margin."""
        return self.target_high_c + self.over_margin_c

    @property
    def circuit_max_c(self) -> float:
        """Limit of a circuit probe (inflow, outflow, reservoir)."""
        return self.inflow_max_c if self.inflow_max_c is not None else self.target_high_c + 1.5

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["intraperitoneal_max_c"] = self.intraperitoneal_max_c
        out["circuit_max_c"] = self.circuit_max_c
        return out
