"""After prescription: co-signature, pharmacist's verification or return, administration,
cancellation, and the tasks waiting for a user (issue 17).

- **co-sign** (clinician or pharmacist, not the prescriber): a prescription with overrides;
- **verify** (pharmacist, not the prescriber; after the co-signature when there are overrides):
  the gate is re-run on today's data (latest weight and height, labs, cumulative exposure),
  which recomputes every dose independently of the prescription; if its findings differ from
  the prescription's, the verification is refused naming what changed (the clinician corrects
  and prescribes again). The recomputation is stored with the cycle;
- **return** (pharmacist, with a reason): the clinician corrects and prescribes again;
- **administer** (nurse): actual doses and times per drug-day of a verified cycle. A vesicant
  (``vesicant: true`` in ``clinical/drugs.yaml``) or an intrathecal route needs a second person:
  another nurse or a clinician, named and confirming with their own password in the same request
  (chosen over a second logged-in step: the check happens at the bedside, at the moment of the
  administration, and needs no second screen). The cycle is ``administered`` once every dose is;
  only administered doses count towards cumulative exposure. The cycle then goes on the case
  timeline;
- **cancel** (clinician): a prescription not yet administered, with a reason.

Every step is audited with the cycle as resource.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.clinical.drugs import resolve_drug
from rareonco.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from rareonco.records.courses.checking import check_cycle
from rareonco.records.courses.schemas import (
    AdministerIn,
    DoseIn,
    OverrideIn,
    PendingTaskOut,
    SecondCheckIn,
    StepReasonIn,
)
from rareonco.records.courses.service import awaiting_cosignature, load_course, usernames
from rareonco.regimens.findings import meaningful_text
from rareonco.security import audit
from rareonco.security.accounts import authenticate
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, Role, can, require
from rareonco.store.tables.cases import TimelineEvent
from rareonco.store.tables.courses import Course, CourseCycle, CycleDose

__all__ = ["administer", "cancel_cycle", "cosign", "pending_tasks", "return_cycle", "verify"]

#: Who may be the second person at a vesicant or intrathecal administration.
SECOND_CHECK_ROLES = (Role.NURSE.value, Role.CLINICIAN.value)


def _cycle(session: Session, course_id: int, number: int) -> tuple[Course, CourseCycle]:
    course = load_course(session, course_id)
    cycle = next((c for c in course.cycles if c.number == number), None)
    if cycle is None:
        raise NotFound(f"cycle {number} of course {course_id} is not prescribed")
    return course, cycle


def _step(cycle: CourseCycle, step: str, actor: Actor, reason: str | None = None) -> datetime:
    now = datetime.now(UTC)
    entry = {"step": step, "by": actor.username, "at": now.isoformat(timespec="seconds")}
    cycle.history = [*cycle.history, entry | ({"reason": reason} if reason else {})]
    return now


def _state(cycle: CourseCycle, *wanted: str) -> None:
    if cycle.state not in wanted:
        raise Conflict(f"cycle {cycle.number} is {cycle.state}, not {' or '.join(wanted)}")


def _not_prescriber(cycle: CourseCycle, actor: Actor, what: str) -> None:
    if actor.user_id is not None and actor.user_id == cycle.recorded_by:
        raise Forbidden(f"the prescriber cannot {what} their own prescription")


def cosign(session: Session, actor: Actor, course_id: int, number: int) -> CourseCycle:
    """A second person (clinician or pharmacist) co-signs a prescription with overrides."""
    require(actor.role, Permission.CYCLE_COSIGN)
    course, cycle = _cycle(session, course_id, number)
    _state(cycle, "prescribed")
    if not awaiting_cosignature(cycle):
        raise Conflict(f"cycle {number} has no override waiting for a co-signature")
    _not_prescriber(cycle, actor, "co-sign")
    cycle.cosigned_by, cycle.cosigned_at = actor.user_id, _step(cycle, "cosigned", actor)
    session.flush()
    audit.record(session, actor, "cosign", _resource(course, cycle),
                 "; ".join(f"{o['finding']}: {o['reason_code']}" for o in cycle.overrides))
    return cycle


def verify(session: Session, actor: Actor, course_id: int, number: int) -> CourseCycle:
    """The pharmacist's verification: the gate re-run on today's data must find what the
    prescription found (same codes, drugs and severities); the recomputation is stored."""
    require(actor.role, Permission.CYCLE_VERIFY)
    course, cycle = _cycle(session, course_id, number)
    _state(cycle, "prescribed")
    if awaiting_cosignature(cycle):
        raise Conflict(f"cycle {number} has overrides waiting for a second person's co-signature")
    _not_prescriber(cycle, actor, "verify")
    doses = [DoseIn(drug=d.drug, day=d.day, dose_mg=d.dose_mg) for d in cycle.doses]
    overrides = [OverrideIn(finding=o["finding"], drug=o["drug"], reason_code=o["reason_code"],
                            text=o["text"]) for o in cycle.overrides]
    checked = check_cycle(session, course, number, cycle.start_date, doses, overrides,
                          this_cycle=cycle)
    stored = {(f["code"], f.get("drug"), f["severity"]) for f in cycle.findings
              if f["code"] != "delay_without_reason"}
    now = checked.finding_keys()
    if now != stored:
        raise Conflict(f"the findings changed since the prescription: "
                       f"new {_keys(now - stored)}; gone {_keys(stored - now)}; "
                       "return the cycle for the clinician to prescribe again",
                       findings=[f.to_dict() for f in checked.result.findings])
    cycle.state, cycle.verified_by = "verified", actor.user_id
    cycle.verified_at = _step(cycle, "verified", actor)
    cycle.verification = checked.snapshot()
    session.flush()
    audit.record(session, actor, "verify", _resource(course, cycle),
                 f"BSA {checked.bsa_m2:.2f} m2; doxorubicin-eq "
                 f"{checked.result.cumulative_doxorubicin_equivalent_mg_m2:.1f} mg/m2")
    return cycle


def _keys(keys: set[tuple[str, str | None, str]]) -> str:
    return ", ".join(sorted(f"{c}{f' ({d})' if d else ''} [{s}]" for c, d, s in keys)) or "none"


def return_cycle(session: Session, actor: Actor, course_id: int, number: int,
                 data: StepReasonIn) -> CourseCycle:
    """The pharmacist returns a prescription to the clinician, with a reason."""
    require(actor.role, Permission.CYCLE_VERIFY)
    course, cycle = _cycle(session, course_id, number)
    _state(cycle, "prescribed", "verified")
    reason = meaningful_text(data.reason, "reason")
    cycle.state, cycle.return_reason = "returned", reason
    _step(cycle, "returned", actor, reason)
    session.flush()
    audit.record(session, actor, "return", _resource(course, cycle), reason)
    return cycle


def cancel_cycle(session: Session, actor: Actor, course_id: int, number: int,
                 data: StepReasonIn) -> CourseCycle:
    """The clinician cancels a prescription not yet administered, with a reason."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    course, cycle = _cycle(session, course_id, number)
    _state(cycle, "prescribed", "verified", "returned")
    if any(d.given_mg is not None for d in cycle.doses):
        raise Conflict(f"cycle {number} is partly administered; stop the course instead")
    reason = meaningful_text(data.reason, "reason")
    cycle.state, cycle.cancel_reason = "cancelled", reason
    _step(cycle, "cancelled", actor, reason)
    if not any(c.state in ("prescribed", "verified", "administered") for c in course.cycles):
        course.status = "planned"
    session.flush()
    audit.record(session, actor, "cancel", _resource(course, cycle), reason)
    return cycle


