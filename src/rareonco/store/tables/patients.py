"""Patients and the name words their search reads."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rareonco.store.tables.base import Base, Versioned

if TYPE_CHECKING:  # relationships resolve by class name once every table module is imported
    from rareonco.store.tables.cases import Case
    from rareonco.store.tables.referrals import Referral


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
        # candidate retrieval of the identity matcher (`records.patients.matching`)
        Index("ix_patients_birth_date", "birth_date"),
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

    __mapper_args__ = MappingProxyType({"version_id_col": Versioned.version})


def _code_point_string(length: int) -> String:
    """A string column compared by code point on every database (the "C" collation on
    PostgreSQL; SQLite's default BINARY already is)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


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
