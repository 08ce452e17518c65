"""The rare-tumour registry: one flat row per case (issue 23), the facts cohort queries filter and
the survival times they aggregate. Rows come from the platform's cases (``source`` = ``case``) or
from the synthetic generator (``synthetic``); names, identifiers and contacts are never here, only
the patient's pseudonym.

Narrow on purpose: a cohort at 1,000,000 rows is a scan of small integers and short codes, and a
Kaplan-Meier needs only ``(days, event, count)`` grouped by day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from rareonco.store.tables.base import Base, utcnow


class RegistryEntry(Base):
    __tablename__ = "registry_entries"
    __table_args__ = (Index("ix_registry_entries_morphology", "morphology"),
                      Index("ix_registry_entries_site", "site_group", "age_years"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    source: Mapped[str] = mapped_column(String(10), default="case")  # case | synthetic
    pseudonym: Mapped[str] = mapped_column(String(40))
    morphology: Mapped[str] = mapped_column(String(8))
    topography: Mapped[str] = mapped_column(String(8))
    site_group: Mapped[str] = mapped_column(String(16))
    age_years: Mapped[int] = mapped_column(SmallInteger)
    sex: Mapped[str] = mapped_column(String(8))
    country: Mapped[str] = mapped_column(String(2))
    stage: Mapped[str] = mapped_column(String(16), default="")
    metastatic: Mapped[bool] = mapped_column(Boolean, default=False)
    molecular: Mapped[str] = mapped_column(String(40), default="")
    chemotherapy: Mapped[bool] = mapped_column(Boolean, default=False)
    surgery: Mapped[bool] = mapped_column(Boolean, default=False)
    radiotherapy: Mapped[bool] = mapped_column(Boolean, default=False)
    hipec: Mapped[bool] = mapped_column(Boolean, default=False)
    margin: Mapped[str] = mapped_column(String(4), default="")
    huvos_grade: Mapped[int | None] = mapped_column(SmallInteger)
    best_response: Mapped[str] = mapped_column(String(4), default="")
    diagnosis_year: Mapped[int] = mapped_column(SmallInteger)
    diagnosis_date: Mapped[date] = mapped_column(Date)
    os_days: Mapped[int] = mapped_column(Integer)
    os_event: Mapped[bool] = mapped_column(Boolean)
    efs_days: Mapped[int] = mapped_column(Integer)
    efs_event: Mapped[bool] = mapped_column(Boolean)
    #: at ``efs_days``: 0 censored, 1 relapse or progression, 2 death without relapse
    first_event: Mapped[int] = mapped_column(SmallInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
