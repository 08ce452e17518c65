"""Cases (tumour episodes): open, read, update the diagnosis, move along the pathway, timeline."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from rareonco.clinical.codes import lookup_morphology, lookup_topography
from rareonco.errors import Conflict, Forbidden, InvalidInput, NotFound
from rareonco.records.cases import pathway
from rareonco.records.cases.schemas import CaseIn, CaseUpdate, EventIn, TransitionIn
from rareonco.records.cases.timeline import is_clinical
from rareonco.records.schemas import iso
from rareonco.records.versions import require_version
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, can, require
from rareonco.store.hot_reads import HotRead
from rareonco.store.tables.accounts import User
from rareonco.store.tables.cases import Case, MolecularFinding, TimelineEvent
from rareonco.store.tables.patients import Patient
from rareonco.store.tables.referrals import Referral

_CASE, _PATIENT, _FINDING = Case.__table__, Patient.__table__, MolecularFinding.__table__
_EVENT, _USER = TimelineEvent.__table__, User.__table__
# the case page's statements, built once (see `read_view`)
_READ_CASE = HotRead(select(_CASE, *(c.label(f"p__{c.name}") for c in _PATIENT.columns))
                     .join(_PATIENT, _PATIENT.c.id == _CASE.c.patient_id)
                     .where(_CASE.c.id == bindparam("case_id")))
_READ_FINDINGS = HotRead(select(_FINDING).where(_FINDING.c.case_id == bindparam("case_id"))
                         .order_by(_FINDING.c.id))
_READ_EVENTS = HotRead(select(_EVENT, _USER.c.username.label("author_username"))
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
    into light records instead of ORM objects; `view` reads both the same way."""
    _require_case_read(actor)
    conn = session.connection()
    row = _READ_CASE.first(conn, {"case_id": case_id})
    if row is None:
        raise NotFound(f"case {case_id} not found")
    m = row._asdict()
    case = SimpleNamespace(**{c.name: m[c.name] for c in _CASE.columns})
    case.patient = SimpleNamespace(**{c.name: m[f"p__{c.name}"] for c in _PATIENT.columns},
                                   cases=[])
    case.molecular_findings = _READ_FINDINGS.rows(conn, {"case_id": case_id})
    case.events = [
        SimpleNamespace(**e._asdict(), author=SimpleNamespace(username=e.author_username)
                        if e.author_username is not None else None)
        for e in _READ_EVENTS.rows(conn, {"case_id": case_id})]
    audit.record(session, actor, "read", f"case/{case_id}", f"patient/{case.patient_id}")
    return view(case, actor)  # type: ignore[arg-type]


def update_diagnosis(session: Session, actor: Actor, case_id: int, data: CaseUpdate) -> Case:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case = _load(session, case_id)
    require_version(f"case {case_id}", case.version, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for key, value in changes.items():
        setattr(case, key, value)
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"case {case_id} was changed concurrently; reload") from exc
    audit.record(session, actor, "update", f"case/{case_id}", ",".join(sorted(changes)))
    return case


def transition(session: Session, actor: Actor, case_id: int, data: TransitionIn) -> Case:
    """Move the case to `data.to` if the pathway allows it; the move becomes a timeline event."""
    case = _load(session, case_id)
    require_version(f"case {case_id}", case.version, data.version)
    target = pathway.check_transition(case.status, data.to, data.reason)
    move = (pathway.Status(case.status), target)
    if not can(actor.role, Permission.CASE_TRANSITION):
        if not (move in pathway.LOGISTICS and can(actor.role, Permission.LOGISTICS_TRANSITION)):
            raise Forbidden(f"role {actor.role!r} may not move a case from {move[0]} to {target}")
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


def add_event(session: Session, actor: Actor, case_id: int, data: EventIn,
              allow_future: bool = False) -> TimelineEvent:
    if is_clinical(data.kind):
        require(actor.role, Permission.CASE_WRITE_CLINICAL)
    else:
        require(actor.role, Permission.REFERRAL_WRITE)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    event = TimelineEvent(case_id=case_id, kind=data.kind, event_date=data.event_date,
                          summary=data.summary, payload=data.payload, author_id=actor.user_id)
    session.add(event)
    session.flush()
    audit.record(session, actor, "create", f"case/{case_id}/event/{event.id}", data.kind)
    return event


def event_view(event: TimelineEvent, actor: Actor) -> dict[str, Any] | None:
    """An event as the actor may see it; None when its kind is clinical and they may not."""
    if is_clinical(event.kind) and not can(actor.role, Permission.CASE_READ_CLINICAL):
        return None
    return {"id": event.id, "kind": event.kind, "date": iso(event.event_date),
            "summary": event.summary, "payload": event.payload,
            "author": event.author.username if event.author else None,
            "created_at": iso(event.created_at)}


def view(case: Case, actor: Actor) -> dict[str, Any]:
    """The case page's JSON: patient header, diagnosis, pathway, timeline (filtered by role)."""
    from rareonco.records.patients import service as patients

    clinical = can(actor.role, Permission.CASE_READ_CLINICAL)
    deidentified = not can(actor.role, Permission.PATIENT_READ)
    status = pathway.Status(case.status)
    out: dict[str, Any] = {
        "id": case.id, "version": case.version, "patient_id": case.patient_id,
        "status": case.status, "closed_reason": case.closed_reason,
        "allowed_next": [s.value for s in pathway.allowed_next(status)],
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
            {"finding": m.finding, "gene": m.gene, "method": m.method,
             "date": iso(m.finding_date)} for m in case.molecular_findings]
    if not deidentified:
        events = [event_view(e, actor) for e in case.events]
        out["timeline"] = [e for e in events if e is not None]
    return out
