"""Chemotherapy courses on a case: plan (dose sheet + calendar), save, and planned against given.

Planning is :func:`rareonco.regimens.plan_course`; this module stores its result as a snapshot
(``Course.plan``) so that what was planned stays as it was planned even if the regimen library
changes. Recording a given cycle, with its safety checks, is :mod:`rareonco.records.courses.cycles`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from rareonco.clinical.anthracyclines import IGHG_EQUIVALENCE
from rareonco.clinical.drugs import resolve_drug
from rareonco.errors import Conflict, InvalidInput, NotFound
from rareonco.records.courses.approvals import is_approved
from rareonco.records.courses.exposure import (
    anthracycline_sources,
    doxorubicin_equivalent_mg_m2,
    patient_case_ids,
)
from rareonco.records.courses.schemas import (
    AnthracyclineDoseOut,
    AnthracyclineOut,
    CourseCancelIn,
    CourseCycleOut,
    CourseDrugOut,
    CourseEditIn,
    CourseIn,
    CourseOut,
    CourseStopIn,
    CourseStopOut,
    CourseSummaryOut,
    CycleDoseOut,
    CycleOut,
    FindingOut,
    GivenDoseOut,
    OverrideOut,
    OverrideReasonOut,
    PlanIn,
    PlanOut,
    RegimenChoiceOut,
    RegimenDetailOut,
    RegimenOut,
)
from rareonco.records.versions import require_version
from rareonco.regimens import (
    CoursePlan,
    Regimen,
    all_regimens,
    get_regimen,
    plan_course,
)
from rareonco.regimens.findings import meaningful_text, parse_override
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.accounts import User
from rareonco.store.tables.cases import Case, TimelineEvent
from rareonco.store.tables.courses import (
    Course,
    CourseCycle,
    WeightMeasurement,
)

__all__ = [
    "ACTIVE_COURSE_STATES", "active_courses", "cancel_course", "case_or_404", "course_view", "create_course",
    "cumulative_anthracycline_mg_m2", "edit_course", "get_course", "list_courses", "load_course",
    "plan", "plan_out", "regimen_detail", "regimen_summary", "usernames",
]

#: A course in one of these states is active: one per patient unless a clinician says why.
ACTIVE_COURSE_STATES = ("planned", "in_progress")


def regimen_summary(r: Regimen) -> RegimenOut:
    """A library entry as `rareonco course regimens --json` prints it."""
    return RegimenOut(
        id=r.id, name=r.name, version=r.version, status=r.status, cycles=len(r.cycles),
        cycle_length_days=r.cycle_length_days,
        repeat_until_progression=r.repeat_until_progression,
        drugs=list(r.drug_names()), indication=list(r.indication),
        anthracycline_limit_mg_m2=(
            r.anthracycline_limit.limit_mg_m2 if r.anthracycline_limit else None),
        source=r.source)


def regimen_detail(regimen_id: str) -> RegimenDetailOut:
    """The whole regimen file as validated data (drugs of every cycle, pre-checks, sources)."""
    r = get_regimen(regimen_id)
    summary = regimen_summary(r)
    return RegimenDetailOut.model_validate({
        **dict(r), "drugs": summary.drugs,
        "anthracycline_limit_mg_m2": summary.anthracycline_limit_mg_m2})


def regimens_for(morphology_code: str | None) -> list[RegimenChoiceOut]:
    """The library, regimens indicated for ``morphology_code`` first (flagged ``indicated``)."""
    items = [RegimenChoiceOut(**dict(regimen_summary(r)),
                              indicated=morphology_code in r.indication)
             for r in all_regimens()]
    return sorted(items, key=lambda i: (not i.indicated, i.id))


def plan_out(course_plan: CoursePlan) -> PlanOut:
    """A plan as its JSON (``CoursePlan.to_dict``), typed."""
    return PlanOut.model_validate(course_plan.to_dict())


def plan(actor: Actor, data: PlanIn) -> CoursePlan:
    """Stateless planning, the same computation and JSON as `rareonco course plan --json`."""
    require(actor.role, Permission.CALCULATE)
    return _plan(data)


def _plan(data: PlanIn) -> CoursePlan:
    return plan_course(data.regimen, data.start, data.height_cm, data.weight_kg,
                       bsa_formula=data.bsa_formula, n_cycles=data.n_cycles)


def case_or_404(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def create_course(session: Session, actor: Actor, case_id: int, data: CourseIn) -> Course:
    """Plan ``data`` for the case and save it; the planning weight becomes a measurement.

    One active course per patient (issue 17): another planned or in-progress course of the
    patient (any case) needs ``concurrent_reason`` (structured, as an override). Drugs given
    abroad go through the vocabulary (unknown -> 422 with suggestions; not an anthracycline ->
    422)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case_or_404(session, case_id)
    course_plan = _plan(data)
    external = _external(data)
    concurrent = _concurrent_reason(session, case_id, data, None)
    course = Course(
        case_id=case_id, regimen_id=course_plan.regimen,
        regimen_version=course_plan.regimen_version, regimen_name=course_plan.regimen_name,
        start_date=data.start, height_cm=course_plan.height_cm, weight_kg=course_plan.weight_kg,
        bsa_formula=course_plan.bsa_formula, bsa_m2=course_plan.bsa_m2, n_cycles=data.n_cycles,
        plan=course_plan.to_dict(), external_anthracyclines=external,
        note=data.note, created_by=actor.user_id, concurrent_reason=concurrent)
    session.add(course)
    session.add(WeightMeasurement(
        case_id=case_id, measured_on=data.weight_measured_on or date.today(),
        weight_kg=data.weight_kg, height_cm=data.height_cm, recorded_by=actor.user_id))
    session.flush()
    audit.record(session, actor, "create", f"course/{course.id}",
                 f"case/{case_id};{course.regimen_id} v{course.regimen_version}"
                 + (f";concurrent:{concurrent['reason_code']}: {concurrent['text']}"
                    if concurrent else ""))
    return course


