"""Remote review and the visit: assign a specialist, the specialist's remote opinion (accept,
more data with what, decline with why), translation status of documents, visit logistics,
invitation letter, arrival and admission.

Pathway moves go through `cases.transition` (pathway rules, audit, status_change event):
assigning moves referral_received -> remote_review; the opinion moves the case to accepted,
declined, or back to referral_received for more data; admission moves accepted -> admitted.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from rareonco.errors import Conflict, Forbidden, InvalidInput, NotFound
from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import EventIn, TransitionIn
from rareonco.records.desk.inquiries import _get
from rareonco.records.desk.schemas import (
    OPEN_STATUSES,
    ArrivalIn,
    AssignIn,
    CloseIn,
    OpinionIn,
    TranslationIn,
    VisitIn,
)
from rareonco.records.versions import require_version
from rareonco.reports.invitation_letter import Invitation, InvitedPatient
from rareonco.reports.invitation_letter import letter_pdf as invitation_letter_pdf
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, can, require
from rareonco.store.tables.accounts import User
from rareonco.store.tables.base import utcnow
from rareonco.store.tables.cases import Case
from rareonco.store.tables.desk import Inquiry, RemoteOpinion
from rareonco.store.tables.patients import Patient
from rareonco.store.tables.referrals import Document

OPINION_MOVES = {"accept": ("accepted", "accepted"), "decline": ("declined", "declined"),
                 "more_data": ("referral_received", "more_data")}


def opened(inquiry: Inquiry) -> tuple[Patient, Case]:
    """The inquiry's patient and case; Conflict while its identity waits for a coordinator."""
    if inquiry.patient is None or inquiry.case is None:
        raise Conflict(f"inquiry {inquiry.reference} waits for its identity to be checked; "
                       "settle it first")
    return inquiry.patient, inquiry.case


def _move(session: Session, actor: Actor, inquiry: Inquiry, to: str, note: str = "") -> None:
    cases.transition(session, actor, opened(inquiry)[1].id, TransitionIn(to=to, note=note))


def assign(session: Session, actor: Actor, inquiry_id: int, data: AssignIn) -> Inquiry:
    """A coordinator gives the inquiry to a specialist for remote review."""
    require(actor.role, Permission.REFERRAL_WRITE)
    inquiry = _get(session, inquiry_id)
    reviewer = session.get(User, data.reviewer_id)
    if reviewer is None or not reviewer.active or not can(reviewer.role,
                                                          Permission.CASE_WRITE_CLINICAL):
        raise InvalidInput("reviewer_id", "the reviewer is an active clinician")
    if inquiry.status not in ("new", "in_review", "more_data"):
        raise Conflict(f"inquiry {inquiry.reference} is {inquiry.status}; nothing to review")
    if opened(inquiry)[1].status == "referral_received":
        _move(session, actor, inquiry, "remote_review", f"remote review by {reviewer.username}")
    inquiry.reviewer_id, inquiry.assigned_at, inquiry.status = reviewer.id, utcnow(), "in_review"
    session.flush()
    audit.record(session, actor, "assign", f"inquiry/{inquiry.id}", f"reviewer={reviewer.id}")
    return inquiry


