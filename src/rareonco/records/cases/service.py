"""Cases (tumour episodes): open, read, update the diagnosis, move along the pathway, timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from rareonco.clinical.codes import lookup_morphology, lookup_topography
from rareonco.errors import Conflict, Forbidden, InvalidInput, NotFound
from rareonco.i18n import N_
from rareonco.records.cases import pathway
from rareonco.records.cases.schemas import (
    CaseIn,
    CaseListItemOut,
    CasePageOut,
    EventIn,
    TransitionIn,
)
from rareonco.records.cases.timeline import PLANNABLE_KINDS, is_clinical
from rareonco.records.patients import service as patients
from rareonco.records.patients.search import PATIENT_ROW_COLUMNS, PatientRow
from rareonco.records.schemas import iso
from rareonco.records.versions import require_version
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, can, require
from rareonco.store.hot_reads import HotRead
from rareonco.store.tables.accounts import User
from rareonco.store.tables.board import BoardDecision
from rareonco.store.tables.cases import Case, MolecularFinding, TimelineEvent
from rareonco.store.tables.courses import Course
from rareonco.store.tables.hipec import HipecProcedure
from rareonco.store.tables.patients import Patient
from rareonco.store.tables.referrals import Referral


@dataclass(slots=True)
class EventRecord:
    """A timeline event as the case page reads it (Core, not ORM: see `read_view`)."""

    id: int
    kind: str
    event_date: dt.date
    summary: str
    payload: dict[str, Any]
    created_at: dt.datetime | None
    author_username: str | None


@dataclass(slots=True)
class CaseRecord:
    """The case columns `view` shows, with its patient, findings and events, as the case page
    reads them (Core, not ORM: see `read_view`)."""

    id: int
    version: int
    patient_id: int
    status: str
    closed_reason: str | None
    morphology_code: str | None
    topography_code: str | None
    laterality: str
    site_detail: str
    grade: str | None
    stage: str | None
    diagnosis_date: dt.date | None
    patient: PatientRow
    molecular_findings: Sequence[Row[Any]] = ()
    events: list[EventRecord] = field(default_factory=list)


_CASE_FIELDS = tuple(f.name for f in fields(CaseRecord))[:-3]  # the columns, in order
_EVENT_FIELDS = tuple(f.name for f in fields(EventRecord))[:-1]
_CASE, _PATIENT, _FINDING = Case.__table__, Patient.__table__, MolecularFinding.__table__
_EVENT, _USER = TimelineEvent.__table__, User.__table__
# the case page's statements, built once (see `read_view`); their columns come in the order of
# the records' fields, so that a row builds its record by position
_READ_CASE = HotRead(select(*(_CASE.c[n] for n in _CASE_FIELDS),
                            *(_PATIENT.c[n] for n in PATIENT_ROW_COLUMNS))
                     .join(_PATIENT, _PATIENT.c.id == _CASE.c.patient_id)
                     .where(_CASE.c.id == bindparam("case_id")))
_READ_FINDINGS = HotRead(select(_FINDING).where(_FINDING.c.case_id == bindparam("case_id"))
                         .order_by(_FINDING.c.id))
_READ_EVENTS = HotRead(select(*(_EVENT.c[n] for n in _EVENT_FIELDS),
                              _USER.c.username.label("author_username"))
                       .outerjoin(_USER, _USER.c.id == _EVENT.c.author_id)
                       .where(_EVENT.c.case_id == bindparam("case_id"))
                       .order_by(_EVENT.c.event_date, _EVENT.c.id))


def open_case(session: Session, actor: Actor, patient_id: int, data: CaseIn) -> Case:
    require(actor.role, Permission.REFERRAL_WRITE)
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"patient {patient_id} not found")
    if data.referral_id is not None:
        ref = session.get(Referral, data.referral_id)
        if ref is None or ref.patient_id != patient_id:
            raise InvalidInput("referral_id", f"referral {data.referral_id} is not this patient's")
    diagnosis = data.model_dump(exclude={"referral_id", "molecular_findings"}, exclude_none=True)
    if (diagnosis or data.molecular_findings) and not can(actor.role,
                                                          Permission.CASE_WRITE_CLINICAL):
        raise Forbidden(f"role {actor.role!r} may not record a diagnosis")
    case = Case(patient_id=patient_id, referral_id=data.referral_id, **diagnosis)
    case.molecular_findings = [MolecularFinding(**m.model_dump()) for m in data.molecular_findings]
    session.add(case)
    session.flush()
    audit.record(session, actor, "create", f"case/{case.id}", f"patient/{patient_id}")
    return case


def open_and_reload(session: Session, actor: Actor, patient_id: int, data: CaseIn) -> Case:
    """`open_case`, then the case read back with its patient, findings and events (for
    `view`)."""
    case = open_case(session, actor, patient_id, data)
    session.refresh(case)
    return case


def _load(session: Session, case_id: int) -> Case:
    case = session.scalar(
        select(Case).where(Case.id == case_id).options(
            selectinload(Case.molecular_findings), selectinload(Case.events),
            selectinload(Case.patient)))
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def _require_case_read(actor: Actor) -> None:
    if not (can(actor.role, Permission.CASE_READ_STATUS)
            or can(actor.role, Permission.PATIENT_READ_DEIDENTIFIED)):
        require(actor.role, Permission.CASE_READ_STATUS)


def get(session: Session, actor: Actor, case_id: int) -> Case:
    _require_case_read(actor)
    case = _load(session, case_id)
    audit.record(session, actor, "read", f"case/{case_id}", f"patient/{case.patient_id}")
    return case


def read_view(session: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    """The case page's JSON (`view`) for `case_id`, read and audited like `get`.

    The case page is the most read resource, so it is read with three plain Core statements
    (case with its patient, molecular findings, timeline with authors; `store.hot_reads`)
    into light records (`CaseRecord`) instead of ORM objects; `view` reads both alike."""
    _require_case_read(actor)
    conn = session.connection()
    row = _READ_CASE.first(conn, {"case_id": case_id})
    if row is None:
        raise NotFound(f"case {case_id} not found")
    split = len(_CASE_FIELDS)
    case = CaseRecord(**dict(zip(_CASE_FIELDS, row[:split], strict=True)),
                      patient=PatientRow(*row[split:]),
                      molecular_findings=_READ_FINDINGS.rows(conn, {"case_id": case_id}),
                      events=[EventRecord(*e) for e in _READ_EVENTS.rows(conn,
                                                                         {"case_id": case_id})])
    audit.record(session, actor, "read", f"case/{case_id}", f"patient/{case.patient_id}")
    return view(case, actor)


def list_cases(session: Session, actor: Actor, status: str | None, icdo: str | None,
               page: int = 1, per_page: int = 25) -> CasePageOut:
    """One page of cases, newest first, by pathway status and ICD-O-3 code (either axis)."""
    require(actor.role, Permission.CASE_READ_STATUS)
    query = select(Case)
    if status:
        query = query.where(Case.status == pathway.parse_status(status, "status").value)
    if icdo:
        query = query.where((Case.morphology_code == icdo) | (Case.topography_code == icdo))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Case.id.desc()).offset((page - 1) * per_page)
                           .limit(per_page)).all()
    audit.record(session, actor, "search", "cases", f"status={status};icdo={icdo}")
    return CasePageOut(items=[CaseListItemOut.model_validate(c) for c in rows], total=total,
                       page=page, per_page=per_page)


def _has_events(session: Session, case_id: int, kinds: tuple[str, ...]) -> bool:
    return session.scalar(select(TimelineEvent.id).where(
        TimelineEvent.case_id == case_id, TimelineEvent.kind.in_(kinds)).limit(1)) is not None


def _signed_decisions(session: Session, case_id: int) -> list[BoardDecision]:
    return list(session.scalars(select(BoardDecision).where(
        BoardDecision.case_id == case_id, BoardDecision.signed_at.is_not(None))).all())


def _treatment_planned(session: Session, case_id: int) -> bool:
    R = pathway.Requirement
    if _has_events(session, case_id, pathway.EVIDENCE_EVENTS[R.TREATMENT_PLAN]):
        return True
    for table in (Course, HipecProcedure):
        if session.scalar(select(table.id).where(table.case_id == case_id).limit(1)):
            return True
    return any(r.get("kind") in pathway.PLAN_RECOMMENDATIONS
               for d in _signed_decisions(session, case_id) for r in d.recommendations)


def _met(session: Session, case: Case, requirement: pathway.Requirement) -> bool:
    """Whether the case holds what `requirement` asks (the rules are data in `pathway`)."""
    R = pathway.Requirement
    if requirement is R.MORPHOLOGY:
        return bool(case.morphology_code)
    if requirement is R.TOPOGRAPHY:
        return bool(case.topography_code)
    if requirement is R.PATHOLOGY_REPORT:
        return _has_events(session, case.id, pathway.EVIDENCE_EVENTS[R.PATHOLOGY_REPORT])
    if requirement is R.SIGNED_BOARD_DECISION:
        return bool(_signed_decisions(session, case.id))
    if requirement is R.TREATMENT_PLAN:
        return _treatment_planned(session, case.id)
    raise AssertionError(requirement)  # pragma: no cover - every requirement is checked above


def missing_requirements(session: Session, case: Case,
                         target: pathway.Status) -> list[pathway.Requirement]:
    """What the case lacks before it may enter `target` (empty when nothing)."""
    return [r for r in pathway.requirements(target) if not _met(session, case, r)]


def require_prerequisites(session: Session, case: Case, target: pathway.Status) -> None:
    """Refuse (409) a move to `target` while the case lacks what it requires, naming it."""
    missing = missing_requirements(session, case, target)
    if missing:
        raise Conflict(pathway.missing_message(target, missing), current=case.status,
                       target=target.value, missing=[m.value for m in missing])


def transition(session: Session, actor: Actor, case_id: int, data: TransitionIn) -> Case:
    """Move the case to `data.to` if the pathway allows it; the move becomes a timeline event."""
    case = _load(session, case_id)
    require_version(f"case {case_id}", case.version, data.version)
    target = pathway.check_transition(case.status, data.to, data.reason)
    move = (pathway.Status(case.status), target)
    if not can(actor.role, Permission.CASE_TRANSITION) and not (
            move in pathway.LOGISTICS and can(actor.role, Permission.LOGISTICS_TRANSITION)):
        raise Forbidden(f"role {actor.role!r} may not move a case from {move[0]} to {target}")
    require_prerequisites(session, case, target)
    previous = case.status
    case.status = target.value
    case.closed_reason = data.reason if target is pathway.Status.CLOSED else None
    session.add(TimelineEvent(
        case_id=case.id, kind="status_change", event_date=date.today(), author_id=actor.user_id,
        summary=f"{previous} → {target.value}" + (f" ({data.reason})" if data.reason else ""),
        payload={"from": previous, "to": target.value, "reason": data.reason, "note": data.note,
                 "by": actor.username}))
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"case {case_id} was changed concurrently; reload") from exc
    audit.record(session, actor, "transition", f"case/{case_id}", f"{previous}->{target.value}")
    session.refresh(case, ["events"])
    return case


#: The refusals of `check_event_date` (fixed texts, so that the pages can translate them)
EVENT_DATE_MESSAGES = {
    "before_birth": N_("the date is before the patient's birth"),
    "not_plannable": N_("only an admission, imaging, biopsy, surgery or follow-up visit may "
                        "be planned"),
    "planned_past": N_("a planned event is dated today or later"),
    "future": N_("the date is in the future; only planned events may be dated after today"),
}


def check_event_date(kind: str, event_date: date, planned: bool, birth_date: date | None,
                     today: date) -> None:
    """An event happens on or before today, unless it is a planned event of a kind that may
    be planned (then on or after today); never before the patient's birth."""
    if birth_date is not None and event_date < birth_date:
        raise InvalidInput("event_date", EVENT_DATE_MESSAGES["before_birth"])
    if planned:
        if kind not in PLANNABLE_KINDS:
            raise InvalidInput("planned", EVENT_DATE_MESSAGES["not_plannable"])
        if event_date < today:
            raise InvalidInput("event_date", EVENT_DATE_MESSAGES["planned_past"])
    elif event_date > today:
        raise InvalidInput("event_date", EVENT_DATE_MESSAGES["future"])