def _external(data: CourseIn) -> list[dict[str, object]]:
    out = []
    for i, a in enumerate(data.external_anthracyclines):
        drug = resolve_drug(a.drug, f"external_anthracyclines.{i}.drug")
        if drug.id not in IGHG_EQUIVALENCE:
            raise InvalidInput(f"external_anthracyclines.{i}.drug",
                               f"{a.drug!r} is {drug.name_en}, not an anthracycline")
        out.append({"drug": drug.id, "dose_mg_m2": a.dose_mg_m2})
    return out


def active_courses(session: Session, case_id: int, exclude: int | None = None) -> list[int]:
    """The planned or in-progress courses of the patient of ``case_id`` (every case)."""
    return list(session.scalars(select(Course.id).where(
        Course.case_id.in_(patient_case_ids(session, case_id)),
        Course.status.in_(ACTIVE_COURSE_STATES), Course.id != (exclude or -1))
        .order_by(Course.id)))


def _concurrent_reason(session: Session, case_id: int, data: CourseIn,
                       exclude: int | None) -> dict[str, str] | None:
    others = active_courses(session, case_id, exclude)
    if not others:
        return None
    if data.concurrent_reason is None:
        raise InvalidInput("concurrent_reason", f"the patient has an active course "
                           f"({', '.join(f'#{i}' for i in others)}): give a reason to run "
                           "another beside it")
    reason = parse_override(data.concurrent_reason.reason_code, data.concurrent_reason.text,
                            "concurrent_reason")
    return {"reason_code": reason.code, "text": reason.text}


