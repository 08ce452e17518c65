"""Tables. One class per record; mutable records carry `version` for optimistic locking.

Changing a table means adding an Alembic revision under `migrations/versions/`.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Versioned:
    """Optimistic locking: SQLAlchemy bumps `version` on each UPDATE and refuses a stale one."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Credential(Base):
    """A bearer token (kind 'api') or a browser session (kind 'web'); only the hash is stored."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class Patient(Versioned, Base):
    __tablename__ = "patients"
    __table_args__ = (
        UniqueConstraint("passport_country", "passport_number", name="uq_patient_passport"),
        UniqueConstraint("citizenship", "national_id", name="uq_patient_national_id"),
        Index("ix_patients_name_search", "name_search"),
        # country then list order: a country's first page is read in order from the index
        Index("ix_patients_residence_sort", "residence_country", "family_name_latin",
              "given_names_latin", "id"),
        Index("ix_patients_citizenship_sort", "citizenship", "family_name_latin",
              "given_names_latin", "id"),
        Index("ix_patients_sort", "family_name_latin", "given_names_latin", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(32), unique=True)
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)
    family_name: Mapped[str] = mapped_column(String(120))
    given_names: Mapped[str] = mapped_column(String(200))
    family_name_latin: Mapped[str] = mapped_column(String(120))
    given_names_latin: Mapped[str] = mapped_column(String(200))
    name_search: Mapped[str] = mapped_column(String(700))
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    citizenship: Mapped[str] = mapped_column(String(2))
    residence_country: Mapped[str] = mapped_column(String(2))
    preferred_language: Mapped[str] = mapped_column(String(8))
    other_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    national_id: Mapped[str | None] = mapped_column(String(40))
    passport_number: Mapped[str | None] = mapped_column(String(40))
    passport_country: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)

    cases: Mapped[list[Case]] = relationship(back_populates="patient", order_by="Case.id")
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="patient", order_by="Referral.id"
    )

    __mapper_args__ = {"version_id_col": Versioned.version}  # type: ignore[dict-item]


def _code_point_string(length: int) -> String:
    """A string column compared by code point on every database (the "C" collation on
    PostgreSQL; SQLite's default BINARY already is)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")  # type: ignore[return-value]


class PatientNameToken(Base):
    """One word of a patient's names (any script, case-folded), for indexed prefix search."""

    __tablename__ = "patient_name_tokens"
    __table_args__ = (
        Index("ix_patient_name_tokens_token", "token", "patient_id"),
        Index("ix_patient_name_tokens_token_sort", "token", "sort_key", "patient_id"),
    )

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    #: "C" collation on PostgreSQL (code-point order, as SQLite's BINARY), so that the prefix
    #: range [word, word + U+FFFF) holds exactly the words that start with `word`
    token: Mapped[str] = mapped_column(_code_point_string(120), primary_key=True)
    #: the patient's list order (Latin family name, given names, id), copied here so that a
    #: name search sorts and pages within the index, without touching the patients table
    sort_key: Mapped[str] = mapped_column(_code_point_string(400), default="")


class Referral(Versioned, Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    referring_institution: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    referral_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    patient: Mapped[Patient] = relationship(back_populates="referrals")
    documents: Mapped[list[Document]] = relationship(
        back_populates="referral", order_by="Document.id"
    )

    __mapper_args__ = {"version_id_col": Versioned.version}  # type: ignore[dict-item]


class Document(Base):
    """An uploaded file: stored outside the database, named by its SHA-256."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    translation_status: Mapped[str] = mapped_column(String(20), default="not_needed")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    referral: Mapped[Referral | None] = relationship(back_populates="documents")


class Case(Versioned, Base):
    """One tumour episode of a patient, moved along the pathway state machine."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status", "status"),
        Index("ix_cases_morphology", "morphology_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    status: Mapped[str] = mapped_column(String(32), default="referral_received")
    closed_reason: Mapped[str | None] = mapped_column(String(32))
    morphology_code: Mapped[str | None] = mapped_column(String(8))
    topography_code: Mapped[str | None] = mapped_column(String(8))
    laterality: Mapped[str] = mapped_column(String(16), default="unknown")
    site_detail: Mapped[str] = mapped_column(Text, default="")
    grade: Mapped[str | None] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(32))
    diagnosis_date: Mapped[date | None] = mapped_column(Date)

    patient: Mapped[Patient] = relationship(back_populates="cases")
    molecular_findings: Mapped[list[MolecularFinding]] = relationship(
        back_populates="case", order_by="MolecularFinding.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[TimelineEvent]] = relationship(
        back_populates="case", order_by="(TimelineEvent.event_date, TimelineEvent.id)"
    )

    __mapper_args__ = {"version_id_col": Versioned.version}  # type: ignore[dict-item]


class MolecularFinding(Base):
    __tablename__ = "molecular_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    finding: Mapped[str] = mapped_column(String(200))
    gene: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(100))
    finding_date: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship(back_populates="molecular_findings")


class TimelineEvent(Base):
    """A dated, typed event on a case; the payload's shape depends on the kind."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    event_date: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")
    author: Mapped[User | None] = relationship(lazy="joined")


class AuditEntry(Base):
    """Append-only, hash-chained log of every read and write of patient data.

    Triggers created by the migration refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(200), index=True)
    client: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row that serialises appends to the audit chain (locked per append)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
