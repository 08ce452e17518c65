"""Tables of the response assessment: imaging timepoints with their lesion measurements (RECIST
1.1) and the pathological response of a resected tumour (Huvos). They belong to the case, not to
a course: a restaging CT serves whatever treatment follows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rareonco.store.tables.base import Base, utcnow


class ImagingTimepoint(Base):
    """One imaging assessment of the case's lesions (RECIST 1.1 baseline or follow-up)."""

    __tablename__ = "imaging_timepoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    baseline: Mapped[bool] = mapped_column(Boolean, default=False)
    modality: Mapped[str] = mapped_column(String(32), default="CT")
    non_target: Mapped[str] = mapped_column(String(16), default="absent")
    new_lesions: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    timeline_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lesions: Mapped[list[LesionMeasurement]] = relationship(
        back_populates="timepoint", order_by="LesionMeasurement.id", cascade="all, delete-orphan"
    )


class LesionMeasurement(Base):
    """A lesion at a timepoint: target (diameter in mm; short axis for nodes) or non-target."""

    __tablename__ = "lesion_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    timepoint_id: Mapped[int] = mapped_column(
        ForeignKey("imaging_timepoints.id", ondelete="CASCADE"), index=True)
    lesion: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(12))  # target | non_target
    organ: Mapped[str] = mapped_column(String(64), default="")
    node: Mapped[bool] = mapped_column(Boolean, default=False)
    diameter_mm: Mapped[float | None] = mapped_column(Float)

    timepoint: Mapped[ImagingTimepoint] = relationship(back_populates="lesions")


class PathologyResponse(Base):
    """Necrosis of the resection specimen after preoperative chemotherapy, and its Huvos grade."""

    __tablename__ = "pathology_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    specimen_date: Mapped[date] = mapped_column(Date)
    necrosis_pct: Mapped[float] = mapped_column(Float)
    huvos_grade: Mapped[str] = mapped_column(String(4))
    good_responder: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    timeline_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
