"""Planning a course: regimen, start date and body size to a dose sheet and a calendar.

Pure: takes values, returns frozen value objects. Body surface area and every dose come from
:mod:`rareonco.clinical.dosing` (one implementation of the arithmetic, with its sources); this
module only applies the regimen's data to it.

Dose per day = per-m2 dose x BSA (or per-kg dose x weight), capped at the protocol cap, then any
dose modification applied (see :func:`rareonco.clinical.dosing.dose_mg` for the order). A cap "per
course" (P6 vincristine: 2 mg over the 72-hour infusion) is spread evenly over the days.

Two protocol rules change the prescription itself: a ``variant`` replaces named blocks (P6
"previously-treated": ifosfamide 12 g/m2 and etoposide 1000 mg/m2, Kushner 1996), and a drug's
``young_child`` rule doses per kg below an age (P6 cyclophosphamide 70 mg/kg/day under 10 years,
Kushner 1995). Without ``age_years`` the per-kg rule cannot apply and the plan is per m2, as before.

Calendar: nominal dates, as if every cycle starts on time; courses start when counts recover, so
the real dates are recorded as they happen and the safety checks use those.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rareonco.clinical.dosing import bsa_m2 as _bsa_m2
from rareonco.clinical.dosing import dose_mg as _dose_mg
from rareonco.errors import InvalidInput

from .library import get_regimen
from .schema import ANTHRACYCLINES, CycleSpec, DrugSpec, Regimen

__all__ = ["CoursePlan", "CyclePlan", "DoseModifications", "DrugDose", "plan_course"]

#: Drug name -> percent for every cycle, or (cycle number, drug name) -> percent for one cycle
#: (the more specific key wins). 100 = full protocol dose.
DoseModifications = Mapping[str | tuple[int, str], float]


@dataclass(frozen=True)
class DrugDose:
    """One drug of one cycle on the dose sheet. Masses in mg; ``mg_per_day`` is given each day."""

    drug: str
    route: str
    infusion: str | None
    days: tuple[int, ...]
    dates: tuple[date, ...]
    dose_per_m2_mg: float | None
    dose_per_kg_mg: float | None
    modification_pct: float
    mg_per_day: float
    uncapped_mg_per_day: float
    #: The protocol dose for this patient (cap applied, no modification): the reference the
    #: 10 % deviation rule compares a given dose with.
    protocol_mg_per_day: float
    total_mg: float
    capped: bool
    cap_mg: float | None
    cap_per: str | None
    cap_source: str | None
    #: The protocol rule that replaced the per-m2 dose (P6 under 10 years), with its source.
    dosing_rule: str | None = None

    def to_dict(self) -> dict[str, object]:
        extra: dict[str, object] = {} if self.dosing_rule is None else {"dosing_rule": self.dosing_rule}
        return extra | {
            "drug": self.drug,
            "dose_per_m2_mg": self.dose_per_m2_mg,
            "dose_per_kg_mg": self.dose_per_kg_mg,
            "days": list(self.days),
            "dates": [d.isoformat() for d in self.dates],
            "route": self.route,
            "infusion": self.infusion,
            "modification_pct": self.modification_pct,
            "mg_per_day": _mg(self.mg_per_day),
            "uncapped_mg_per_day": _mg(self.uncapped_mg_per_day),
            "total_mg": _mg(self.total_mg),
            "capped": self.capped,
            "cap_mg": self.cap_mg,
            "cap_per": self.cap_per,
            "cap_source": self.cap_source,
        }


@dataclass(frozen=True)
class CyclePlan:
    number: int
    block: str | None
    phase: str | None
    start: date
    #: Last day of the cycle (the day before the next cycle would start).
    end: date
    drugs: tuple[DrugDose, ...]
    #: Supportive drugs the protocol names for this cycle's drugs, as "drug: schedule" text.
    supportive: tuple[str, ...]

    def drug(self, name: str) -> DrugDose:
        for d in self.drugs:
            if d.drug == name:
                return d
        raise KeyError(name)

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "block": self.block,
            "phase": self.phase,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "drugs": [d.to_dict() for d in self.drugs],
            "supportive": list(self.supportive),
        }


@dataclass(frozen=True)
class CoursePlan:
    regimen: str
    regimen_name: str
    regimen_version: str
    regimen_status: str
    start: date
    height_cm: float
    weight_kg: float
    bsa_formula: str
    bsa_m2: float
    cycles: tuple[CyclePlan, ...]
    variant: str | None = None
    age_years: float | None = None

    @property
    def planned_anthracycline_mg_m2(self) -> float:
        """Per-m2 anthracycline planned over the course (as prescribed, before caps)."""
        return sum(
            (d.dose_per_m2_mg or 0.0) * len(d.days) * d.modification_pct / 100.0
            for c in self.cycles
            for d in c.drugs
            if d.drug in ANTHRACYCLINES
        )

    def to_dict(self) -> dict[str, object]:
        """The plan as JSON-ready data (mg rounded to 0.01 mg, BSA to 0.0001 m2). ``variant`` and
        ``age_years`` appear only when given, so a default plan's JSON is unchanged."""
        extra: dict[str, object] = {k: v for k, v in (("variant", self.variant),
                                                      ("age_years", self.age_years)) if v is not None}
        return extra | {
            "regimen": self.regimen,
            "regimen_name": self.regimen_name,
            "regimen_version": self.regimen_version,
            "regimen_status": self.regimen_status,
            "start": self.start.isoformat(),
            "height_cm": self.height_cm,
            "weight_kg": self.weight_kg,
            "bsa_formula": self.bsa_formula,
            "bsa_m2": round(self.bsa_m2, 4),
            "planned_anthracycline_mg_m2": round(self.planned_anthracycline_mg_m2, 2),
            "cycles": [c.to_dict() for c in self.cycles],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _mg(value: float) -> float:
    return round(value, 2)


def plan_course(
    regimen: Regimen | str,
    start: date,
    height_cm: float,
    weight_kg: float,
    bsa_formula: str = "mosteller",
    dose_modifications: DoseModifications | None = None,
    n_cycles: int | None = None,
    *,
    age_years: float | None = None,
    variant: str | None = None,
) -> CoursePlan:
    """Plan every cycle of ``regimen`` from ``start``: dates and a dose per drug per day.

    Parameters
    ----------
    regimen : Regimen or str
        A loaded regimen or a bundled regimen id (case-insensitive).
    start : datetime.date
        Day 1 of cycle 1.
    height_cm, weight_kg : float
        Body size; BSA in m2 by ``bsa_formula`` (``mosteller``, ``dubois``, ``haycock``).
    dose_modifications : mapping, optional
        Percent of the protocol dose: ``{"doxorubicin": 75}`` for every cycle, or
        ``{(3, "doxorubicin"): 75}`` for cycle 3 only.
    n_cycles : int, optional
        Plan only the first ``n_cycles``; above the listed cycles only for a regimen that repeats
        until progression (the last cycle is repeated).
    age_years : float, optional
        Age on day 1; needed for a drug's ``young_child`` rule (P6 cyclophosphamide per kg under
        10 years). Without it the per-m2 dose is planned.
    variant : str, optional
        A published variant of the regimen (``reg.variants``), e.g. P6 ``previously-treated``.

    Raises InvalidInput for an unknown regimen, impossible body size, a start that is not a date,
    a modification naming a drug or cycle the regimen does not have, a bad ``n_cycles``, an age
    out of 0-120 years or an unknown variant.
    """
    reg = regimen if isinstance(regimen, Regimen) else get_regimen(regimen)
    age = _age(age_years)
    if variant is not None and variant not in reg.variants:
        known = ", ".join(sorted(reg.variants)) or "none"
        raise InvalidInput("variant", f"{reg.id} has no variant {variant!r}; known: {known}")
    if isinstance(start, datetime) or not isinstance(start, date):
        raise InvalidInput("start", f"must be a date (YYYY-MM-DD), got {start!r}")
    bsa = _bsa_m2(height_cm, weight_kg, formula=bsa_formula)
    specs = _cycle_specs(reg, n_cycles)
    mods = _modifications(reg, dose_modifications, len(specs))

    cycles: list[CyclePlan] = []
    starts = _start_days(reg, specs)
    for spec, start_day in zip(specs, starts, strict=True):
        cycle_start = start + timedelta(days=start_day - 1)
        length = _length(reg, spec)
        drugs = tuple(
            _drug_dose(d, cycle_start, bsa, float(weight_kg), _pct(mods, spec.number, d.drug), age)
            for d in reg.cycle_drugs(spec, variant)
        )
        names = {d.drug for d in spec.drugs}
        supportive = tuple(
            f"{s.drug}: {s.schedule}" for s in reg.supportive if names.intersection(s.with_drugs)
        )
        cycles.append(
            CyclePlan(
                number=spec.number,
                block=spec.block,
                phase=spec.phase,
                start=cycle_start,
                end=cycle_start + timedelta(days=length - 1),
                drugs=drugs,
                supportive=supportive,
            )
        )
    return CoursePlan(
        regimen=reg.id,
        regimen_name=reg.name,
        regimen_version=reg.version,
        regimen_status=reg.status,
        start=start,
        height_cm=float(height_cm),
        weight_kg=float(weight_kg),
        bsa_formula=bsa_formula,
        bsa_m2=bsa,
        cycles=tuple(cycles),
        variant=variant,
        age_years=age,
    )


def _age(age_years: float | None) -> float | None:
    if age_years is None:
        return None
    if isinstance(age_years, bool) or not isinstance(age_years, int | float) or not (
            0 <= age_years <= 120):
        raise InvalidInput("age_years", f"must be a number of years from 0 to 120, got {age_years!r}")
    return float(age_years)


def _cycle_specs(reg: Regimen, n_cycles: int | None) -> list[CycleSpec]:
    listed = list(reg.cycles)
    if n_cycles is None:
        return listed
    if isinstance(n_cycles, bool) or not isinstance(n_cycles, int) or n_cycles < 1:
        raise InvalidInput("n_cycles", f"must be a whole number of at least 1, got {n_cycles!r}")
    if n_cycles <= len(listed):
        return listed[:n_cycles]
    if not reg.repeat_until_progression:
        raise InvalidInput(
            "n_cycles", f"{reg.id} has {len(listed)} cycles; it is not repeated beyond them"
        )
    last = listed[-1]
    extra = [
        last.model_copy(update={"number": n, "start_day": None})
        for n in range(len(listed) + 1, n_cycles + 1)
    ]
    return listed + extra


def _length(reg: Regimen, spec: CycleSpec) -> int:
    return spec.length_days or reg.cycle_length_days


def _start_days(reg: Regimen, specs: list[CycleSpec]) -> list[int]:
    days: list[int] = []
    for i, spec in enumerate(specs):
        if spec.start_day is not None:
            days.append(spec.start_day)
        elif i == 0:
            days.append(1)
        else:
            days.append(days[-1] + _length(reg, specs[i - 1]))
    return days


def _modifications(
    reg: Regimen, mods: DoseModifications | None, n_cycles: int
) -> dict[str | tuple[int, str], float]:
    if not mods:
        return {}
    drugs = set(reg.drug_names())
    out: dict[str | tuple[int, str], float] = {}
    for key, pct in mods.items():
        if isinstance(key, tuple):
            cycle, drug = key
            if not isinstance(cycle, int) or not 1 <= cycle <= n_cycles:
                raise InvalidInput("dose_modifications", f"no cycle {cycle!r} in {reg.id}")
        else:
            drug = key
        if drug not in drugs:
            raise InvalidInput(
                "dose_modifications", f"{reg.id} does not give {drug!r}; it gives {sorted(drugs)}"
            )
        out[key] = float(pct)
    return out


def _pct(mods: Mapping[str | tuple[int, str], float], cycle: int, drug: str) -> float:
    if (cycle, drug) in mods:
        return mods[(cycle, drug)]
    return mods.get(drug, 100.0)


def _drug_dose(
    spec: DrugSpec, cycle_start: date, bsa: float, weight_kg: float, pct: float,
    age_years: float | None = None,
) -> DrugDose:
    cap_per_day = spec.cap_mg
    if spec.cap_mg is not None and spec.cap_per == "course":
        cap_per_day = spec.cap_mg / len(spec.days)
    rule = spec.young_child
    per_m2, per_kg, dosing_rule = spec.dose_per_m2_mg, spec.dose_per_kg_mg, None
    if rule is not None and age_years is not None and age_years < rule.below_age_years:
        per_m2, per_kg = None, rule.dose_per_kg_mg
        dosing_rule = (f"{rule.dose_per_kg_mg:g} mg/kg/day under {rule.below_age_years:g} years "
                       f"({' '.join(rule.source.split())})")
    kwargs = {
        "per_m2_mg": per_m2,
        "per_kg_mg": per_kg,
        "bsa_m2": bsa if per_m2 is not None else None,
        "weight_kg": weight_kg if per_kg is not None else None,
        "cap_mg": cap_per_day,
        "rounding_mg": spec.rounding_mg,
    }
    dose = _dose_mg(modification_pct=pct, **kwargs)
    protocol = _dose_mg(modification_pct=100.0, **kwargs)
    return DrugDose(
        drug=spec.drug,
        route=spec.route,
        infusion=spec.infusion,
        days=tuple(spec.days),
        dates=tuple(cycle_start + timedelta(days=d - 1) for d in spec.days),
        dose_per_m2_mg=per_m2,
        dose_per_kg_mg=per_kg,
        modification_pct=dose.modification_pct,
        mg_per_day=dose.dose_mg,
        uncapped_mg_per_day=dose.uncapped_mg,
        protocol_mg_per_day=protocol.dose_mg,
        total_mg=dose.dose_mg * len(spec.days),
        capped=dose.capped,
        cap_mg=spec.cap_mg,
        cap_per=spec.cap_per if spec.cap_mg is not None else None,
        cap_source=spec.cap_source,
        dosing_rule=dosing_rule,
    )
