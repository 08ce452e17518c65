"""International desk: inquiries from abroad become a referral and a case on a new or matched
patient (the identity matcher decides, or a coordinator when it asks for review: `identity`),
with their documents (type-checked, stored outside the database with checksums).

Review, opinions and logistics are in `review.py`; the dashboard in `dashboard.py`.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rareonco.errors import InvalidInput, NotFound
from rareonco.i18n import vocab
from rareonco.identity import Person
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
from rareonco.records.patients import matching
from rareonco.records.patients import service as patients
from rareonco.records.patients.schemas import CandidateOut, PatientIn
from rareonco.records.referrals import documents
from rareonco.records.referrals import service as referrals
from rareonco.records.referrals.schemas import ReferralIn
from rareonco.records.schemas import iso
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, can, require
from rareonco.store.tables.accounts import User
from rareonco.store.tables.desk import Inquiry, InquiryFile, RemoteOpinion
from rareonco.store.tables.patients import Patient
from rareonco.store.tables.referrals import Document

SELF_REFERRAL = "Self-referral (international inquiry)"
MAX_FILES = 20


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: BinaryIO


def public_actor(client: str) -> Actor:
    """Who submits the public form: nobody logged in, acting with the desk's rights only."""
    return Actor(None, "public-inquiry", "coordinator", client)


def person_of(data: InquiryIn) -> Person:
    """The person of an inquiry as the identity matcher sees them (the names as typed, in
    whatever script; the passport issued by the country of citizenship)."""
    return Person(family=data.family_name, given=data.given_names, birth_date=data.birth_date,
                  sex=data.sex,  # type: ignore[arg-type]  # a Sex value by the schema
                  passport=data.passport_number, passport_country=data.citizenship,
                  country=data.citizenship)


def submit(session: Session, actor: Actor, data: InquiryIn, files: list[Upload], data_dir: Path,
           max_bytes: int, source: str = "public") -> Inquiry:
    """Register an inquiry. The identity matcher decides the patient (`rareonco.identity`:
    never on one identifier alone): ``link`` attaches it to the patient on file, ``new``
    registers a new patient, both then open the referral and the case with the documents;
    ``review`` opens nothing: the inquiry waits in the coordinator's queue (status
    identity_review) with the candidates, its files kept aside (`identity.resolve`)."""
    require(actor.role, Permission.REFERRAL_WRITE)
    if len(files) > MAX_FILES:
        raise InvalidInput("files", f"at most {MAX_FILES} files per inquiry")
    decision, candidates = matching.find(session, person_of(data))
    inquiry = Inquiry(reference=_reference(session), source=source, status="new",
                      matched_by=decision, **data.model_dump())
    session.add(inquiry)
    session.flush()
    translation = "not_needed" if data.preferred_language in ("ru", "en") else "needed"
    for f in files:
        keep_file(session, actor, inquiry, documents.save_file(data_dir, f.filename, f.stream,
                                                               max_bytes), translation)
    if decision == "review":
        inquiry.status = "identity_review"
        inquiry.identity_candidates = [c.model_dump(mode="json") for c in candidates]
        session.flush()
        audit.record(session, actor, "create", f"inquiry/{inquiry.id}",
                     "identity=review;candidates=" + ",".join(f"patient/{c.id}" for c in candidates)
                     + f";files={len(files)}")
        return inquiry
    if decision == "link":
        patient = session.get_one(Patient, next(c.id for c in candidates if c.outcome == "link"))
    else:
        patient = patients.create(session, actor, patient_in(data), identity_check=False)
    attach(session, actor, inquiry, patient)
    audit.record(session, actor, "create", f"inquiry/{inquiry.id}",
                 f"patient/{patient.id};matched_by={decision};files={len(files)}")
    return inquiry


def patient_in(data: InquiryIn | Inquiry) -> PatientIn:
    """A new patient from the inquiry's person."""
    return PatientIn(
        family_name=data.family_name, given_names=data.given_names, sex=data.sex,
        birth_date=data.birth_date, citizenship=data.citizenship,
        residence_country=data.residence_country,
        preferred_language=data.preferred_language, passport_number=data.passport_number,
        email=data.email, phone=data.phone)


