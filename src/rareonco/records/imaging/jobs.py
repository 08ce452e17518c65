"""Running a plan job: the pipeline in a background thread, its progress on the job row.

One worker thread per application (`PlanWorker`, a `ThreadPoolExecutor(max_workers=1)`): a plan
needs one to a few GB for a fine CT and keeps a core busy for tens of seconds, so plans queue
rather than compete. NumPy and SciPy release the GIL for most of that time, so the web server
stays responsive. `run_job` is also called directly (synchronously) by the demo loader.

A job that fails on bad input (the pipeline's `InvalidInput`: the tumour on the other side, no
pelvis in the CT...) is `failed` with that message and field; any other error is `failed` with
its type and message, and logged. On success the job's plan.json is stored on the row and a
`resection_plan` event is added to the case's timeline.

Assumes one server process per data folder: at start the worker marks jobs left `running` by a
stopped server as failed, and queues again the ones left `queued`.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from rareonco.imaging.pipeline import ProgressCallback
from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.errors import InvalidInput
from rareonco.imaging.plan_summary import PlanSummary
from rareonco.records.imaging.schemas import PlanParams
from rareonco.records.imaging.studies import resolve
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.store.db import Database
from rareonco.store.tables.accounts import User
from rareonco.store.tables.base import utcnow
from rareonco.store.tables.cases import TimelineEvent
from rareonco.store.tables.imaging import ImagingStudy, PlanJob

log = logging.getLogger("rareonco.imaging.jobs")
_PROGRESS_STEP = 0.01  # write progress to the row only when it moved this much


def _worker_actor(session: Session, user_id: int | None) -> Actor:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        return audit.SYSTEM
    return Actor(user.id, user.username, user.role, "plan-worker")


@dataclass(frozen=True)
class PlanRun:
    """What the worker needs to run one job: the files (resolved under the data folder), the
    folder to write and the job's parameters read back from its row."""

    ct: Path
    series_uid: str | None
    mask: Path | None
    out: Path
    params: PlanParams


def _start(db: Database, data_dir: Path, job_id: int) -> PlanRun | None:
    with db.session() as session:
        job = session.get(PlanJob, job_id)
        if job is None or job.status != "queued":
            return None
        ct = session.get(ImagingStudy, job.ct_id)
        mask = session.get(ImagingStudy, job.mask_id) if job.mask_id else None
        assert ct is not None
        try:
            params = PlanParams.from_columns(job.side, job.tumour_box_mm, job.margin_mm, job.cuts)
        except ValueError as exc:  # a row not written by `create_job`: the job cannot run
            job.status, job.finished_at = "failed", utcnow()
            job.error = f"the plan's parameters are invalid: {exc}"[:2000]
            return None
        job.status, job.stage, job.progress, job.started_at = "running", "load", 0.0, utcnow()
        job.output_dir = f"imaging/plans/{job.id}"
        return PlanRun(ct=resolve(data_dir, ct.storage_path), series_uid=ct.series_uid,
                       mask=resolve(data_dir, mask.storage_path) if mask else None,
                       out=data_dir / job.output_dir, params=params)


def _progress_writer(db: Database, job_id: int) -> ProgressCallback:
    """A progress callback that writes to the job row when the stage changes or the fraction
    moved by `_PROGRESS_STEP` (a plan reports thousands of times)."""
    last_stage, last_fraction = "load", 0.0

    def write(stage: str, fraction: float) -> None:
        nonlocal last_stage, last_fraction
        if stage == last_stage and fraction - last_fraction < _PROGRESS_STEP:
            return
        last_stage, last_fraction = stage, fraction
        with db.session() as session:
            job = session.get(PlanJob, job_id)
            if job is not None:
                job.stage, job.progress = stage[:32], max(0.0, min(float(fraction), 0.99))

    return write


def _fail(db: Database, job_id: int, message: str, field: str | None) -> None:
    with db.session() as session:
        job = session.get(PlanJob, job_id)
        if job is None:
            return
        job.status, job.error, job.error_field, job.finished_at = "failed", message, field, utcnow()
        actor = _worker_actor(session, job.created_by)
        audit.record(session, actor, "fail", f"case/{job.case_id}/plan/{job.id}",
                     (field or "error") + ": " + message[:200])


