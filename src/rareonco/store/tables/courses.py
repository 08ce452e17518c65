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
    #: Why this course may run beside another active course of the patient ({"reason_code",
    #: "text"}, issue 17 item 7); None when it was the only active one.
    concurrent_reason: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    cycles: Mapped[list[CourseCycle]] = relationship(
        back_populates="course", order_by="CourseCycle.number", cascade="all, delete-orphan"
    )

    # SQLAlchemy types it as an instance variable (no ClassVar); read once, when mapping:
    __mapper_args__ = {"version_id_col": Versioned.version}  # noqa: RUF012  # not mutated


#: States of a cycle (issue 17): a clinician prescribes; a second person co-signs a prescription
#: with overrides; a pharmacist verifies it or returns it (the clinician corrects and prescribes
#: again); a nurse records the administration. Rows from before issue 17 are ``administered``.
CYCLE_STATES = ("prescribed", "verified", "administered", "returned", "cancelled")


class CourseCycle(Base):
    """A cycle, prescribed then verified then administered: start, body size used, findings
    and the structured overrides clearing them, and who signed each step."""

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
    state: Mapped[str] = mapped_column(String(16), default="prescribed",
                                       server_default="administered")
    #: Structured overrides of the prescription ([{"finding", "drug", "reason_code", "text"}]).
    overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cosigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cosigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: What the pharmacist's independent recomputation found (BSA, doses, cumulative exposure).
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    return_reason: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    administered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Every step of the cycle's life ([{"step", "by", "at", "reason"}]): a returned prescription
    #: is corrected on the same row, its earlier steps stay here.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    course: Mapped[Course] = relationship(back_populates="cycles")
    doses: Mapped[list[CycleDose]] = relationship(
        back_populates="cycle", order_by="(CycleDose.drug, CycleDose.day)",
        cascade="all, delete-orphan",
    )


class CycleDose(Base):
    """One drug on one day of a cycle: ``dose_mg`` as prescribed (``protocol_mg`` the computed
    dose it is checked against), ``given_mg`` as administered (None until the nurse records it;
    only administered doses count towards cumulative exposure)."""

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
    route: Mapped[str | None] = mapped_column(String(24))
    given_mg: Mapped[float | None] = mapped_column(Float)
    given_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    given_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The second person who checked a vesicant or intrathecal administration.
    second_check_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cycle: Mapped[CourseCycle] = relationship(back_populates="doses")


class RegimenApproval(Base):
    """One approval of a regimen version by a pharmacist or a clinician; a version is approved
    for prescribing when both roles approved it (two different users)."""

    __tablename__ = "regimen_approvals"
    __table_args__ = (UniqueConstraint("regimen_id", "regimen_version", "role",
                                       name="uq_regimen_approval_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regimen_id: Mapped[str] = mapped_column(String(32))
    regimen_version: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