def keep_file(session: Session, actor: Actor, inquiry: Inquiry, stored: documents.StoredFile,
              translation: str) -> InquiryFile:
    """A stored file kept on the inquiry until `attach` makes it a document of the referral."""
    row = InquiryFile(inquiry_id=inquiry.id, translation_status=translation,
                      uploaded_by=actor.user_id, **asdict(stored))
    session.add(row)
    session.flush()
    return row


def attach(session: Session, actor: Actor, inquiry: Inquiry, patient: Patient) -> None:
    """Open the inquiry on `patient`: the referral, the case, the kept files as documents of
    the referral, and the referral event on the case's timeline."""
    reason = inquiry.diagnosis_text + (f"\n\n{inquiry.message}" if inquiry.message else "")
    ref = referrals.create(session, actor, patient.id, ReferralIn(
        referring_institution=inquiry.referring_institution or SELF_REFERRAL,
        country=inquiry.residence_country, referral_date=date.today(), reason=reason))
    case = cases.open_case(session, actor, patient.id, CaseIn(referral_id=ref.id))
    inquiry.patient_id, inquiry.referral_id, inquiry.case_id = patient.id, ref.id, case.id
    session.flush()
    files = list(session.scalars(select(InquiryFile).where(InquiryFile.inquiry_id == inquiry.id)
                                 .order_by(InquiryFile.id)))
    for f in files:
        doc = Document(patient_id=patient.id, referral_id=ref.id, filename=f.filename,
                       kind=f.kind, content_type=f.content_type, size_bytes=f.size_bytes,
                       sha256=f.sha256, storage_key=f.storage_key,
                       translation_status=f.translation_status, uploaded_by=f.uploaded_by)
        session.add(doc)
        session.flush()
        audit.record(session, actor, "upload", f"document/{doc.id}", f"referral/{ref.id};{f.sha256}")
        session.delete(f)
    session.flush()
    session.refresh(inquiry, ["files", "referral", "case", "patient"])
    cases.add_event(session, actor, case.id, EventIn(
        kind="referral", event_date=date.today(),
        summary=f"International inquiry {inquiry.reference} from "
                f"{vocab.country_name(inquiry.residence_country)} ({len(files)} documents)",
        payload={"inquiry": inquiry.reference, "source": inquiry.source,
                 "matched_by": inquiry.matched_by}))


def _reference(session: Session) -> str:
    while True:
        ref = "INQ-" + secrets.token_hex(3).upper()
        if session.scalar(select(Inquiry.id).where(Inquiry.reference == ref)) is None:
            return ref


def add_documents(session: Session, actor: Actor, inquiry_id: int, files: list[Upload],
                  data_dir: Path, max_bytes: int, translation: str = "not_needed") -> Inquiry:
    inquiry = _get(session, inquiry_id)
    if inquiry.referral_id is None:  # waiting for its identity: kept on the inquiry
        require(actor.role, Permission.REFERRAL_WRITE)
        if translation not in documents.TRANSLATION_STATUSES:
            raise InvalidInput("translation_status",
                               "one of " + ", ".join(documents.TRANSLATION_STATUSES))
        for f in files:
            keep_file(session, actor, inquiry,
                      documents.save_file(data_dir, f.filename, f.stream, max_bytes), translation)
        session.refresh(inquiry, ["files"])
        return inquiry
    for f in files:
        documents.store(session, actor, data_dir, inquiry.referral_id, f.filename, f.stream,
                        max_bytes, translation)
    assert inquiry.referral is not None  # checked above
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
        case_id=inquiry.case_id, case_status=inquiry.case.status if inquiry.case else None,
        matched_by=inquiry.matched_by,
        identity_candidates=[CandidateOut.model_validate(c)
                             for c in inquiry.identity_candidates or []]
        if inquiry.status == "identity_review" else [],
        kept_files=[DocumentOut.model_validate(f) for f in inquiry.files],
        reviewer_id=inquiry.reviewer_id,
        reviewer=_name(inquiry.reviewer), assigned_at=iso(inquiry.assigned_at),
        documents=[DocumentOut.model_validate(d) for d in ref.documents] if ref else [],
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
