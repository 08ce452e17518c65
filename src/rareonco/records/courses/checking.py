"""The gate's input gathered from storage: the platform runs exactly the rules of
``rareonco course check`` (:func:`rareonco.regimens.gate.assess_cycle`) on what it knows.

For cycle ``number`` of a course starting on ``start``:

- body size: the latest weight on or before the start (the planning weight if none) and the
  latest height; the course's regimen version, BSA formula and number of cycles;
- age on the start day and sex from the patient (sex feeds CKD-EPI from 18 years);
- labs: the latest value of each test within its maximum age before the start
  (:func:`rareonco.records.courses.observations.latest_labs`); creatinine and bilirubin keep
  their unit in the test name (umol/L or mg/dL; if both were measured, the later one is used);
- cumulative anthracyclines: :func:`rareonco.records.courses.exposure.anthracycline_sources`
  (administered doses, treatment abroad, dosed timeline entries) before the start;
- the previous cycle of this course (next-cycle window) and the cycles of the patient's other
  courses (overlap), prescribed, verified or administered;
- the regimen version's approval and the regimens of the case's latest signed board decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.clinical.drugs import resolve_drug
from rareonco.errors import Conflict, InvalidInput
from rareonco.records.courses import observations
from rareonco.records.courses.approvals import is_approved
from rareonco.records.courses.exposure import anthracycline_sources, patient_case_ids
from rareonco.records.courses.schemas import DoseIn, OverrideIn
from rareonco.regimens import CyclePlan, get_regimen, plan_course
from rareonco.regimens.gate import CycleCheckIn, GateResult, assess_cycle
from rareonco.store.tables.board import BoardDecision
from rareonco.store.tables.cases import Case
from rareonco.store.tables.courses import Course, CourseCycle, WeightMeasurement
from rareonco.store.tables.patients import Patient

__all__ = ["ACTIVE_STATES", "Checked", "ProposedDose", "check_cycle"]

#: States of a cycle that hold its place in the calendar (a returned or cancelled one does not).
ACTIVE_STATES = ("prescribed", "verified", "administered")
_CHEMO_RECOMMENDATIONS = ("neoadjuvant_chemotherapy", "adjuvant_chemotherapy")


@dataclass(frozen=True)
class ProposedDose:
    """One dose of the prescription, its drug resolved to the vocabulary's id."""

    drug: str
    day: int
    dose_mg: float
    reason: str | None


@dataclass(frozen=True)
class Checked:
    """The gate's answer and what it was computed from."""

    result: GateResult
    request: CycleCheckIn
    cycle_plan: CyclePlan
    bsa_m2: float
    weight: WeightMeasurement | None
    weight_kg: float
    height_cm: float
    doses: list[ProposedDose]
    labs_used: dict[str, dict[str, Any]]

    def finding_keys(self) -> set[tuple[str, str | None, str]]:
        return {(f.code, f.drug, f.severity) for f in self.result.findings}

    def snapshot(self) -> dict[str, Any]:
        """What a pharmacist's verification recomputed, stored with the cycle."""
        return {"weight_kg": self.weight_kg, "height_cm": self.height_cm,
                "bsa_m2": round(self.bsa_m2, 4),
                "computed_mg": {f"{d.drug}/{day}": round(d.mg_per_day, 2)
                                for d in self.cycle_plan.drugs for day in d.days},
                "cumulative_doxorubicin_equivalent_mg_m2": round(
                    self.result.cumulative_doxorubicin_equivalent_mg_m2, 1),
                "egfr_ml_min_173m2": (None if self.result.egfr_ml_min_173m2 is None
                                      else round(self.result.egfr_ml_min_173m2, 1)),
                "labs_used": self.labs_used}


