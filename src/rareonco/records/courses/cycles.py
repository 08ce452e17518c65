"""Prescribing a cycle: the gate of ``rareonco course check`` run on what the platform stores.

The checks are :func:`rareonco.regimens.gate.assess_cycle` (pure), fed by
:func:`rareonco.records.courses.checking.check_cycle`. A clinician prescribes:

- any ``block`` finding refuses the cycle with :class:`rareonco.errors.Conflict` (409) listing
  every finding; nothing is stored;
- every ``override`` finding needs a structured override (``overrides``: the finding's code and
  drug, a reason code of :data:`rareonco.regimens.findings.OVERRIDE_REASONS` and a free text of at
  least 10 letters or digits); one missing refuses it with :class:`ReasonRequired` (422,
  ``overrides``) listing the findings, a bad one with 422 naming ``overrides.N.code|text``;
- warnings are stored with the cycle and returned.

The cycle is then ``prescribed``; with overrides it waits for a second person's co-signature
before the pharmacist can verify it (:mod:`rareonco.records.courses.signoff`). A returned or
cancelled prescription is corrected on the same row (its steps stay in ``history``).

For MAP the whole block (AP + both methotrexate days) is one cycle, so the pre-checks of every
drug of the block are applied at its start.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rareonco.errors import Conflict, InvalidInput
from rareonco.records.courses.checking import ACTIVE_STATES, Checked, check_cycle
from rareonco.records.courses.schemas import CycleIn, CycleResultOut, FindingOut
from rareonco.records.courses.service import cycle_view, load_course, usernames
from rareonco.regimens.findings import SafetyFinding
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.courses import Course, CourseCycle, CycleDose

__all__ = ["PRESCRIBE_AHEAD_DAYS", "ReasonRequired", "record_cycle", "result_view"]

#: A cycle may be prescribed for a start at most this many days ahead (RareOnco policy: the
#: labs it is checked against are at most 7 days old at the start).
PRESCRIBE_AHEAD_DAYS = 14


class ReasonRequired(InvalidInput):
    """An ``override`` finding has no override (HTTP 422); carries every finding of the cycle."""

    def __init__(self, field: str, reason: str, findings: list[dict[str, object]]) -> None:
        super().__init__(field, reason)
        self.findings = findings

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "findings": self.findings}


def record_cycle(session: Session, actor: Actor, course_id: int, data: CycleIn,
                 timeline_event_id: int | None = None
                 ) -> tuple[CourseCycle, list[SafetyFinding]]:
    """Check and prescribe cycle ``data.number`` of the course; return it and every finding.

    ``timeline_event_id`` links an existing ``chemotherapy_cycle`` event (demo data that already
    has one) instead of adding one when the cycle is administered.
    """
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    course = load_course(session, course_id)
    again = _course_open_for(course, data)
    checked = check_cycle(session, course, data.number, data.start_date, data.doses,
                          data.overrides, this_cycle=again)
    _enforce(checked, data.number)
    cycle = _write(actor, course, again, checked, data)
    if again is None:
        session.add(cycle)
    cycle.timeline_event_id = timeline_event_id or cycle.timeline_event_id
    course.status = "in_progress"
    try:
        session.flush()
    except (IntegrityError, StaleDataError) as exc:  # the same cycle prescribed concurrently
        raise Conflict(f"cycle {data.number} of course {course_id} was prescribed concurrently; "
                       "reload") from exc
    _audit(session, actor, course, cycle)
    session.refresh(course, ["cycles"])
    return cycle, list(checked.result.findings)


def _course_open_for(course: Course, data: CycleIn) -> CourseCycle | None:
    """Whether cycle ``data.number`` can be prescribed on the course at ``data.start_date``: the
    course is open and plans that cycle, which is not already prescribed (a returned or cancelled
    prescription is returned, to be corrected), and the start falls after the course start,
    between the active cycles around it, at most :data:`PRESCRIBE_AHEAD_DAYS` ahead."""
    if course.status in ("stopped", "cancelled"):
        raise Conflict(f"course {course.id} was {course.status} on {course.stopped_on} "
                       f"({course.stop_reason}); plan a new course to give more cycles")
    planned = [c["number"] for c in course.plan["cycles"]]
    if data.number not in planned:
        raise InvalidInput("number", f"course {course.id} plans cycles "
                           f"{min(planned)}-{max(planned)}, not {data.number}")
    existing = next((c for c in course.cycles if c.number == data.number), None)
    if existing is not None and existing.state in ACTIVE_STATES:
        raise Conflict(f"cycle {data.number} of course {course.id} is already {existing.state}")
    if data.start_date > date.today() + timedelta(days=PRESCRIBE_AHEAD_DAYS):
        raise InvalidInput("start_date", f"a cycle is prescribed at most {PRESCRIBE_AHEAD_DAYS} "
                           "days ahead")
    if data.start_date < course.start_date:
        raise InvalidInput("start_date", f"before the course start {course.start_date}")
    active = [c for c in course.cycles if c.state in ACTIVE_STATES]
    earlier = [c for c in active if c.number < data.number]
    later = [c for c in active if c.number > data.number]
    if earlier and data.start_date <= max(c.start_date for c in earlier):
        raise InvalidInput("start_date", "must be after the start of the previous cycle")
    if later and data.start_date >= min(c.start_date for c in later):
        raise InvalidInput("start_date", "must be before the start of the next cycle")
    return existing


def _enforce(checked: Checked, number: int) -> None:
    result = checked.result
    every = [f.to_dict() for f in result.findings]
    blocks = [f for f in result.findings if f.severity == "block"]
    if blocks:
        raise Conflict(f"cycle {number} is blocked: {blocks[0].message()}", findings=every,
                       outstanding=[f.to_dict() for f in blocks])
    overridden = {(f.code, f.drug) for f, _ in result.overridden}
    missing = [f for f in result.findings
               if f.severity == "override" and (f.code, f.drug) not in overridden]
    if missing:
        first = missing[0]
        raise ReasonRequired("overrides", f"{first.message()}: needs an override (finding "
                             f"{first.code!r}{f', drug {first.drug!r}' if first.drug else ''}: "
                             "a reason code and a reason)", every)


def _nominal_start(course: Course, number: int, exclude: int | None) -> date:
    """The date the cycle was due: the previous active cycle's start plus the planned interval
    (the planned date for the first)."""
    starts = {c["number"]: date.fromisoformat(c["start"]) for c in course.plan["cycles"]}
    previous = [c for c in course.cycles
                if c.number < number and c.state in ACTIVE_STATES and c.id != exclude]
    if not previous:
        return starts[number]
    prev = max(previous, key=lambda c: c.number)
    return prev.start_date + (starts[number] - starts[prev.number])


def _write(actor: Actor, course: Course, again: CourseCycle | None, checked: Checked,
           data: CycleIn) -> CourseCycle:
    """The prescription on a new row, or on the returned/cancelled row being corrected (its
    sign-offs cleared, its history kept)."""
    cycle = again or CourseCycle(course_id=course.id, number=data.number, history=[])
    due = _nominal_start(course, data.number, again.id if again else None)
    delay = max((data.start_date - due).days, 0)
    findings = [f.to_dict() | {"labs_used": checked.labs_used}
                if f.code.startswith("precheck") else f.to_dict()
                for f in checked.result.findings]
    if delay and not (data.delay_reason or "").strip():
        findings.append({"code": "delay_without_reason", "severity": "warn", "drug": None,
                         "day": None, "params": {"days": delay, "due": due.isoformat()},
                         "message": f"starts {delay} days after the nominal date "
                                    f"{due.isoformat()}; no reason for the delay given",
                         "message_ru": f"начало на {delay} дн. позже расчётной даты "
                                       f"{due.isoformat()}; причина задержки не указана"})
    now = datetime.now(UTC)
    cycle.state = "prescribed"
    cycle.start_date, cycle.planned_start, cycle.delay_days = data.start_date, due, delay
    cycle.delay_reason = (data.delay_reason or "").strip() or None
    cycle.weight_kg, cycle.bsa_m2 = checked.weight_kg, checked.bsa_m2
    cycle.findings = findings
    cycle.overrides = [{"finding": f.code, "drug": f.drug, "reason_code": o.code, "text": o.text}
                       for f, o in checked.result.overridden]
    cycle.note, cycle.recorded_by = data.note, actor.user_id
    cycle.cosigned_by = cycle.cosigned_at = cycle.verified_by = cycle.verified_at = None
    cycle.verification = cycle.return_reason = cycle.cancel_reason = None
    cycle.history = [*cycle.history, {"step": "prescribed", "by": actor.username,
                                      "at": now.isoformat(timespec="seconds")}]
    by_drug = {d.drug: d for d in checked.cycle_plan.drugs}
    cycle.doses = [CycleDose(
        drug=d.drug, day=d.day, dose_mg=d.dose_mg, dose_mg_m2=d.dose_mg / checked.bsa_m2,
        protocol_mg=by_drug[d.drug].protocol_mg_per_day if d.drug in by_drug else None,
        route=by_drug[d.drug].route if d.drug in by_drug else None, reason=d.reason)
        for d in checked.doses]
    return cycle


def _audit(session: Session, actor: Actor, course: Course, cycle: CourseCycle) -> None:
    """One ``prescribe`` entry for the cycle and one ``override`` entry per override."""
    resource = f"course/{course.id}/cycle/{cycle.number}"
    audit.record(session, actor, "prescribe", resource, f"case/{course.case_id}")
    for o in cycle.overrides:
        drug = f" ({o['drug']})" if o["drug"] else ""
        audit.record(session, actor, "override", resource,
                     f"{o['finding']}{drug}: {o['reason_code']}: {o['text']}")


def result_view(session: Session, cycle: CourseCycle,
                findings: list[SafetyFinding]) -> CycleResultOut:
    """The prescribed cycle with its warnings, as the API returns it."""
    names = usernames(session, cycle_user_ids(cycle))
    return CycleResultOut(
        **dict(cycle_view(cycle, names)),
        warnings=[FindingOut.model_validate(f.to_dict()) for f in findings
                  if f.severity == "warn"])


def cycle_user_ids(cycle: CourseCycle) -> set[int | None]:
    return ({cycle.recorded_by, cycle.override_by, cycle.cosigned_by, cycle.verified_by}
            | {d.given_by for d in cycle.doses} | {d.second_check_by for d in cycle.doses})
