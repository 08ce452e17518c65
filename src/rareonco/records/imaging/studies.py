"""CT studies on a case and pelvic resection plan jobs: attach, list, queue, read, serve files.

Clinical data: reading needs `CASE_READ_CLINICAL`, writing `CASE_WRITE_CLINICAL` (clinicians
and admins). The plan itself runs in the background (`rareonco.records.imaging.jobs`); here a
job is validated and queued. Two checks happen before queueing, so an obviously wrong request
is refused at once with 422 instead of failing half a minute later: the tumour box must overlap
the CT's field of view, and when an earlier plan on the same CT found the symmetry plane, a box
lying wholly on the other side of it from `side` is refused naming both sides (the pipeline
makes the same refusal when there is no earlier plane).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.errors import Conflict, InvalidInput, NotFound
from rareonco.records.imaging.schemas import (
    OUTPUT_FILES,
    CtStudyOut,
    PlanFileOut,
    PlanIn,
    PlanJobOut,
    PlanParams,
    PlanProgressOut,
    PlanResultOut,
    parse_summary,
)
from rareonco.records.imaging.uploads import StagedCt, discard, stage_ct
from rareonco.records.schemas import iso
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.cases import Case
from rareonco.store.tables.imaging import ImagingStudy, PlanJob

PURPOSES = ("ct", "tumour_mask")


def resolve(data_dir: Path, stored: str) -> Path:
    """A stored path: relative to the data folder, or absolute for a study referenced in place."""
    path = Path(stored)
    return path if path.is_absolute() else data_dir / path


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def read_geometry(path: Path, kind: str) -> dict[str, Any]:
    """Shape, spacing and affine of the canonical (R, A, S) volume, and the stored axis order.

    Reads the whole volume with `load_ct`, so an unreadable CT is refused at upload, not when
    a plan runs."""
    # the imaging stack (NumPy, nibabel, pydicom, SciPy) loads when a CT first arrives, not
    # with every web process and CLI command: a deliberate lazy import, not a cycle
    import nibabel as nib
    from nibabel.spatialimages import SpatialImage

    from rareonco.imaging import load_ct
    from rareonco.imaging.dicom_io import list_series

    series_uid = None
    if kind == "nifti":
        image = nib.load(str(path))
        if not isinstance(image, SpatialImage):
            raise InvalidInput("file", "not an image volume")
        orientation = _axis_codes(image.affine)
    else:
        cts = [s for s in list_series(path) if s["modality"] == "CT"]
        if cts:
            largest = max(cts, key=lambda s: int(str(s["files"])))  # the reader's own choice
            series_uid = str(largest["series_uid"]) or None
        orientation = _dicom_orientation(path)
    volume = load_ct(path, series_uid=series_uid)
    return {"shape": list(volume.shape),
            "spacing_mm": [round(float(s), 4) for s in volume.spacing_mm],
            "affine": np.round(volume.affine, 5).tolist(), "orientation": orientation,
            "series_uid": series_uid}


def _axis_codes(affine: Any) -> str:
    """Axis codes of a voxel-to-RAS affine, e.g. 'LPS'."""
    from nibabel.orientations import aff2axcodes

    codes: Callable[[Any], Sequence[str]] = aff2axcodes  # nibabel ships no annotations
    return "".join(codes(affine))


def _dicom_orientation(folder: Path) -> str:
    """Axis codes of the stored voxel order (rows, columns, slices) from ImageOrientationPatient."""
    import pydicom

    for path in sorted(folder.iterdir()):
        try:
            ds = pydicom.dcmread(str(path), stop_before_pixels=True)
            iop = np.asarray([float(v) for v in ds.ImageOrientationPatient])
        except Exception:  # not every file need carry the tag, nor be DICOM
            continue
        cols = np.column_stack([iop[:3], iop[3:], np.cross(iop[:3], iop[3:])])
        aff = np.eye(4)
        aff[:3, :3] = np.diag([-1.0, -1.0, 1.0]) @ cols  # LPS -> RAS
        return _axis_codes(aff)
    return "?"


def attach_ct(session: Session, actor: Actor, data_dir: Path, case_id: int,
              uploads: list[tuple[str, Any]], max_file_bytes: int, max_total_bytes: int,
              purpose: str = "ct", description: str = "") -> ImagingStudy:
    """Store an uploaded CT (or tumour mask) on the case, after checking it reads as a volume."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    _case(session, case_id)
    if purpose not in PURPOSES:
        raise InvalidInput("purpose", "one of " + ", ".join(PURPOSES))
    root = data_dir / "imaging" / "ct"
    staged = stage_ct(root, uploads, max_file_bytes, max_total_bytes)
    try:
        if purpose == "tumour_mask" and staged.kind != "nifti":
            raise InvalidInput("file", "a tumour mask must be one NIfTI file")
        _refuse_duplicate(session, case_id, staged.sha256)
        geometry = read_geometry(staged.path, staged.kind)
        key = uuid.uuid4().hex
        os.replace(staged.folder, root / key)
    except BaseException:
        discard(staged.folder)
        raise
    stored = (root / key / staged.path.relative_to(staged.folder)).relative_to(data_dir)
    return _add_study(session, actor, case_id, staged, str(stored), "upload", geometry,
                      purpose, description)


