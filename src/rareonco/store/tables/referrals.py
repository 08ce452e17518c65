"""Referrals from other hospitals and the documents that come with them."""

from __future__ import annotations

from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rareonco.store.tables.base import Base, Versioned, utcnow
from rareonco.store.tables.patients import Patient


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

    __mapper_args__ = MappingProxyType({"version_id_col": Versioned.version})


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