def add_event(session: Session, actor: Actor, case_id: int, data: EventIn) -> TimelineEvent:
    """Add a dated event (`check_event_date`); a planned one carries ``"planned": true`` in
    its payload."""
    if is_clinical(data.kind):
        require(actor.role, Permission.CASE_WRITE_CLINICAL)
    else:
        require(actor.role, Permission.REFERRAL_WRITE)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    check_event_date(data.kind, data.event_date, data.planned, case.patient.birth_date,
                     date.today())
    payload = {**data.payload, "planned": True} if data.planned else data.payload
    event = TimelineEvent(case_id=case_id, kind=data.kind, event_date=data.event_date,
                          summary=data.summary, payload=payload, author_id=actor.user_id)
    session.add(event)
    session.flush()
    audit.record(session, actor, "create", f"case/{case_id}/event/{event.id}", data.kind)
    return event


def event_view(event: TimelineEvent | EventRecord, actor: Actor) -> dict[str, Any] | None:
    """An event as the actor may see it (a plain dict shaped as `EventOut`); None when its
    kind is clinical and they may not."""
    if is_clinical(event.kind) and not can(actor.role, Permission.CASE_READ_CLINICAL):
        return None
    return own_event_view(event)


def timeline_view(session: Session, actor: Actor, case_id: int) -> list[dict[str, Any]]:
    """The case's timeline as the actor may see it (`EventOut` each), read and audited like
    `get`; not part of the de-identified view."""
    case = get(session, actor, case_id)
    if actor.role == "researcher":
        raise InvalidInput("case_id", "the timeline is not part of the de-identified view")
    return [v for e in case.events if (v := event_view(e, actor)) is not None]


