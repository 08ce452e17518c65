"""HIPEC tables: the procedure record, its perfusion samples and its alarms.

Samples are stored one row per accepted batch, columnar JSON in a text column
(``{"t_s": [...], "probes": {"inflow": [...], ...}, "flow_l_min": [...] | null}``, NaN as null).
At 20 perfusions x 10 probes x 10 Hz that is one INSERT per batch instead of 2,000 rows a
second, which SQLite in WAL mode sustains easily; a 60-minute perfusion at 10 Hz is about 3 MB.
``(procedure_id, t_first_s)`` is unique, so a batch can never be stored twice.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rareonco.store.tables.accounts import User
from rareonco.store.tables.base import Base, Versioned, utcnow
from rareonco.store.tables.cases import Case, TimelineEvent


class HipecProcedure(Versioned, Base):
    """One hyperthermic intraperitoneal chemoperfusion, recorded on a case's timeline."""

    __tablename__ = "hipec_procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("timeline_events.id"))
    surgery_event_id: Mapped[int | None] = mapped_column(ForeignKey("timeline_events.id"))
    procedure_date: Mapped[date] = mapped_column(Date)
    technique: Mapped[str] = mapped_column(String(8))  # open | closed
    drugs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{drug, dose_mg_m2, dose_mg}]
    height_cm: Mapped[float] = mapped_column(Float)
    weight_kg: Mapped[float] = mapped_column(Float)
    bsa_m2: Mapped[float] = mapped_column(Float)
    carrier_solution: Mapped[str] = mapped_column(String(100))
    carrier_volume_ml: Mapped[float] = mapped_column(Float)
    target_low_c: Mapped[float] = mapped_column(Float, default=42.0)
    target_high_c: Mapped[float] = mapped_column(Float, default=43.0)
    planned_duration_min: Mapped[float] = mapped_column(Float, default=60.0)
    flow_rate_l_min: Mapped[float | None] = mapped_column(Float)
    pci: Mapped[int | None] = mapped_column(Integer)
    cc_score: Mapped[str | None] = mapped_column(String(4))
    probes: Mapped[list[str]] = mapped_column(JSON, default=list)  # expected probe names
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned|running|finished
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship()
    event: Mapped[TimelineEvent | None] = relationship(foreign_keys=[event_id])
    surgery_event: Mapped[TimelineEvent | None] = relationship(foreign_keys=[surgery_event_id])

    # SQLAlchemy types it as an instance variable (no ClassVar); read once, when mapping:
    __mapper_args__ = {"version_id_col": Versioned.version}  # noqa: RUF012  # not mutated


class HipecSampleBatch(Base):
    """One accepted batch of samples (columnar JSON, see the module docstring)."""

    __tablename__ = "hipec_sample_batches"
    __table_args__ = (UniqueConstraint("procedure_id", "t_first_s",
                                       name="uq_hipec_batch_procedure_t"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("hipec_procedures.id", ondelete="CASCADE"))
    t_first_s: Mapped[float] = mapped_column(Float)
    t_last_s: Mapped[float] = mapped_column(Float)
    n_samples: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="api")  # api|import|simulator|demo
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HipecAlarm(Base):
    """An alarm raised by the procedure's alarm monitor; acknowledged once by a user."""

    __tablename__ = "hipec_alarms"
    __table_args__ = (Index("ix_hipec_alarms_procedure_t", "procedure_id", "t_s"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("hipec_procedures.id", ondelete="CASCADE"))
    t_s: Mapped[float] = mapped_column(Float)
    onset_s: Mapped[float] = mapped_column(Float)
    type: Mapped[str] = mapped_column(String(32))
    probe: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text)
    #: escalation level 1-3 and the episode the announcement belongs to (issue 19)
    level: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    episode: Mapped[int | None] = mapped_column(Integer)
    #: the threshold the value was held to, and a predicted alarm's forecast crossing time (s)
    limit_value: Mapped[float | None] = mapped_column(Float)
    predicted_crossing_s: Mapped[float | None] = mapped_column(Float)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ack_note: Mapped[str] = mapped_column(Text, default="")
    #: perfusion time (s from the start) of the acknowledgement: the last stored sample's time,
    #: at which a rebuilt monitor re-applies it
    ack_t_s: Mapped[float | None] = mapped_column(Float)

    ack_user: Mapped[User | None] = relationship(lazy="joined")


class HipecImport(Base):
    """One CSV import onto a procedure, with the data-quality findings of its parse (what was
    repaired or ignored: kept because the samples are only as good as what was done to them)."""

    __tablename__ = "hipec_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("hipec_procedures.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    n_samples: Mapped[int] = mapped_column(Integer)
    t_first_s: Mapped[float] = mapped_column(Float)
    t_last_s: Mapped[float] = mapped_column(Float)
    probes: Mapped[list[str]] = mapped_column(JSON, default=list)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{t_s, issue}]
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")