def reference_ct(session: Session, actor: Actor, case_id: int, path: Path, sha256: str,
                 description: str = "") -> ImagingStudy:
    """Attach a NIfTI CT that stays where it is (the demo's shared CT): nothing is copied."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    _case(session, case_id)
    path = path.resolve()
    geometry = read_geometry(path, "nifti")
    staged = StagedCt(path.parent, path, "nifti", path.name, 1, path.stat().st_size, sha256)
    return _add_study(session, actor, case_id, staged, str(path), "reference", geometry, "ct",
                      description)


def _refuse_duplicate(session: Session, case_id: int, sha256: str) -> None:
    existing = session.scalar(select(ImagingStudy.id).where(
        ImagingStudy.case_id == case_id, ImagingStudy.sha256 == sha256))
    if existing is not None:
        raise Conflict(f"this CT is already attached to the case as study {existing}",
                       ct_id=existing)


def _add_study(session: Session, actor: Actor, case_id: int, staged: StagedCt, stored: str,
               source: str, geometry: dict[str, Any], purpose: str,
               description: str) -> ImagingStudy:
    study = ImagingStudy(case_id=case_id, purpose=purpose, kind=staged.kind,
                         filename=staged.filename, n_files=staged.n_files,
                         size_bytes=staged.size_bytes, sha256=staged.sha256, storage_path=stored,
                         source=source, description=description[:2000],
                         uploaded_by=actor.user_id, **geometry)
    session.add(study)
    session.flush()
    audit.record(session, actor, "upload", f"case/{case_id}/ct/{study.id}",
                 f"{staged.kind};{staged.sha256}")
    return study


def list_studies(session: Session, actor: Actor, case_id: int) -> list[ImagingStudy]:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    _case(session, case_id)
    audit.record(session, actor, "read", f"case/{case_id}/ct", "list")
    return list(session.scalars(select(ImagingStudy).where(ImagingStudy.case_id == case_id)
                                .order_by(ImagingStudy.id)))


def study_view(study: ImagingStudy) -> CtStudyOut:
    return CtStudyOut(
        id=study.id, case_id=study.case_id, purpose=study.purpose, kind=study.kind,
        filename=study.filename, n_files=study.n_files, size_bytes=study.size_bytes,
        sha256=study.sha256, source=study.source, shape=study.shape,
        spacing_mm=study.spacing_mm, orientation=study.orientation,
        series_uid=study.series_uid, field_of_view_mm=_field_of_view(study),
        description=study.description, created_at=iso(study.created_at))


def _field_of_view(study: ImagingStudy) -> list[list[float]]:
    """[[x_min, x_max], [y_min, y_max], [z_min, z_max]] of the voxel centres, RAS mm."""
    aff = np.asarray(study.affine, float)
    n = np.asarray(study.shape) - 1
    corners = np.array([[i, j, k] for i in (0, n[0]) for j in (0, n[1]) for k in (0, n[2])])
    ras = corners @ aff[:3, :3].T + aff[:3, 3]
    return [[round(float(ras[:, a].min()), 1), round(float(ras[:, a].max()), 1)]
            for a in range(3)]


def create_job(session: Session, actor: Actor, case_id: int, data: PlanIn) -> PlanJob:
    """Validate and queue a plan; the caller commits, then hands the id to the worker."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    _case(session, case_id)
    ct = session.get(ImagingStudy, data.ct_id)
    if ct is None or ct.case_id != case_id or ct.purpose != "ct":
        raise InvalidInput("ct_id", f"no CT {data.ct_id} on case {case_id}")
    if (data.tumour_box_mm is None) == (data.tumour_mask_id is None):
        raise InvalidInput("tumour_box_mm", "give exactly one of tumour_box_mm or tumour_mask_id")
    if data.tumour_mask_id is not None:
        mask = session.get(ImagingStudy, data.tumour_mask_id)
        if mask is None or mask.case_id != case_id or mask.purpose != "tumour_mask":
            raise InvalidInput("tumour_mask_id",
                               f"no tumour mask {data.tumour_mask_id} on case {case_id}")
    if data.tumour_box_mm is not None:
        _check_box_in_view(ct, data.tumour_box_mm)
        _check_side(session, ct, data.side, data.tumour_box_mm)
    params = PlanParams.from_request(data)
    job = PlanJob(case_id=case_id, ct_id=ct.id, mask_id=data.tumour_mask_id,
                  **params.to_columns(), status="queued", progress=0.0, stage="queued",
                  created_by=actor.user_id)
    session.add(job)
    session.flush()
    audit.record(session, actor, "create", f"case/{case_id}/plan/{job.id}",
                 f"ct/{ct.id};side={data.side}")
    return job