def own_event_view(event: TimelineEvent | EventRecord) -> dict[str, Any]:
    """An event as its author sees it right after adding it (`EventOut`): writing a kind
    needs a permission that includes reading it, so nothing is hidden."""
    return {"id": event.id, "kind": event.kind, "date": iso(event.event_date),
            "summary": event.summary, "payload": event.payload,
            "author": event.author_username, "created_at": iso(event.created_at)}


def view(case: Case | CaseRecord, actor: Actor) -> dict[str, Any]:
    """The case page's JSON: patient header, diagnosis, pathway, timeline (filtered by role);
    a plain dict shaped as `CaseOut` (what a role may not see is absent), serialised directly
    by pydantic-core on the case page's hot path."""
    clinical = can(actor.role, Permission.CASE_READ_CLINICAL)
    deidentified = not can(actor.role, Permission.PATIENT_READ)
    status = pathway.Status(case.status)
    out: dict[str, Any] = {
        "id": case.id, "version": case.version, "patient_id": case.patient_id,
        "status": case.status, "closed_reason": case.closed_reason,
        "allowed_next": [s.value for s in pathway.allowed_next(status)],
        "suggested_next": (nxt.value if (nxt := pathway.suggested_next(status)) else None),
        "backward": [s.value for s in pathway.allowed_next(status)
                     if pathway.is_backward(status, s)],
        "patient": patients.view(case.patient, actor),
    }
    out["patient"].pop("cases", None)
    if clinical or deidentified:
        morph = lookup_morphology(case.morphology_code) if case.morphology_code else None
        topo = lookup_topography(case.topography_code) if case.topography_code else None
        out["diagnosis"] = {
            "morphology_code": case.morphology_code,
            "morphology": morph.label_en if morph else None,
            "morphology_ru": morph.label_ru if morph else None,
            "topography_code": case.topography_code,
            "topography": topo.label_en if topo else None,
            "topography_ru": topo.label_ru if topo else None,
            "laterality": case.laterality, "grade": case.grade, "stage": case.stage,
        }
    if clinical:
        out["diagnosis"].update(site_detail=case.site_detail,
                                diagnosis_date=iso(case.diagnosis_date))
        out["molecular_findings"] = [
            {"id": m.id, "finding": m.finding, "gene": m.gene, "method": m.method,
             "date": iso(m.finding_date)} for m in case.molecular_findings]
    if not deidentified:
        events = [event_view(e, actor) for e in case.events]
        out["timeline"] = [e for e in events if e is not None]
    return out