def edit_course(session: Session, actor: Actor, course_id: int, data: CourseEditIn) -> Course:
    """Re-plan a course before its first cycle (regimen, start, body size, cycles, note)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    course = _before_first_cycle(session, course_id, data.version, "edited")
    course_plan = _plan(data)
    course.concurrent_reason = _concurrent_reason(session, course.case_id, data, course.id)
    course.regimen_id, course.regimen_version = course_plan.regimen, course_plan.regimen_version
    course.regimen_name, course.start_date = course_plan.regimen_name, data.start
    course.height_cm, course.weight_kg = course_plan.height_cm, course_plan.weight_kg
    course.bsa_formula, course.bsa_m2 = course_plan.bsa_formula, course_plan.bsa_m2
    course.n_cycles, course.plan = data.n_cycles, course_plan.to_dict()
    course.external_anthracyclines, course.note = _external(data), data.note
    _flush(session, course_id)
    audit.record(session, actor, "update", f"course/{course_id}",
                 f"case/{course.case_id};re-planned:{course.regimen_id} v{course.regimen_version}")
    return course


def cancel_course(session: Session, actor: Actor, course_id: int, data: CourseCancelIn) -> Course:
    """Cancel a planned course before its first cycle; the reason is kept and audited."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    course = _before_first_cycle(session, course_id, data.version, "cancelled")
    course.status, course.stop_reason = "cancelled", "cancelled"
    course.stop_note = meaningful_text(data.reason, "reason")
    course.stopped_on, course.stopped_by = date.today(), actor.user_id
    _flush(session, course_id)
    audit.record(session, actor, "cancel", f"course/{course_id}",
                 f"case/{course.case_id};{course.stop_note}")
    return course


def _before_first_cycle(session: Session, course_id: int, version: int, what: str) -> Course:
    course = load_course(session, course_id)
    require_version(f"course {course_id}", course.version, version)
    if course.status != "planned" or any(c.state != "cancelled" for c in course.cycles):
        raise Conflict(f"course {course_id} is {course.status}: only a planned course before "
                       f"its first cycle can be {what}")
    return course


def _flush(session: Session, course_id: int) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"course {course_id} was changed concurrently; reload") from exc


def load_course(session: Session, course_id: int) -> Course:
    course = session.scalar(
        select(Course).where(Course.id == course_id)
        .options(selectinload(Course.cycles).selectinload(CourseCycle.doses)))
    if course is None:
        raise NotFound(f"course {course_id} not found")
    return course


def stop_course(session: Session, actor: Actor, course_id: int, data: CourseStopIn) -> Course:
    """End a course before its last planned cycle: no cycle can be recorded on it afterwards
    (plan a new course to go on). The stop becomes a timeline event and is audited."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    course = load_course(session, course_id)
    require_version(f"course {course_id}", course.version, data.version)
    if course.status in ("stopped", "completed", "cancelled"):
        raise Conflict(f"course {course_id} is already {course.status}")
    if data.reason == "other" and not data.note:
        raise InvalidInput("note", "say why the course stops when the reason is 'other'")
    if data.stopped_on > date.today():
        raise InvalidInput("stopped_on", "a course is stopped when it stops, not in advance")
    last_given = max((c.start_date for c in course.cycles if c.state == "administered"),
                     default=course.start_date)
    if data.stopped_on < last_given:
        raise InvalidInput("stopped_on", f"before {last_given.isoformat()}, the start of the "
                           "course or of its last given cycle")
    course.status = "stopped"
    course.stop_reason, course.stop_note = data.reason, data.note
    course.stopped_on, course.stopped_by = data.stopped_on, actor.user_id
    given = sum(c.state == "administered" for c in course.cycles)
    for pending in course.cycles:
        if pending.state in ("prescribed", "verified", "returned"):
            pending.state, pending.cancel_reason = "cancelled", f"course stopped: {data.reason}"
    session.add(TimelineEvent(
        case_id=course.case_id, kind="chemotherapy_cycle", event_date=data.stopped_on,
        author_id=actor.user_id,
        summary=f"{course.regimen_id} course stopped after {given} of "
                f"{len(course.plan['cycles'])} cycles: {data.reason.replace('_', ' ')}"
                + (f" ({data.note})" if data.note else ""),
        payload={"course_id": course.id, "regimen": course.regimen_id, "stopped": True,
                 "reason": data.reason, "cycles_given": given}))
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"course {course_id} was changed concurrently; reload") from exc
    audit.record(session, actor, "update", f"course/{course_id}",
                 f"case/{course.case_id};stopped:{data.reason}")
    return course


def get_course(session: Session, actor: Actor, course_id: int) -> Course:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    course = load_course(session, course_id)
    audit.record(session, actor, "read", f"course/{course_id}", f"case/{course.case_id}")
    return course


def list_courses(session: Session, actor: Actor, case_id: int) -> list[Course]:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    case_or_404(session, case_id)
    courses = session.scalars(
        select(Course).where(Course.case_id == case_id).order_by(Course.start_date, Course.id)
        .options(selectinload(Course.cycles).selectinload(CourseCycle.doses))).all()
    audit.record(session, actor, "read", f"case/{case_id}/courses", f"{len(courses)} courses")
    return list(courses)


def cumulative_anthracycline_mg_m2(session: Session, case_id: int,
                                   before: date | None = None) -> float:
    """Doxorubicin-equivalent mg/m2 the patient of the case has received (every source of
    :func:`rareonco.records.courses.exposure.anthracycline_sources`), optionally before a date;
    for display, so a timeline dose naming no known drug is left out (prescribing refuses it)."""
    return doxorubicin_equivalent_mg_m2(anthracycline_sources(session, case_id, before,
                                                              strict=False))


def usernames(session: Session, ids: set[int | None]) -> dict[int, str]:
    """User ids to user names (for the views)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(wanted))).all())