def administer(session: Session, actor: Actor, course_id: int, number: int,
               data: AdministerIn) -> CourseCycle:
    """Record doses as given (nurse); vesicants and intrathecal routes need the second check."""
    require(actor.role, Permission.CYCLE_ADMINISTER)
    course, cycle = _cycle(session, course_id, number)
    _state(cycle, "verified")
    rows = {(d.drug, d.day): d for d in cycle.doses}
    recorded: list[tuple[CycleDose, float, datetime]] = []
    for i, given in enumerate(data.doses):
        drug = resolve_drug(given.drug, f"doses.{i}.drug").id
        row = rows.get((drug, given.day))
        if row is None:
            raise InvalidInput(f"doses.{i}", f"{drug} on day {given.day} is not prescribed")
        if row.given_mg is not None:
            raise Conflict(f"{drug} on day {given.day} is already recorded as given")
        if given.given_at.tzinfo is None:
            raise InvalidInput(f"doses.{i}.given_at", "give the time with its UTC offset")
        if given.given_at > datetime.now(UTC):
            raise InvalidInput(f"doses.{i}.given_at", "an administration is recorded when given")
        if given.dose_mg > row.dose_mg * 1.001 + 0.005:  # 0.1 %, or the 0.01 mg of rounding
            raise InvalidInput(f"doses.{i}.dose_mg", f"{given.dose_mg:g} mg is more than the "
                               f"verified {row.dose_mg:g} mg")
        recorded.append((row, given.dose_mg, given.given_at))
    checker = _second_check(session, actor, [r for r, _, _ in recorded], data,
                            _resource(course, cycle))
    for row, mg, at in recorded:
        row.given_mg, row.given_at, row.given_by = mg, at, actor.user_id
        row.second_check_by = checker
    _step(cycle, "administered" if all(d.given_mg is not None for d in cycle.doses)
          else "partly administered", actor)
    if all(d.given_mg is not None for d in cycle.doses):
        _complete(session, actor, course, cycle)
    session.flush()
    audit.record(session, actor, "administer", _resource(course, cycle), "; ".join(
        f"{r.drug} d{r.day} {mg:g} mg" + (" (second check)" if checker else "")
        for r, mg, _ in recorded))
    return cycle


