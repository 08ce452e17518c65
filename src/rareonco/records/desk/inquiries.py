"""International desk: inquiries from abroad become a referral and a case on a new or matched
patient, with their documents (type-checked, stored outside the database with checksums).

Review, opinions and logistics are in `review.py`; the dashboard in `dashboard.py`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rareonco.errors import InvalidInput, NotFound
from rareonco.i18n import vocab
from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import CaseIn, EventIn
from rareonco.records.desk.schemas import (
    OPEN_STATUSES,
    STATUSES,
    ClosedOut,
    DocumentOut,
    InquiryIn,
    InquiryOut,
    OpinionOut,
    VisitOut,
)
from rareonco.records.patients import service as patients
from rareonco.records.patients.schemas import PatientIn
from rareonco.records.referrals import documents
from rareonco.records.referrals import service as referrals
from rareonco.records.referrals.schemas import ReferralIn
from rareonco.records.schemas import iso
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, can, require
from rareonco.store.tables.accounts import User
from rareonco.store.tables.desk import Inquiry, RemoteOpinion
from rareonco.store.tables.patients import Patient

SELF_REFERRAL = "Self-referral (international inquiry)"
MAX_FILES = 20


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: BinaryIO


def public_actor(client: str) -> Actor:
    """Who submits the public form: nobody logged in, acting with the desk's rights only."""
    return Actor(None, "public-inquiry", "coordinator", client)


def _name_key(family: str, given: str) -> tuple[str, str]:
    first = (given.split() or [""])[0]
    return (vocab.transliterate(family).casefold().replace("'", ""),
            vocab.transliterate(first).casefold().replace("'", ""))


def match_patient(session: Session, data: InquiryIn) -> tuple[Patient | None, str]:
    """An existing patient for this inquiry: by passport (number and country), else by family
    name, first given name (in either script) and birth date when no other passport is on file."""
    if data.passport_number:
        found = session.scalar(select(Patient).where(
            Patient.passport_number == data.passport_number,
            Patient.passport_country == data.citizenship))
        if found is not None:
            return found, "passport"
    key = _name_key(data.family_name, data.given_names)
    for p in session.scalars(select(Patient).where(Patient.birth_date == data.birth_date)):
        if key in (_name_key(p.family_name, p.given_names),
                   _name_key(p.family_name_latin, p.given_names_latin)):
            if data.passport_number and p.passport_number not in (None, data.passport_number):
                continue
            return p, "name_birth_date"
    return None, "new"


def submit(session: Session, actor: Actor, data: InquiryIn, files: list[Upload], data_dir: Path,
           max_bytes: int, source: str = "public") -> Inquiry:
    """Register an inquiry: patient (matched or new), referral, case, documents, timeline."""
    require(actor.role, Permission.REFERRAL_WRITE)
    if len(files) > MAX_FILES:
        raise InvalidInput("files", f"at most {MAX_FILES} files per inquiry")
    patient, matched_by = match_patient(session, data)
    if patient is None:
        patient = patients.create(session, actor, PatientIn(
            family_name=data.family_name, given_names=data.given_names, sex=data.sex,
            birth_date=data.birth_date, citizenship=data.citizenship,
            residence_country=data.residence_country,
            preferred_language=data.preferred_language, passport_number=data.passport_number,
            email=data.email, phone=data.phone))
    reason = data.diagnosis_text + (f"\n\n{data.message}" if data.message else "")
    ref = referrals.create(session, actor, patient.id, ReferralIn(
        referring_institution=data.referring_institution or SELF_REFERRAL,
        country=data.residence_country, referral_date=date.today(), reason=reason))
    case = cases.open_case(session, actor, patient.id, CaseIn(referral_id=ref.id))
    inquiry = Inquiry(reference=_reference(session), source=source, status="new",
                      patient_id=patient.id, referral_id=ref.id, case_id=case.id,
                      matched_by=matched_by, **data.model_dump())
    session.add(inquiry)
    session.flush()
    translation = "not_needed" if data.preferred_language in ("ru", "en") else "needed"
    for f in files:
        documents.store(session, actor, data_dir, ref.id, f.filename, f.stream, max_bytes,
                        translation)
    cases.add_event(session, actor, case.id, EventIn(
        kind="referral", event_date=date.today(),
        summary=f"International inquiry {inquiry.reference} from "
                f"{vocab.country_name(data.residence_country)} ({len(files)} documents)",
        payload={"inquiry": inquiry.reference, "source": source, "matched_by": matched_by}))
    audit.record(session, actor, "create", f"inquiry/{inquiry.id}",
                 f"patient/{patient.id};matched_by={matched_by};files={len(files)}")
    return inquiry


