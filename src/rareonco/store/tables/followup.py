"""The follow-up clinic: planned surveillance and late-effect visits of a case after treatment,
and what each visit found (issue 23)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rareonco.store.tables.base import Base, Versioned


class FollowupVisit(Versioned, Base):
    __tablename__ = "followup_visits"
    __table_args__ = (Index("ix_followup_visits_due", "status", "due_on"),)
    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy declares it an instance variable (mypy)
        "version_id_col": Versioned.version}

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    end_of_treatment: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    #: surveillance (ESMO schedule) | late_effect (exposure-driven test)
    kind: Mapped[str] = mapped_column(String(16))
    months_after_treatment: Mapped[int | None] = mapped_column(Integer)
    tests: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")  # the exposure or the schedule's source
    status: Mapped[str] = mapped_column(String(12), default="planned")  # planned|done|missed|cancelled
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date)
    disease_status: Mapped[str | None] = mapped_column(String(16))
    findings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