def write_opinion(session: Session, actor: Actor, inquiry_id: int,
                  data: OpinionIn) -> RemoteOpinion:
    """The assigned specialist's remote opinion; it moves the case and is the inquiry's answer."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    inquiry = _get(session, inquiry_id)
    if inquiry.status != "in_review":
        raise Conflict(f"inquiry {inquiry.reference} is {inquiry.status}, not in review")
    if actor.user_id != inquiry.reviewer_id and actor.role != "admin":
        raise Forbidden("only the assigned specialist writes the remote opinion")
    opinion = RemoteOpinion(inquiry_id=inquiry.id, author_id=actor.user_id,
                            **data.model_dump())
    session.add(opinion)
    to, status = OPINION_MOVES[data.outcome]
    _move(session, actor, inquiry, to, f"remote opinion: {data.outcome}")
    inquiry.status = status
    inquiry.first_answer_at = inquiry.first_answer_at or utcnow()
    session.flush()
    detail = {"accept": "accepted for treatment",
              "more_data": "more data needed: " + "; ".join(data.missing_items),
              "decline": f"declined: {data.reason}"}[data.outcome]
    cases.add_event(session, actor, opened(inquiry)[1].id, EventIn(
        kind="remote_opinion", event_date=date.today(),
        summary=f"Remote opinion on {inquiry.reference}: {detail}",
        payload={"inquiry": inquiry.reference, "outcome": data.outcome, "opinion_id": opinion.id}))
    audit.record(session, actor, "create", f"inquiry/{inquiry.id}/opinion/{opinion.id}",
                 data.outcome)
    session.refresh(inquiry, ["opinions"])
    return opinion


def set_translation(session: Session, actor: Actor, document_id: int,
                    data: TranslationIn) -> Document:
    require(actor.role, Permission.REFERRAL_WRITE)
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"document {document_id} not found")
    doc.translation_status = data.status
    session.flush()
    audit.record(session, actor, "update", f"document/{doc.id}",
                 f"translation_status={data.status}")
    return doc


def plan_visit(session: Session, actor: Actor, inquiry_id: int, data: VisitIn) -> Inquiry:
    require(actor.role, Permission.REFERRAL_WRITE)
    inquiry = _get(session, inquiry_id)
    if inquiry.status != "accepted":
        raise Conflict(f"a visit is planned for an accepted inquiry; {inquiry.reference} is "
                       f"{inquiry.status}")
    for key, value in data.model_dump().items():
        setattr(inquiry, key, value)
    session.flush()
    audit.record(session, actor, "update", f"inquiry/{inquiry.id}", "visit")
    return inquiry


def _invitation(inquiry: Inquiry) -> Invitation:
    p = opened(inquiry)[0]
    assert inquiry.planned_arrival is not None  # checked by the caller
    return Invitation(
        reference=inquiry.reference, department=inquiry.department,
        planned_arrival=inquiry.planned_arrival, planned_departure=inquiry.planned_departure,
        interpreter_needed=bool(inquiry.interpreter_needed),
        patient=InvitedPatient(
            family_name=p.family_name, given_names=p.given_names,
            family_name_latin=p.family_name_latin, given_names_latin=p.given_names_latin,
            birth_date=p.birth_date, citizenship=p.citizenship,
            passport_number=p.passport_number))


def invitation_letter(session: Session, actor: Actor, inquiry_id: int,
                      lang: str | None = None) -> tuple[Inquiry, bytes]:
    """The invitation letter (PDF) for travel and visa, in Russian or English."""
    require(actor.role, Permission.REFERRAL_WRITE)
    inquiry = _get(session, inquiry_id)
    if inquiry.status not in ("accepted", "admitted") or inquiry.planned_arrival is None:
        raise Conflict("an invitation is issued for an accepted inquiry with planned dates")
    lang = lang or inquiry.letter_language or "en"
    if lang not in ("ru", "en"):
        raise InvalidInput("lang", "ru or en")
    signer = session.get(User, actor.user_id) if actor.user_id else None
    pdf = invitation_letter_pdf(_invitation(inquiry), lang,
                                signer.full_name if signer else actor.username)
    inquiry.letter_issued_at, inquiry.letter_language = utcnow(), lang
    session.flush()
    audit.record(session, actor, "export", f"inquiry/{inquiry.id}/invitation",
                 f"patient/{inquiry.patient_id};lang={lang}")
    return inquiry, pdf


def record_arrival(session: Session, actor: Actor, inquiry_id: int, data: ArrivalIn) -> Inquiry:
    """The patient arrived; with an admission date the case moves accepted -> admitted."""
    require(actor.role, Permission.REFERRAL_WRITE)
    inquiry = _get(session, inquiry_id)
    if inquiry.status not in ("accepted", "admitted"):
        raise Conflict(f"inquiry {inquiry.reference} is {inquiry.status}, not accepted")
    inquiry.arrival_date = data.arrival_date
    if data.admission_date and inquiry.admission_date is None:
        inquiry.admission_date = data.admission_date
        cases.add_event(session, actor, opened(inquiry)[1].id, EventIn(
            kind="admission", event_date=data.admission_date,
            summary=f"Admitted ({inquiry.department or 'department not set'}); interpreter "
                    + ("needed" if inquiry.interpreter_needed else "not needed"),
            payload={"inquiry": inquiry.reference, "arrival_date": data.arrival_date.isoformat()}))
        _move(session, actor, inquiry, "admitted", f"arrived {data.arrival_date.isoformat()}")
        inquiry.status = "admitted"
    session.flush()
    audit.record(session, actor, "update", f"inquiry/{inquiry.id}", "arrival")
    return inquiry


def close(session: Session, actor: Actor, inquiry_id: int, data: CloseIn) -> Inquiry:
    """Close an open inquiry without an answer on the merits (spam, duplicate, withdrawn): it
    leaves the dashboard's open counts and overdue list. The case it opened keeps its pathway
    status (the pathway has no such reason); the audit entry and the inquiry keep why."""
    require(actor.role, Permission.REFERRAL_WRITE)
    inquiry = _get(session, inquiry_id)
    require_version(f"inquiry {inquiry.reference}", inquiry.version, data.version)
    if inquiry.status not in OPEN_STATUSES:
        raise Conflict(f"inquiry {inquiry.reference} is {inquiry.status}; only an open inquiry "
                       "is closed")
    before = inquiry.status
    inquiry.status, inquiry.close_reason, inquiry.close_note = "closed", data.reason, data.note
    inquiry.closed_by, inquiry.closed_at = actor.user_id, utcnow()
    session.flush()
    audit.record(session, actor, "close", f"inquiry/{inquiry.id}",
                 f"reason={data.reason};from={before};note={data.note[:200]}")
    return inquiry