def check_cycle(session: Session, course: Course, number: int, start: date,
                doses: Sequence[DoseIn], overrides: list[OverrideIn],
                this_cycle: CourseCycle | None = None) -> Checked:
    """Run the gate on cycle ``number`` as proposed (``doses`` empty: as planned at the current
    body size). ``this_cycle``: the stored row being verified or re-prescribed (left out of the
    calendar and of the exposure)."""
    regimen = get_regimen(course.regimen_id)
    if regimen.version != course.regimen_version:
        raise Conflict(f"course {course.id} was planned with {regimen.id} "
                       f"v{course.regimen_version}; the library now has v{regimen.version}: "
                       "plan a new course")
    weight = observations.latest_weight(session, course.case_id, start)
    weight_kg = weight.weight_kg if weight else course.weight_kg
    height_cm = observations.latest_height_cm(session, course.case_id, start) or course.height_cm
    current = plan_course(regimen, course.start_date, height_cm, weight_kg,
                          bsa_formula=course.bsa_formula, n_cycles=course.n_cycles)
    cycle_plan = current.cycles[number - 1]
    proposed = _proposed(doses, cycle_plan)
    latest = observations.latest_labs(session, course.case_id, start)
    exclude = this_cycle.id if this_cycle is not None else None
    payload = {
        "regimen": course.regimen_id, "cycle": number, "height_cm": height_cm,
        "weight_kg": weight_kg, **_patient(session, course.case_id, start),
        "planned_start": course.start_date, "start": start,
        "previous_cycle_start": _previous_start(course, number, exclude),
        "doses": [{"drug": d.drug, "day": d.day, "mg": d.dose_mg} for d in proposed],
        "labs": _labs(latest),
        "prior_anthracyclines": [
            {"drug": drug, "mg_m2": mg_m2} for drug, mg_m2 in anthracycline_sources(
                session, course.case_id, before=start, exclude_cycle_id=exclude)],
        "overrides": [o.model_dump() for o in overrides],
        "bsa_formula": course.bsa_formula, "n_cycles": course.n_cycles,
        "regimen_approved": is_approved(session, regimen.id, regimen.version),
        "board_regimens": _board_regimens(session, course.case_id),
        "other_cycle_starts": _other_starts(session, course, exclude),
        "weight_measured_on": weight.measured_on if weight else "none",
    }
    try:
        request = CycleCheckIn.model_validate(payload)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise InvalidInput(".".join(str(p) for p in err["loc"]) or "body", err["msg"]) from None
    return Checked(assess_cycle(request), request, cycle_plan, current.bsa_m2, weight, weight_kg,
                   height_cm, proposed, observations.labs_used(latest))


def _proposed(doses: Sequence[DoseIn], plan: CyclePlan) -> list[ProposedDose]:
    if not doses:
        return [ProposedDose(d.drug, day, d.mg_per_day, None) for d in plan.drugs for day in d.days]
    out = []
    seen = set()
    for i, d in enumerate(doses):
        drug = resolve_drug(d.drug, f"doses.{i}.drug").id
        if (drug, d.day) in seen:
            raise InvalidInput(f"doses.{i}", f"{drug} appears twice on day {d.day}")
        seen.add((drug, d.day))
        out.append(ProposedDose(drug, d.day, d.dose_mg, (d.reason or "").strip() or None))
    return out


def _patient(session: Session, case_id: int, start: date) -> dict[str, Any]:
    birth, sex = session.execute(
        select(Patient.birth_date, Patient.sex).join(Case, Case.patient_id == Patient.id)
        .where(Case.id == case_id)).one()
    age = (start - birth).days / 365.25
    return {"age_years": max(age, 0.0), "sex": sex if sex in ("female", "male") else None}


def _labs(latest: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {t: r.value for t, r in latest.items()}
    for a, b in (("creatinine_umol_l", "creatinine_mg_dl"), ("bilirubin_umol_l", "bilirubin_mg_dl")):
        if a in latest and b in latest:  # both units measured: keep the later value
            older = a if (latest[a].taken_on, latest[a].id) < (latest[b].taken_on, latest[b].id) else b
            values.pop(older)
    if latest:
        values["taken_on"] = max(r.taken_on for r in latest.values())
    return values


def _previous_start(course: Course, number: int, exclude: int | None) -> date | None:
    earlier = [c.start_date for c in course.cycles
               if c.number < number and c.state in ACTIVE_STATES and c.id != exclude]
    return max(earlier, default=None)


def _other_starts(session: Session, course: Course, exclude: int | None) -> list[date]:
    rows = session.scalars(
        select(CourseCycle.start_date).join(Course, CourseCycle.course_id == Course.id)
        .where(Course.case_id.in_(patient_case_ids(session, course.case_id)),
               Course.id != course.id, CourseCycle.state.in_(ACTIVE_STATES)))
    return [d for d in rows]


def _board_regimens(session: Session, case_id: int) -> list[str] | None:
    """The chemotherapy regimens of the case's latest signed board decision (None: no signed
    decision recommends one)."""
    decision = session.scalar(
        select(BoardDecision).where(BoardDecision.case_id == case_id,
                                    BoardDecision.signed_at.is_not(None))
        .order_by(BoardDecision.signed_at.desc(), BoardDecision.id.desc()).limit(1))
    if decision is None:
        return None
    names = [str(r["regimen"]) for r in decision.recommendations or []
             if r.get("kind") in _CHEMO_RECOMMENDATIONS and r.get("regimen")]
    return names or None
