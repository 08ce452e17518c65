"""Imaging tables: CT studies attached to a case, and pelvic resection plan jobs.

The voxels never enter the database: a study's files live under ``<data_dir>/imaging/ct/<key>/``
(or, for a study referenced in place such as the demo CT, at an absolute path), and a plan's
outputs under ``<data_dir>/imaging/plans/<job id>/``. The rows hold what a page or a safety check
needs without reading the files: the checksum, the geometry read at upload (canonical RAS grid:
shape, spacing, affine; the stored axis order) and the plan.json summary.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rareonco.store.tables.base import Base, Versioned, utcnow
from rareonco.store.tables.cases import Case, TimelineEvent

CT_KINDS = ("dicom", "dicom_zip", "nifti")
JOB_STATUSES = ("queued", "running", "done", "failed")


class ImagingStudy(Base):
    """A CT (or a tumour mask, purpose "tumour_mask") attached to a case. Immutable once stored."""

    __tablename__ = "imaging_studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="ct")  # ct | tumour_mask
    kind: Mapped[str] = mapped_column(String(16))  # dicom | dicom_zip | nifti
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded (first file's name)
    n_files: Mapped[int] = mapped_column(Integer, default=1)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # relative to the data folder, or absolute for a study referenced in place (source "reference")
    storage_path: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(16), default="upload")  # upload | reference
    shape: Mapped[list[int]] = mapped_column(JSON)  # canonical (R, A, S) voxel counts
    spacing_mm: Mapped[list[float]] = mapped_column(JSON)
    affine: Mapped[list[list[float]]] = mapped_column(JSON)  # canonical voxel -> RAS mm, 4x4
    orientation: Mapped[str] = mapped_column(String(8))  # axis codes as stored, e.g. RAS, LPS
    series_uid: Mapped[str | None] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship()


class PlanJob(Versioned, Base):
    """One run of the pelvic resection plan on a CT: parameters, progress, outcome."""

    __tablename__ = "imaging_plan_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    ct_id: Mapped[int] = mapped_column(ForeignKey("imaging_studies.id"), index=True)
    mask_id: Mapped[int | None] = mapped_column(ForeignKey("imaging_studies.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # JOB_STATUSES
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    side: Mapped[str] = mapped_column(String(8))  # the patient's left | right
    tumour_box_mm: Mapped[list[float] | None] = mapped_column(JSON)  # [x0, y0, z0, x1, y1, z1] RAS
    margin_mm: Mapped[float] = mapped_column(Float, default=20.0)
    cuts: Mapped[list[list[float]]] = mapped_column(JSON, default=list)  # [[px, py, pz, nx, ny, nz], ...]
    error: Mapped[str | None] = mapped_column(Text)
    error_field: Mapped[str | None] = mapped_column(String(64))
    output_dir: Mapped[str | None] = mapped_column(String(1000))  # relative to the data folder
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # plan.json
    event_id: Mapped[int | None] = mapped_column(ForeignKey("timeline_events.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    ct: Mapped[ImagingStudy] = relationship(foreign_keys=[ct_id])
    event: Mapped[TimelineEvent | None] = relationship()

    # SQLAlchemy's declarative base declares it an instance attribute: mypy refuses a ClassVar
    __mapper_args__: dict[str, Any] = {"version_id_col": Versioned.version}  # noqa: RUF012  # not mutated