def _check_box_in_view(ct: ImagingStudy, box: list[float]) -> None:
    fov = _field_of_view(ct)
    for axis, name in enumerate("xyz"):
        lo, hi = sorted((box[axis], box[axis + 3]))
        if hi < fov[axis][0] or lo > fov[axis][1]:
            raise InvalidInput("tumour_box_mm",
                               f"the box ({name} {lo:g} to {hi:g} mm) lies outside the CT's "
                               f"field of view ({name} {fov[axis][0]:g} to {fov[axis][1]:g} mm, "
                               "RAS)")


def _check_side(session: Session, ct: ImagingStudy, side: str, box: list[float]) -> None:
    earlier = session.scalar(select(PlanJob).where(
        PlanJob.ct_id == ct.id, PlanJob.status == "done").order_by(PlanJob.id.desc()).limit(1))
    summary = parse_summary(earlier.summary) if earlier else None
    if earlier is None or summary is None:
        return
    plane = summary.symmetry_plane
    b = np.asarray(box, float)
    corners = np.array([[x, y, z] for x in (b[0], b[3]) for y in (b[1], b[4])
                        for z in (b[2], b[5])])
    d = (corners - np.asarray(plane.point_mm)) @ np.asarray(plane.normal)
    found = "right" if d.min() > 0 else "left" if d.max() < 0 else None
    if found is not None and found != side:
        raise InvalidInput(
            "side",
            f"the tumour box lies wholly on the patient's {found.upper()} ({d.min():+.0f} to "
            f"{d.max():+.0f} mm from the symmetry plane found by plan {earlier.id}, + = patient's "
            f"RIGHT) but side {side} was given; the patient's {side.upper()} is "
            f"{'negative' if side == 'left' else 'positive'} x in RAS. Refusing to plan the "
            "wrong side")


def list_jobs(session: Session, actor: Actor, case_id: int) -> list[PlanJob]:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    _case(session, case_id)
    audit.record(session, actor, "read", f"case/{case_id}/plan", "list")
    return list(session.scalars(select(PlanJob).where(PlanJob.case_id == case_id)
                                .order_by(PlanJob.id.desc())))


def get_job(session: Session, actor: Actor, job_id: int) -> PlanJob:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    job = session.get(PlanJob, job_id)
    if job is None:
        raise NotFound(f"plan {job_id} not found")
    audit.record(session, actor, "read", f"case/{job.case_id}/plan/{job.id}", job.status)
    return job


def job_progress(session: Session, actor: Actor, job_id: int) -> PlanJob:
    """The job for its status line only (status, stage, fraction, no clinical content): not
    audited, because a page polls it every second while a plan runs; the plan itself is read
    (and audited) through `get_job`."""
    require(actor.role, Permission.CASE_READ_CLINICAL)
    job = session.get(PlanJob, job_id)
    if job is None:
        raise NotFound(f"plan {job_id} not found")
    return job


def output_file(session: Session, actor: Actor, data_dir: Path, job_id: int,
                name: str) -> tuple[Path, str, bool]:
    """(path, media type, shown inline) of one of the plan's files (`OUTPUT_FILES` only)."""
    if name not in OUTPUT_FILES:
        raise NotFound(f"no file {name!r}; a plan has " + ", ".join(OUTPUT_FILES))
    job = get_job(session, actor, job_id)
    path = resolve(data_dir, job.output_dir) / name if job.output_dir else None
    if job.status != "done" or path is None or not path.is_file():
        raise NotFound(f"plan {job_id} has no {name} (status {job.status})")
    audit.record(session, actor, "download", f"case/{job.case_id}/plan/{job.id}/{name}")
    media, inline = OUTPUT_FILES[name]
    return path, media, inline


def job_view(job: PlanJob) -> PlanJobOut:
    files = [PlanFileOut(name=n, url=f"/api/v1/plans/{job.id}/files/{n}") for n in OUTPUT_FILES] \
        if job.status == "done" else []
    summary = parse_summary(job.summary)
    return PlanJobOut(
        id=job.id, case_id=job.case_id, ct_id=job.ct_id, mask_id=job.mask_id, status=job.status,
        progress=round(job.progress, 3), stage=job.stage, side=job.side,
        tumour_box_mm=job.tumour_box_mm, margin_mm=job.margin_mm, cuts=job.cuts, error=job.error,
        error_field=job.error_field,
        result=PlanResultOut.from_summary(summary) if summary else None,
        event_id=job.event_id, files=files, created_at=iso(job.created_at),
        started_at=iso(job.started_at), finished_at=iso(job.finished_at))


def progress_view(job: PlanJob) -> PlanProgressOut:
    return PlanProgressOut(id=job.id, case_id=job.case_id, status=job.status, stage=job.stage,
                           progress=job.progress)
