"""Recording a given cycle, with the safety checks enforced on the server.

The checks are :func:`rareonco.regimens.check_cycle` (pure); this module gathers what they need
from storage and enforces the result:

- doses are checked against the protocol dose at the *current* body size: the latest weight on
  or before the cycle start (and latest height), re-planned with the course's regimen and BSA
  formula; with no weight since planning, the planning weight is used and a warning given;
- prior anthracyclines: every dose given on the case (all courses) before this cycle, in mg/m2 of
  the BSA used then, plus the course's recorded anthracyclines given elsewhere;
- laboratory pre-checks: the latest value of each test within
  :data:`rareonco.records.courses.observations.LAB_MAX_AGE_DAYS` before the start.

An outstanding ``block`` finding refuses the cycle with :class:`rareonco.errors.Conflict` (409)
listing every finding, unless ``override_reason`` is given; the override is stored with who gave
it and audited with the reason. An outstanding ``needs_reason`` refuses it with
:class:`ReasonRequired` (422) naming the drug (``doses.<drug>``) or ``precheck_reason``. Warnings
are stored with the cycle and returned.

For MAP the whole block (AP + both methotrexate days) is recorded as one cycle, so the pre-checks of
every drug of the block are applied at its start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.clinical.dosing import DOXORUBICIN_EQUIVALENCE
from rareonco.errors import Conflict, InvalidInput
from rareonco.records.courses import observations
from rareonco.records.courses.schemas import CycleIn, CycleResultOut, FindingOut
from rareonco.records.courses.service import cycle_view, load_course
from rareonco.regimens import (
    CyclePlan,
    Finding,
    GivenDose,
    PriorDose,
    Regimen,
    check_cycle,
    get_regimen,
    outstanding,
    plan_course,
)
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.cases import TimelineEvent
from rareonco.store.tables.courses import Course, CourseCycle, CycleDose, WeightMeasurement

__all__ = ["ReasonRequired", "record_cycle", "result_view"]


class ReasonRequired(InvalidInput):
    """A finding needs a written reason (HTTP 422); carries every finding of the cycle."""

    def __init__(self, field: str, reason: str, findings: list[dict[str, object]]) -> None:
        super().__init__(field, reason)
        self.findings = findings

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "findings": self.findings}


def record_cycle(session: Session, actor: Actor, course_id: int, data: CycleIn,
                 timeline_event_id: int | None = None) -> tuple[CourseCycle, list[Finding]]:
    """Check and record cycle ``data.number`` of the course; return it and every finding.

    ``timeline_event_id`` links an existing ``chemotherapy_cycle`` event (demo data that already
    has one) instead of adding a new event.
    """
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    course = _course_open_for(session, course_id, data)
    dosing = _dosing(session, course, data)
    checked = _safety_checks(session, dosing, data)
    cycle = _new_cycle(actor, dosing, checked, data)
    overridden = _apply_override(cycle, checked.findings, actor)
    _store(session, actor, cycle, dosing, checked.findings, timeline_event_id)
    _audit(session, actor, course, data.number, overridden)
    session.refresh(course, ["cycles"])
    return cycle, checked.findings


@dataclass(frozen=True)
class _Dosing:
    """What the doses of the cycle are checked against: the regimen, the cycle as re-planned at
    the current body size (weight in kg, BSA in m2), and the doses proposed or given."""

    course: Course
    regimen: Regimen
    weight: WeightMeasurement | None
    weight_kg: float
    cycle_plan: CyclePlan
    bsa_m2: float
    doses: list[GivenDose]


@dataclass(frozen=True)
class _Checked:
    """Every finding of the safety checks (none outstanding), the laboratory values they used,
    and when the cycle was due with its delay in days."""

    findings: list[Finding]
    labs_used: dict[str, dict[str, Any]]
    planned_start: date
    delay_days: int


def _course_open_for(session: Session, course_id: int, data: CycleIn) -> Course:
    """The course, if cycle ``data.number`` can be recorded on it at ``data.start_date``: the
    course is not stopped, plans that cycle and has not recorded it, and the start falls after
    the course start and between the given cycles around it, not in the future."""
    course = load_course(session, course_id)
    if course.status == "stopped":
        raise Conflict(f"course {course_id} was stopped on {course.stopped_on} "
                       f"({course.stop_reason}); plan a new course to give more cycles")
    planned = [c["number"] for c in course.plan["cycles"]]
    if data.number not in planned:
        raise InvalidInput("number", f"course {course_id} plans cycles "
                           f"{min(planned)}-{max(planned)}, not {data.number}")
    if any(c.number == data.number for c in course.cycles):
        raise Conflict(f"cycle {data.number} of course {course_id} is already recorded")
    if data.start_date > date.today():
        raise InvalidInput("start_date", "a cycle is recorded when given, not in advance")
    if data.start_date < course.start_date:
        raise InvalidInput("start_date", f"before the course start {course.start_date}")
    earlier = [c for c in course.cycles if c.number < data.number]
    later = [c for c in course.cycles if c.number > data.number]
    if earlier and data.start_date <= max(c.start_date for c in earlier):
        raise InvalidInput("start_date", "must be after the start of the previous given cycle")
    if later and data.start_date >= min(c.start_date for c in later):
        raise InvalidInput("start_date", "must be before the start of the next given cycle")
    return course


def _dosing(session: Session, course: Course, data: CycleIn) -> _Dosing:
    """Re-plan the cycle at the current body size: the latest weight on or before the start
    (the planning weight if none) and the latest height, with the course's regimen version and
    BSA formula. ``data.doses`` empty means every planned dose given as planned."""
    regimen = get_regimen(course.regimen_id)
    if regimen.version != course.regimen_version:
        raise Conflict(f"course {course.id} was planned with {regimen.id} "
                       f"v{course.regimen_version}; the library now has v{regimen.version}: "
                       "plan a new course")
    weight = observations.latest_weight(session, course.case_id, data.start_date)
    weight_kg = weight.weight_kg if weight else course.weight_kg
    height_cm = (observations.latest_height_cm(session, course.case_id, data.start_date)
                 or course.height_cm)
    current = plan_course(regimen, course.start_date, height_cm, weight_kg,
                          bsa_formula=course.bsa_formula, n_cycles=course.n_cycles)
    cycle_plan = current.cycles[data.number - 1]
    doses = [GivenDose(d.drug, d.day, d.dose_mg, d.reason) for d in data.doses] or [
        GivenDose(d.drug, day, d.mg_per_day) for d in cycle_plan.drugs for day in d.days]
    return _Dosing(course, regimen, weight, weight_kg, cycle_plan, current.bsa_m2, doses)


def _safety_checks(session: Session, dosing: _Dosing, data: CycleIn) -> _Checked:
    """Run :func:`rareonco.regimens.check_cycle` (doses, prior anthracyclines, weight age,
    laboratory pre-checks) and the delay rule; refuse the cycle on an outstanding finding."""
    course = dosing.course
    prechecks, labs_used = observations.prechecks_for(session, course.case_id, data.start_date)
    findings = list(check_cycle(
        dosing.regimen, dosing.cycle_plan, cycle_start=data.start_date, bsa_m2=dosing.bsa_m2,
        doses=dosing.doses,
        prior_doses=_prior_anthracyclines(session, course, data.start_date),
        weight_measured_on=dosing.weight.measured_on if dosing.weight else None,
        prechecks=prechecks, override_reason=data.override_reason,
        precheck_reason=data.precheck_reason))
    planned_start, delay_days = _nominal_start(course, data)
    if delay_days > 0 and not (data.delay_reason or "").strip():
        findings.append(Finding("delay_without_reason", "warn",
                                f"started {delay_days} days after the nominal date "
                                f"{planned_start.isoformat()}; no reason for the delay given"))
    _enforce(findings, data.number)
    return _Checked(findings, labs_used, planned_start, delay_days)


def _new_cycle(actor: Actor, dosing: _Dosing, checked: _Checked, data: CycleIn) -> CourseCycle:
    """The cycle row with its findings (pre-check findings with the values they used) and its
    doses (mg, mg/m2 of the current BSA, and the protocol dose they deviate from)."""
    cycle = CourseCycle(
        course_id=dosing.course.id, number=data.number, start_date=data.start_date,
        planned_start=checked.planned_start, delay_days=checked.delay_days,
        delay_reason=(data.delay_reason or "").strip() or None, weight_kg=dosing.weight_kg,
        bsa_m2=dosing.bsa_m2,
        findings=[f.to_dict() | {"labs_used": checked.labs_used}
                  if f.code.startswith("precheck") else f.to_dict()
                  for f in checked.findings],
        precheck_reason=(data.precheck_reason or "").strip() or None, note=data.note,
        recorded_by=actor.user_id)
    by_drug = {d.drug: d for d in dosing.cycle_plan.drugs}
    cycle.doses = [CycleDose(
        drug=g.drug, day=g.day, dose_mg=g.dose_mg, dose_mg_m2=g.dose_mg / dosing.bsa_m2,
        protocol_mg=by_drug[g.drug].protocol_mg_per_day if g.drug in by_drug else None,
        reason=(g.reason or "").strip() or None) for g in dosing.doses]
    return cycle


def _apply_override(cycle: CourseCycle, findings: list[Finding], actor: Actor) -> list[Finding]:
    """Mark who overrode a block (the cumulative anthracycline limit) and why; return the
    overridden findings (each audited with its reason)."""
    overridden = [f for f in findings if f.severity == "block" and f.resolved_by]
    if overridden:
        cycle.override_reason = overridden[0].resolved_by
        cycle.override_by = actor.user_id
    return overridden


def _store(session: Session, actor: Actor, cycle: CourseCycle, dosing: _Dosing,
           findings: list[Finding], timeline_event_id: int | None) -> None:
    """Store the cycle, link or add its ``chemotherapy_cycle`` event, and move the course to
    ``in_progress`` or, with its last planned cycle given, ``completed``."""
    course = dosing.course
    session.add(cycle)
    session.flush()
    cycle.timeline_event_id = timeline_event_id or _timeline_event(
        session, actor, course, cycle, dosing.cycle_plan.block, findings)
    given = {c.number for c in course.cycles} | {cycle.number}
    planned = {c["number"] for c in course.plan["cycles"]}
    course.status = "completed" if given >= planned else "in_progress"
    session.flush()


def _audit(session: Session, actor: Actor, course: Course, number: int,
           overridden: list[Finding]) -> None:
    """One ``create`` entry for the cycle and one ``override`` entry per overridden block."""
    resource = f"course/{course.id}/cycle/{number}"
    audit.record(session, actor, "create", resource, f"case/{course.case_id}")
    for f in overridden:
        audit.record(session, actor, "override", resource, f"{f.code}: {f.resolved_by}")


def _prior_anthracyclines(session: Session, course: Course, before: date) -> list[PriorDose]:
    rows = session.execute(
        select(CycleDose.drug, CycleDose.dose_mg_m2)
        .join(CourseCycle, CycleDose.cycle_id == CourseCycle.id)
        .join(Course, CourseCycle.course_id == Course.id)
        .where(Course.case_id == course.case_id, CourseCycle.start_date < before,
               CycleDose.drug.in_(list(DOXORUBICIN_EQUIVALENCE)))).all()
    external = [PriorDose(a["drug"], a["dose_mg_m2"]) for a in course.external_anthracyclines]
    return [PriorDose(drug, mg_m2) for drug, mg_m2 in rows] + external


def _nominal_start(course: Course, data: CycleIn) -> tuple[date, int]:
    """The date the cycle was due: the previous given cycle's start plus the planned interval
    (course start plus the planned offset for the first); and the delay in days."""
    starts = {c["number"]: date.fromisoformat(c["start"]) for c in course.plan["cycles"]}
    previous = [c for c in course.cycles if c.number < data.number]
    if previous:
        prev = max(previous, key=lambda c: c.number)
        due = prev.start_date + (starts[data.number] - starts[prev.number])
    else:
        due = starts[data.number]
    return due, max((data.start_date - due).days, 0)


def _enforce(findings: list[Finding], number: int) -> None:
    pending = outstanding(findings)
    every = [f.to_dict() for f in findings]
    blocks = [f for f in pending if f.severity == "block"]
    if blocks:
        raise Conflict(f"cycle {number} is blocked: {blocks[0].message}",
                       findings=every, outstanding=[f.to_dict() for f in pending])
    if pending:
        first = pending[0]
        field = f"doses.{first.drug}" if first.drug else "precheck_reason"
        raise ReasonRequired(field, f"{first.message}: give a reason", every)


def _timeline_event(session: Session, actor: Actor, course: Course, cycle: CourseCycle,
                    block: str | None, findings: list[Finding]) -> int:
    total = len(course.plan["cycles"])
    label = f" ({block})" if block else ""
    event = TimelineEvent(
        case_id=course.case_id, kind="chemotherapy_cycle", event_date=cycle.start_date,
        author_id=actor.user_id,
        summary=f"{course.regimen_id} cycle {cycle.number} of {total}{label}"
                + (f", delayed {cycle.delay_days} d" if cycle.delay_days else "")
                + (" — anthracycline limit overridden" if cycle.override_reason else ""),
        payload={"regimen": course.regimen_id, "cycle": cycle.number, "course_id": course.id,
                 "block": block, "findings": [f.code for f in findings],
                 "override_reason": cycle.override_reason})
    session.add(event)
    session.flush()
    return event.id


def result_view(cycle: CourseCycle, findings: list[Finding], actor: Actor) -> CycleResultOut:
    """The recorded cycle with its warnings, as the API returns it."""
    names = {actor.user_id: actor.username} if actor.user_id else {}
    return CycleResultOut(
        **dict(cycle_view(cycle, names)),
        warnings=[FindingOut.model_validate(f.to_dict()) for f in findings
                  if f.severity == "warn"])