def _vesicant(drug: str) -> bool:
    try:
        return resolve_drug(drug).vesicant
    except InvalidInput:
        return False


def cycle_view(cycle: CourseCycle, names: dict[int, str] | None = None) -> CycleOut:
    names = names or {}
    return CycleOut(
        id=cycle.id, number=cycle.number, state=cycle.state,
        prescribed_by=_name(names, cycle.recorded_by),
        overrides=[OverrideOut.model_validate(o) for o in cycle.overrides or []],
        awaiting_cosignature=awaiting_cosignature(cycle),
        cosigned_by=_name(names, cycle.cosigned_by), cosigned_at=cycle.cosigned_at,
        verified_by=_name(names, cycle.verified_by), verified_at=cycle.verified_at,
        verification=cycle.verification, return_reason=cycle.return_reason,
        cancel_reason=cycle.cancel_reason, administered_at=cycle.administered_at,
        history=list(cycle.history or []),
        start_date=cycle.start_date,
        planned_start=cycle.planned_start, delay_days=cycle.delay_days,
        delay_reason=cycle.delay_reason, weight_kg=cycle.weight_kg,
        bsa_m2=round(cycle.bsa_m2, 4),
        findings=[FindingOut.model_validate(f) for f in cycle.findings],
        precheck_reason=cycle.precheck_reason, override_reason=cycle.override_reason,
        override_by=names.get(cycle.override_by) if cycle.override_by else None,
        note=cycle.note, timeline_event_id=cycle.timeline_event_id,
        doses=[CycleDoseOut(drug=d.drug, day=d.day, dose_mg=round(d.dose_mg, 2),
                            dose_mg_m2=round(d.dose_mg_m2, 3), protocol_mg=d.protocol_mg,
                            deviation_pct=_deviation(d.dose_mg, d.protocol_mg), reason=d.reason,
                            route=d.route, vesicant=_vesicant(d.drug),
                            given_mg=None if d.given_mg is None else round(d.given_mg, 2),
                            given_at=d.given_at, given_by=_name(names, d.given_by),
                            second_check_by=_name(names, d.second_check_by))
               for d in cycle.doses])


def awaiting_cosignature(cycle: CourseCycle) -> bool:
    """A prescription with overrides that no second person has co-signed yet."""
    return cycle.state == "prescribed" and bool(cycle.overrides) and cycle.cosigned_by is None


def _deviation(given: float, reference: float | None) -> float | None:
    if not reference:
        return None
    return round((given - reference) / reference * 100.0, 1)


