"""Cases (tumour episodes), their molecular findings and their timeline."""

from __future__ import annotations

from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rareonco.store.tables.accounts import User
from rareonco.store.tables.base import Base, Versioned, utcnow
from rareonco.store.tables.patients import Patient


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

    __mapper_args__ = MappingProxyType({"version_id_col": Versioned.version})


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
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")
    author: Mapped[User | None] = relationship(lazy="joined")

    @property
    def author_username(self) -> str | None:
        return self.author.username if self.author else None
