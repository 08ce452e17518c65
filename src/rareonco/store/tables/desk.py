"""International desk tables: inquiries from abroad (with their visit logistics) and the remote
opinions written on them. Documents are the foundation's `documents`, on the inquiry's referral."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rareonco.store.tables.accounts import User
from rareonco.store.tables.base import Base, Versioned, utcnow
from rareonco.store.tables.cases import Case
from rareonco.store.tables.patients import Patient
from rareonco.store.tables.referrals import Referral


class Inquiry(Versioned, Base):
    __tablename__ = "desk_inquiries"
    __table_args__ = (Index("ix_desk_inquiries_status", "status"),
                      Index("ix_desk_inquiries_country", "residence_country"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    source: Mapped[str] = mapped_column(String(12))  # public | coordinator
    status: Mapped[str] = mapped_column(String(16), default="new")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_answer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    family_name: Mapped[str] = mapped_column(String(120))
    given_names: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(8))
    citizenship: Mapped[str] = mapped_column(String(2))
    residence_country: Mapped[str] = mapped_column(String(2))
    preferred_language: Mapped[str] = mapped_column(String(8))
    passport_number: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    referring_institution: Mapped[str | None] = mapped_column(String(300))
    diagnosis_text: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text, default="")
    # none of the three until a coordinator settles the identity (status identity_review)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: how the patient was found: link (the matcher) | new | review (waiting) | chosen (a
    #: coordinator linked it) | confirmed_new (a coordinator created the patient) | relinked;
    #: older rows: passport | name_birth_date
    matched_by: Mapped[str] = mapped_column(String(20))
    #: the matcher's candidates (ids, scores, agreements, conflicts) when it asked for review
    identity_candidates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # logistics of the visit
    planned_arrival: Mapped[date | None] = mapped_column(Date)
    planned_departure: Mapped[date | None] = mapped_column(Date)
    department: Mapped[str | None] = mapped_column(String(200))
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    letter_language: Mapped[str | None] = mapped_column(String(2))
    letter_issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrival_date: Mapped[date | None] = mapped_column(Date)
    admission_date: Mapped[date | None] = mapped_column(Date)
    # closed without an answer on the merits (spam, duplicate, withdrawn: desk_schemas)
    close_reason: Mapped[str | None] = mapped_column(String(16))
    close_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    patient: Mapped[Patient | None] = relationship()
    referral: Mapped[Referral | None] = relationship()
    case: Mapped[Case | None] = relationship()
    files: Mapped[list[InquiryFile]] = relationship(order_by="InquiryFile.id")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id], lazy="joined")
    closer: Mapped[User | None] = relationship(foreign_keys=[closed_by])
    opinions: Mapped[list[RemoteOpinion]] = relationship(
        back_populates="inquiry", order_by="RemoteOpinion.id")

    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy declares it an instance variable (mypy)
        "version_id_col": Versioned.version}


class RemoteOpinion(Base):
    """A specialist's remote opinion on an inquiry; never changed once written."""

    __tablename__ = "desk_remote_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("desk_inquiries.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(16))  # accept | more_data | decline
    text: Mapped[str] = mapped_column(Text, default="")
    missing_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="opinions")
    author: Mapped[User | None] = relationship(lazy="joined")


class InquiryFile(Base):
    """A file of an inquiry waiting for its identity to be settled: stored as documents are
    (outside the database, under its SHA-256), it becomes a `Document` of the referral once
    the inquiry has its patient."""

    __tablename__ = "desk_inquiry_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("desk_inquiries.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    translation_status: Mapped[str] = mapped_column(String(20), default="not_needed")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