def _reference(session: Session) -> str:
    while True:
        ref = "INQ-" + secrets.token_hex(3).upper()
        if session.scalar(select(Inquiry.id).where(Inquiry.reference == ref)) is None:
            return ref


def add_documents(session: Session, actor: Actor, inquiry_id: int, files: list[Upload],
                  data_dir: Path, max_bytes: int, translation: str = "not_needed") -> Inquiry:
    inquiry = _get(session, inquiry_id)
    for f in files:
        documents.store(session, actor, data_dir, inquiry.referral_id, f.filename, f.stream,
                        max_bytes, translation)
    session.refresh(inquiry.referral, ["documents"])
    return inquiry


def _get(session: Session, inquiry_id: int) -> Inquiry:
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise NotFound(f"inquiry {inquiry_id} not found")
    return inquiry


def get(session: Session, actor: Actor, inquiry_id: int) -> Inquiry:
    require(actor.role, Permission.PATIENT_READ)
    inquiry = _get(session, inquiry_id)
    audit.record(session, actor, "read", f"inquiry/{inquiry_id}", f"patient/{inquiry.patient_id}")
    return inquiry


def search(session: Session, actor: Actor, status: str | None = None,
           country: str | None = None, open_only: bool = False) -> list[Inquiry]:
    require(actor.role, Permission.PATIENT_READ)
    q = select(Inquiry).options(selectinload(Inquiry.case))
    if status:
        if status not in STATUSES:
            raise InvalidInput("status", "one of " + ", ".join(STATUSES))
        q = q.where(Inquiry.status == status)
    if country:
        q = q.where(Inquiry.residence_country == vocab.country(country, "country"))
    if open_only:
        q = q.where(Inquiry.status.in_(OPEN_STATUSES))
    rows = session.scalars(q.order_by(Inquiry.received_at.desc()).limit(500)).all()
    audit.record(session, actor, "search", "inquiries",
                 f"status={status or ''};country={country or ''};results={len(rows)}")
    return list(rows)


def view(inquiry: Inquiry, actor: Actor) -> InquiryOut:
    """The inquiry as the API answers it and its page shows it (opinions as `actor` may see
    them)."""
    ref = inquiry.referral
    return InquiryOut(
        id=inquiry.id, version=inquiry.version, reference=inquiry.reference,
        source=inquiry.source, status=inquiry.status,
        received_at=iso(inquiry.received_at), first_answer_at=iso(inquiry.first_answer_at),
        family_name=inquiry.family_name, given_names=inquiry.given_names,
        birth_date=iso(inquiry.birth_date), sex=inquiry.sex,
        citizenship=inquiry.citizenship, residence_country=inquiry.residence_country,
        preferred_language=inquiry.preferred_language,
        passport_number=inquiry.passport_number, email=inquiry.email,
        phone=inquiry.phone, referring_institution=inquiry.referring_institution,
        diagnosis_text=inquiry.diagnosis_text, message=inquiry.message,
        patient_id=inquiry.patient_id, referral_id=inquiry.referral_id,
        case_id=inquiry.case_id, case_status=inquiry.case.status,
        matched_by=inquiry.matched_by,
        reviewer_id=inquiry.reviewer_id,
        reviewer=_name(inquiry.reviewer), assigned_at=iso(inquiry.assigned_at),
        documents=[DocumentOut.model_validate(d) for d in ref.documents],
        opinions=[opinion_view(o, actor) for o in inquiry.opinions],
        closed=ClosedOut(reason=inquiry.close_reason, note=inquiry.close_note,
                         by=_name(inquiry.closer), at=iso(inquiry.closed_at))
        if inquiry.close_reason else None,
        visit=VisitOut(planned_arrival=iso(inquiry.planned_arrival),
                       planned_departure=iso(inquiry.planned_departure),
                       department=inquiry.department,
                       interpreter_needed=inquiry.interpreter_needed,
                       letter_language=inquiry.letter_language,
                       letter_issued_at=iso(inquiry.letter_issued_at),
                       arrival_date=iso(inquiry.arrival_date),
                       admission_date=iso(inquiry.admission_date)))


def _name(user: User | None) -> str | None:
    return (user.full_name or user.username) if user else None


def opinion_view(o: RemoteOpinion, actor: Actor) -> OpinionOut:
    """The outcome, what is missing and why declined are for the desk to pass on; the clinical
    text only for clinical roles."""
    return OpinionOut(id=o.id, outcome=o.outcome, missing_items=o.missing_items, reason=o.reason,
                      created_at=iso(o.created_at), author=_name(o.author),
                      text=o.text if can(actor.role, Permission.CASE_READ_CLINICAL) else None)
