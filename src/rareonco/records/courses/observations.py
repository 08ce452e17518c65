"""What is measured around chemotherapy: weights, laboratory values, adverse events.

They belong to the case (not to a course): the safety checks of any course read them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.clinical.ctcae import TERM_GRADES, AdverseEvent
from rareonco.errors import InvalidInput
from rareonco.records.courses.schemas import (
    AdverseEventIn,
    AdverseEventOut,
    LabOut,
    LabResultOut,
    LabsIn,
    LabsOut,
    ObservationsOut,
    WeightIn,
    WeightOut,
)
from rareonco.records.courses.service import case_or_404
from rareonco.records.schemas import iso
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.courses import (
    AdverseEventRecord,
    Course,
    LabResult,
    WeightMeasurement,
)

#: A laboratory value counts as a pre-check of a cycle only if taken at most this many days
#: before the cycle starts. RareOnco policy (issue 4 says "latest labs"; a count from a month ago
#: says nothing about today's marrow), not a published rule: change it here.
LAB_MAX_AGE_DAYS = 7
#: Tests that stay valid longer: an echocardiogram's LVEF for 90 days (RareOnco policy: the
#: sarcoma protocols repeat it before anthracycline blocks every 2-3 cycles, about 3 months).
LAB_MAX_AGE_DAYS_BY_TEST = {"lvef_pct": 90}


def _future(value: date, field: str) -> None:
    if value > date.today():
        raise InvalidInput(field, f"{value.isoformat()} is in the future")


def add_weight(session: Session, actor: Actor, case_id: int, data: WeightIn) -> WeightMeasurement:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case_or_404(session, case_id)
    _future(data.measured_on, "measured_on")
    row = WeightMeasurement(case_id=case_id, measured_on=data.measured_on,
                            weight_kg=data.weight_kg, height_cm=data.height_cm,
                            recorded_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", f"case/{case_id}/weight/{row.id}",
                 f"{data.weight_kg:g} kg on {data.measured_on.isoformat()}")
    return row


def add_labs(session: Session, actor: Actor, case_id: int, data: LabsIn) -> list[LabResult]:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case_or_404(session, case_id)
    _future(data.taken_on, "taken_on")
    rows = [LabResult(case_id=case_id, taken_on=data.taken_on, test=test, value=value,
                      recorded_by=actor.user_id) for test, value in data.values.items()]
    session.add_all(rows)
    session.flush()
    audit.record(session, actor, "create", f"case/{case_id}/labs",
                 f"{data.taken_on.isoformat()}: {','.join(sorted(data.values))}")
    return rows


def add_adverse_event(session: Session, actor: Actor, case_id: int,
                      data: AdverseEventIn) -> AdverseEventRecord:
    """Record a CTCAE v5.0 term and grade. A term RareOnco tabulates is checked against the grades
    that exist for it; any other term is kept with ``term_checked`` false (grade 1-5 only)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case_or_404(session, case_id)
    _future(data.onset, "onset")
    checked = data.term in TERM_GRADES
    if checked:
        AdverseEvent(data.term, data.grade)  # raises InvalidInput(term|grade)
    if data.course_id is not None:
        course = session.get(Course, data.course_id)
        if course is None or course.case_id != case_id:
            raise InvalidInput("course_id", f"course {data.course_id} is not this case's")
    row = AdverseEventRecord(case_id=case_id, course_id=data.course_id,
                             cycle_number=data.cycle_number, term=data.term, grade=data.grade,
                             onset=data.onset, term_checked=checked, note=data.note,
                             recorded_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", f"case/{case_id}/adverse-event/{row.id}",
                 f"{data.term} grade {data.grade}")
    return row


def latest_weight(session: Session, case_id: int, on_or_before: date) -> WeightMeasurement | None:
    return session.scalar(
        select(WeightMeasurement)
        .where(WeightMeasurement.case_id == case_id,
               WeightMeasurement.measured_on <= on_or_before)
        .order_by(WeightMeasurement.measured_on.desc(), WeightMeasurement.id.desc()).limit(1))


def latest_height_cm(session: Session, case_id: int, on_or_before: date) -> float | None:
    return session.scalar(
        select(WeightMeasurement.height_cm)
        .where(WeightMeasurement.case_id == case_id, WeightMeasurement.height_cm.is_not(None),
               WeightMeasurement.measured_on <= on_or_before)
        .order_by(WeightMeasurement.measured_on.desc(), WeightMeasurement.id.desc()).limit(1))


def latest_labs(session: Session, case_id: int, cycle_start: date) -> dict[str, LabResult]:
    """The latest value of each test taken on or before the cycle start and within its maximum
    age (:data:`LAB_MAX_AGE_DAYS`, :data:`LAB_MAX_AGE_DAYS_BY_TEST`)."""
    oldest = cycle_start - timedelta(days=max(LAB_MAX_AGE_DAYS, *LAB_MAX_AGE_DAYS_BY_TEST.values()))
    rows = session.scalars(
        select(LabResult)
        .where(LabResult.case_id == case_id, LabResult.taken_on <= cycle_start,
               LabResult.taken_on >= oldest)
        .order_by(LabResult.taken_on, LabResult.id)).all()
    latest = {}
    for r in rows:  # later rows overwrite earlier ones
        if (cycle_start - r.taken_on).days <= LAB_MAX_AGE_DAYS_BY_TEST.get(r.test,
                                                                          LAB_MAX_AGE_DAYS):
            latest[r.test] = r
    return latest


def labs_used(latest: dict[str, LabResult]) -> dict[str, dict[str, Any]]:
    """Where each value of :func:`latest_labs` came from ({test: {"value", "taken_on"}})."""
    return {t: {"value": r.value, "taken_on": iso(r.taken_on)} for t, r in latest.items()}


def observations_view(session: Session, actor: Actor, case_id: int) -> ObservationsOut:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    case_or_404(session, case_id)
    weights = session.scalars(select(WeightMeasurement).where(WeightMeasurement.case_id == case_id)
                              .order_by(WeightMeasurement.measured_on)).all()
    labs = session.scalars(select(LabResult).where(LabResult.case_id == case_id)
                           .order_by(LabResult.taken_on, LabResult.id)).all()
    aes = session.scalars(select(AdverseEventRecord).where(AdverseEventRecord.case_id == case_id)
                          .order_by(AdverseEventRecord.onset)).all()
    audit.record(session, actor, "read", f"case/{case_id}/observations")
    return ObservationsOut(
        weights=[weight_view(w) for w in weights],
        labs=[LabOut.model_validate(r) for r in labs],
        adverse_events=[ae_view(a) for a in aes])


def weight_view(w: WeightMeasurement) -> WeightOut:
    return WeightOut.model_validate(w)


def labs_view(taken_on: date, rows: list[LabResult]) -> LabsOut:
    """The values of one blood draw, as stored by :func:`add_labs`."""
    return LabsOut(taken_on=taken_on, results=[LabResultOut.model_validate(r) for r in rows])


def ae_view(a: AdverseEventRecord) -> AdverseEventOut:
    return AdverseEventOut.model_validate(a)