def _needs_second_check(row: CycleDose) -> bool:
    return resolve_drug(row.drug).vesicant or "intrathecal" in (row.route or "").casefold() \
        or (row.route or "").upper() == "IT"


def _second_check(session: Session, actor: Actor, rows: list[CycleDose], data: AdministerIn,
                  resource: str) -> int | None:
    """The second person's user id when a recorded dose needs it (else None)."""
    needing = sorted({r.drug for r in rows if _needs_second_check(r)})
    if not needing:
        return None
    if data.second_check is None:
        raise InvalidInput("second_check", f"{', '.join(needing)}: a vesicant or intrathecal "
                           "administration needs a second person's check")
    return _checker(session, actor, data.second_check, resource, needing)


def _checker(session: Session, actor: Actor, check: SecondCheckIn, resource: str,
             drugs: list[str]) -> int:
    try:
        user = authenticate(session, check.username, check.password)
    except Unauthenticated:
        raise InvalidInput("second_check.password", "wrong username or password") from None
    if user.id == actor.user_id:
        raise InvalidInput("second_check.username", "the second check is another person's")
    if user.role not in SECOND_CHECK_ROLES:
        raise InvalidInput("second_check.username", "the second person is a nurse or a clinician")
    audit.record(session, Actor(user.id, user.username, user.role, actor.client), "second_check",
                 resource, f"{', '.join(drugs)} with {actor.username}")
    return user.id


def _complete(session: Session, actor: Actor, course: Course, cycle: CourseCycle) -> None:
    now = datetime.now(UTC)
    cycle.state, cycle.administered_at = "administered", now
    done = {c.number for c in course.cycles if c.state == "administered"} | {cycle.number}
    if done >= {c["number"] for c in course.plan["cycles"]}:
        course.status = "completed"
    if cycle.timeline_event_id is None:
        cycle.timeline_event_id = _timeline_event(session, actor, course, cycle)


def _timeline_event(session: Session, actor: Actor, course: Course, cycle: CourseCycle) -> int:
    total = len(course.plan["cycles"])
    planned = next(c for c in course.plan["cycles"] if c["number"] == cycle.number)
    label = f" ({planned['block']})" if planned.get("block") else ""
    codes = [f["code"] for f in cycle.findings]
    event = TimelineEvent(
        case_id=course.case_id, kind="chemotherapy_cycle", event_date=cycle.start_date,
        author_id=actor.user_id,
        summary=f"{course.regimen_id} cycle {cycle.number} of {total}{label}"
                + (f", delayed {cycle.delay_days} d" if cycle.delay_days else "")
                + (", with co-signed overrides" if cycle.overrides else ""),
        payload={"regimen": course.regimen_id, "cycle": cycle.number, "course_id": course.id,
                 "block": planned.get("block"), "findings": codes,
                 "overrides": [o["finding"] for o in cycle.overrides]})
    session.add(event)
    session.flush()
    return event.id


def _resource(course: Course, cycle: CourseCycle) -> str:
    return f"course/{course.id}/cycle/{cycle.number}"


def pending_tasks(session: Session, actor: Actor) -> list[PendingTaskOut]:
    """Cycles waiting for the actor: co-signature (clinician, pharmacist; not their own
    prescriptions), verification (pharmacist) or administration (nurse). Pure query, no audit
    entry (it shows no patient data beyond the case number)."""
    wanted = []
    if can(actor.role, Permission.CYCLE_COSIGN):
        wanted.append("prescribed")
    if can(actor.role, Permission.CYCLE_ADMINISTER):
        wanted.append("verified")
    if not wanted:
        return []
    rows = session.execute(
        select(CourseCycle, Course.case_id, Course.regimen_id)
        .join(Course, CourseCycle.course_id == Course.id)
        .where(CourseCycle.state.in_(wanted))
        .order_by(CourseCycle.start_date, CourseCycle.id)).all()
    names = usernames(session, {c.recorded_by for c, _, _ in rows})
    out = []
    for cycle, case_id, regimen in rows:
        task = _task(actor, cycle)
        if task is not None:
            out.append(PendingTaskOut(
                task=task, course_id=cycle.course_id, case_id=case_id, regimen=regimen,
                cycle=cycle.number, start_date=cycle.start_date,
                prescribed_by=names.get(cycle.recorded_by) if cycle.recorded_by else None))
    return out


def _task(actor: Actor, cycle: CourseCycle) -> str | None:
    own = actor.user_id is not None and actor.user_id == cycle.recorded_by
    if cycle.state == "verified":
        return "administer" if can(actor.role, Permission.CYCLE_ADMINISTER) else None
    if awaiting_cosignature(cycle):
        return None if own else "cosign"
    if can(actor.role, Permission.CYCLE_VERIFY) and not own:
        return "verify"
    return None