def _course_cycle(planned: dict[str, Any], done: CourseCycle | None,
                  names: dict[int, str]) -> CourseCycleOut:
    """A planned cycle (from the plan snapshot) beside the cycle as given."""
    drugs = []
    for d in planned["drugs"]:
        doses = [x for x in (done.doses if done else []) if x.drug == d["drug"]]
        drugs.append(CourseDrugOut.model_validate({
            **d,
            "given": [GivenDoseOut(day=x.day, dose_mg=round(x.dose_mg, 2), reason=x.reason,
                                   given_mg=None if x.given_mg is None else round(x.given_mg, 2),
                                   deviation_pct=_deviation(x.dose_mg, x.protocol_mg))
                      for x in doses],
            "given_total_mg": (round(sum(x.given_mg or 0.0 for x in doses), 2)
                               if done and done.state == "administered" else None),
        }))
    return CourseCycleOut(
        number=planned["number"], block=planned["block"], phase=planned["phase"],
        planned_start=planned["start"], planned_end=planned["end"],
        supportive=planned["supportive"], drugs=drugs,
        given=cycle_view(done, names) if done else None)


def course_view(session: Session, course: Course) -> CourseOut:
    """The course with every planned cycle beside what was given (None while not given)."""
    given = {c.number: c for c in course.cycles}
    ids: set[int | None] = {course.created_by, course.stopped_by}
    for c in course.cycles:
        ids |= ({c.recorded_by, c.override_by, c.cosigned_by, c.verified_by}
                | {d.given_by for d in c.doses} | {d.second_check_by for d in c.doses})
    names = usernames(session, ids)
    cycles = [_course_cycle(planned, given.get(planned["number"]), names)
              for planned in course.plan["cycles"]]
    limit = course.plan.get("anthracycline_limit_mg_m2")
    regimen = get_regimen(course.regimen_id) if _known(course.regimen_id) else None
    if regimen and regimen.anthracycline_limit:
        limit = regimen.anthracycline_limit.limit_mg_m2
    return CourseOut(
        id=course.id, case_id=course.case_id, version=course.version,
        regimen=course.regimen_id, regimen_name=course.regimen_name,
        regimen_version=course.regimen_version,
        regimen_status=course.plan.get("regimen_status"),
        start=course.start_date, height_cm=course.height_cm,
        weight_kg=course.weight_kg, bsa_formula=course.bsa_formula,
        bsa_m2=round(course.bsa_m2, 4), n_cycles=course.n_cycles, status=course.status,
        note=course.note, created_by=_name(names, course.created_by),
        concurrent_reason=(OverrideReasonOut.model_validate(course.concurrent_reason)
                           if course.concurrent_reason else None),
        regimen_approved=is_approved(session, course.regimen_id, course.regimen_version),
        stop=None if course.stop_reason is None else CourseStopOut(
            reason=course.stop_reason, on=course.stopped_on, note=course.stop_note,
            by=_name(names, course.stopped_by)),
        external_anthracyclines=[AnthracyclineDoseOut.model_validate(a)
                                 for a in course.external_anthracyclines],
        cycles_planned=len(cycles),
        cycles_given=sum(c.state == "administered" for c in course.cycles),
        next_cycle=next((c.number for c in cycles
                         if c.given is None or c.given.state in ("returned", "cancelled")), None),
        anthracycline=AnthracyclineOut(
            case_cumulative_doxorubicin_eq_mg_m2=round(
                cumulative_anthracycline_mg_m2(session, course.case_id), 1),
            limit_mg_m2=limit),
        cycles=cycles)


def _name(names: dict[int, str], user_id: int | None) -> str | None:
    return names.get(user_id) if user_id is not None else None


def _known(regimen_id: str) -> bool:
    return any(r.id == regimen_id for r in all_regimens())


def course_summary(course: Course) -> CourseSummaryOut:
    return CourseSummaryOut(
        id=course.id, regimen=course.regimen_id, regimen_name=course.regimen_name,
        start=course.start_date, status=course.status, bsa_m2=round(course.bsa_m2, 4),
        cycles_planned=len(course.plan["cycles"]),
        cycles_given=sum(c.state == "administered" for c in course.cycles))