def run_job(db: Database, data_dir: Path, job_id: int) -> str:
    """Run a queued job to the end; returns its final status ('done' or 'failed')."""
    run = _start(db, data_dir, job_id)
    if run is None:
        return "skipped"
    params = run.params
    # the segmentation stack (SciPy, scikit-image, VTK) loads with the first plan, not with
    # every web process: a deliberate lazy import
    from rareonco.imaging.resection import CutPlane
    from rareonco.reports.plan_folder import run_pelvis_plan

    try:
        cuts = tuple(CutPlane(np.asarray(c[:3]), np.asarray(c[3:])) for c in params.cuts)
        written = run_pelvis_plan(run.ct, run.out, params.side,
                                  tumour_box_mm=params.tumour_box_mm, tumour_mask_path=run.mask,
                                  margin_mm=params.margin_mm, cuts=cuts,
                                  progress=_progress_writer(db, job_id),
                                  series_uid=run.series_uid)
    except InvalidInput as exc:
        _fail(db, job_id, exc.reason, exc.field)
        return "failed"
    except Exception as exc:  # a job must end, whatever went wrong
        log.exception("plan job %s failed", job_id)
        _fail(db, job_id, f"the plan could not be made ({exc.__class__.__name__}: {exc})", None)
        return "failed"
    _finish(db, job_id, written.summary)
    return "done"


def _finish(db: Database, job_id: int, summary: PlanSummary) -> None:
    res, imp = summary.resection, summary.implant
    zones = ", ".join(res.zones) or "none"
    with db.session() as session:
        job = session.get(PlanJob, job_id)
        assert job is not None
        actor = _worker_actor(session, job.created_by)
        event = TimelineEvent(
            case_id=job.case_id, kind="resection_plan", event_date=date.today(),
            author_id=job.created_by,
            summary=(f"Pelvic resection plan, patient's {job.side.upper()}: Enneking zones "
                     f"{zones}; resected bone {res.resected_bone_ml:.0f} ml, implant "
                     f"{imp.volume_ml:.0f} ml (margin {job.margin_mm:g} mm)"),
            payload={"plan_id": job.id, "ct_id": job.ct_id, "side": job.side,
                     "zones": res.zones, "zone_volumes_ml": res.zone_volumes_ml,
                     "resected_bone_ml": res.resected_bone_ml,
                     "implant_ml": imp.volume_ml, "margin_mm": job.margin_mm,
                     "min_margin_mm": res.min_margin_mm, "warnings": summary.warnings,
                     "url": f"/cases/{job.case_id}/imaging/plans/{job.id}"})
        session.add(event)
        session.flush()
        job.status, job.stage, job.progress = "done", "done", 1.0
        job.summary, job.event_id, job.finished_at = summary.to_dict(), event.id, utcnow()
        audit.record(session, actor, "create", f"case/{job.case_id}/event/{event.id}",
                     "resection_plan")


class PlanWorker:
    """The application's one plan thread."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db, self.data_dir = db, data_dir
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rareonco-plan")

    def submit(self, job_id: int) -> Future[str]:
        return self._pool.submit(run_job, self.db, self.data_dir, job_id)

    def recover(self) -> None:
        """Fail jobs a stopped server left running; queue again those it left queued.

        Runs as the worker thread's first task (`start`), never in a request: a request holds
        its own write transaction, which on SQLite would lock this one out."""
        with self.db.session(read=True) as session:  # no write lock unless there is work
            stale = list(session.scalars(select(PlanJob.id).where(
                PlanJob.status.in_(("queued", "running"))).order_by(PlanJob.id)))
        queued = []
        if stale:
            with self.db.session() as session:
                for job in session.scalars(select(PlanJob).where(PlanJob.id.in_(stale))):
                    if job.status == "queued":
                        queued.append(job.id)
                    elif job.status == "running":
                        job.status, job.finished_at = "failed", utcnow()
                        job.error = ("interrupted: the server stopped while the plan ran; "
                                     "start it again")
        for job_id in queued:
            self.submit(job_id)

    def start(self) -> None:
        self._pool.submit(self.recover)

    def shutdown(self, wait: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)


_LOCK = threading.Lock()


def get_worker(state: Any) -> PlanWorker:
    """The worker kept on `app.state`, started (and its recovery queued) on first use."""
    worker = getattr(state, "plan_worker", None)
    if worker is None:
        with _LOCK:
            worker = getattr(state, "plan_worker", None)
            if worker is None:
                worker = PlanWorker(state.db, Path(state.settings.data_dir))
                worker.start()
                state.plan_worker = worker
    return worker
