"""Tables of chemotherapy courses (issue 4).

A course is planned once (its dose sheet is kept as a JSON snapshot, so a later change of the
regimen library never rewrites what was planned); what was given is recorded cycle by cycle, one
row per drug per day in ``course_cycle_doses`` so that cumulative anthracycline exposure is one
query over every course of the case. Weights, laboratory values and adverse events belong to the
case, not to a course: a weight serves whatever treatment follows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rareonco.store.tables.base import Base, Versioned, utcnow


class Course(Versioned, Base):
    """A planned course of a regimen on a case, with the dose sheet as planned."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    regimen_id: Mapped[str] = mapped_column(String(32))
    regimen_version: Mapped[str] = mapped_column(String(16))
    regimen_name: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[date] = mapped_column(Date)
    height_cm: Mapped[float] = mapped_column(Float)
    weight_kg: Mapped[float] = mapped_column(Float)
    bsa_formula: Mapped[str] = mapped_column(String(16))
    bsa_m2: Mapped[float] = mapped_column(Float)
    n_cycles: Mapped[int | None] = mapped_column(Integer)
    #: ``CoursePlan.to_dict()`` at planning time: the dose sheet and calendar as planned.
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Anthracyclines given before this centre ([{"drug", "dose_mg_m2"}]), counted by the checks.
    external_anthracyclines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: A course ended before its last cycle (`records.courses.stop_course`): why, when, by whom.
    stop_reason: Mapped[str | None] = mapped_column(String(24))
    stop_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    stopped_on: Mapped[date | None] = mapped_column(Date)
    stopped_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cycles: Mapped[list[CourseCycle]] = relationship(
        back_populates="course", order_by="CourseCycle.number", cascade="all, delete-orphan"
    )

    # SQLAlchemy types it as an instance variable (no ClassVar); read once, when mapping:
    __mapper_args__ = {"version_id_col": Versioned.version}  # noqa: RUF012  # not mutated


class CourseCycle(Base):
    """A cycle as given: actual start, body size used, findings and the reasons clearing them."""

    __tablename__ = "course_cycles"
    __table_args__ = (UniqueConstraint("course_id", "number", name="uq_course_cycle_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    planned_start: Mapped[date] = mapped_column(Date)
    delay_days: Mapped[int] = mapped_column(Integer, default=0)
    delay_reason: Mapped[str | None] = mapped_column(Text)
    weight_kg: Mapped[float] = mapped_column(Float)
    bsa_m2: Mapped[float] = mapped_column(Float)
    #: Every safety finding at recording time (``Finding.to_dict()``), warnings included.
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    precheck_reason: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    timeline_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    course: Mapped[Course] = relationship(back_populates="cycles")
    doses: Mapped[list[CycleDose]] = relationship(
        back_populates="cycle", order_by="(CycleDose.drug, CycleDose.day)",
        cascade="all, delete-orphan",
    )


class CycleDose(Base):
    """One drug on one day of a given cycle; ``protocol_mg`` is the reference of the 10 % rule."""

    __tablename__ = "course_cycle_doses"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("course_cycles.id", ondelete="CASCADE"),
                                          index=True)
    drug: Mapped[str] = mapped_column(String(40))
    day: Mapped[int] = mapped_column(Integer)
    dose_mg: Mapped[float] = mapped_column(Float)
    #: dose_mg over the BSA used for the cycle: what cumulative anthracycline limits count.
    dose_mg_m2: Mapped[float] = mapped_column(Float)
    protocol_mg: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)

    cycle: Mapped[CourseCycle] = relationship(back_populates="doses")


class WeightMeasurement(Base):
    __tablename__ = "weight_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    measured_on: Mapped[date] = mapped_column(Date)
    weight_kg: Mapped[float] = mapped_column(Float)
    height_cm: Mapped[float | None] = mapped_column(Float)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LabResult(Base):
    """One laboratory value; the unit is in the test name (``anc_10e9_l``, ``bilirubin_x_uln``)."""

    __tablename__ = "lab_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    taken_on: Mapped[date] = mapped_column(Date)
    test: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AdverseEventRecord(Base):
    """An adverse event as a CTCAE v5.0 term and grade (1-5)."""

    __tablename__ = "adverse_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    cycle_number: Mapped[int | None] = mapped_column(Integer)
    term: Mapped[str] = mapped_column(String(200))
    grade: Mapped[int] = mapped_column(Integer)
    onset: Mapped[date] = mapped_column(Date)
    #: False when the term is outside RareOnco's tabulated CTCAE terms (grade not checked).
    term_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
