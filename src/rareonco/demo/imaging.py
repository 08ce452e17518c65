"""Demo CT and pelvic resection plan for the osteosarcoma case (issue 9).

The CT is the shared anonymised abdomen-pelvis volume
(``../shared/data/ct/abdomen_pelvis_3mm.nii.gz`` from the repository root; TotalSegmentator test
data, Apache-2.0), referenced where it lies, never copied into the repository or the data folder.
The plan uses a tumour box in the left ilium (RAS mm -90, 101, 184 to -50, 141, 224; the
patient's left is negative x) with a 20 mm margin and runs synchronously here (about 10 s at
3 mm on one core, longer on a busy machine), through the same job code as the web
worker, so the case gets a finished plan and its ``resection_plan`` timeline event.

Without the shared CT the imaging demo is skipped with a note; the rest of the demo loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.config import get_settings
from rareonco.example_data import example_data_dir
from rareonco.records.imaging import studies as imaging
from rareonco.records.imaging.jobs import run_job
from rareonco.records.imaging.schemas import PlanIn
from rareonco.records.imaging.uploads import sha256_file
from rareonco.security.audit import Actor
from rareonco.store.db import Database
from rareonco.store.tables.accounts import User
from rareonco.store.tables.imaging import ImagingStudy, PlanJob

if TYPE_CHECKING:  # the loader imports this module: a type-only import, no cycle at run time
    from rareonco.demo.loader import DemoCases

#: The shared example CT, found by `rareonco.example_data` (a missing file only skips this demo).
SHARED_CT = (example_data_dir() or Path("../shared/data")) / "ct" / "abdomen_pelvis_3mm.nii.gz"
TUMOUR_BOX_MM = [-90.0, 101.0, 184.0, -50.0, 141.0, 224.0]
SIDE = "left"


def data_dir_of(session: Session) -> Path:
    """Where plan outputs go: beside the SQLite file (the data folder), else the settings'."""
    url = session.get_bind().engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent
    return get_settings().data_dir


def load(session: Session, cases: DemoCases) -> str | None:
    case_id = cases.osteosarcoma_case_id
    if case_id is None:
        return None
    if not SHARED_CT.is_file():
        note = (f"imaging demo skipped: the shared CT {SHARED_CT} is missing "
                "(the osteosarcoma case has no CT plan)")
        print(note)
        return note
    done = session.scalar(select(PlanJob.id).where(PlanJob.case_id == case_id,
                                                   PlanJob.status == "done").limit(1))
    if done is not None:
        return None
    author = session.scalar(select(User.id).where(User.username == "demo"))
    actor = Actor(author, "demo-loader", "admin", "local")
    sha = sha256_file(SHARED_CT)
    ct = session.scalar(select(ImagingStudy).where(ImagingStudy.case_id == case_id,
                                                   ImagingStudy.sha256 == sha))
    if ct is None:
        ct = imaging.reference_ct(session, actor, case_id, SHARED_CT, sha,
                                  description="Demo: anonymised abdomen-pelvis CT, 3 mm "
                                              "(TotalSegmentator test data, Apache-2.0)")
    job = imaging.create_job(session, actor, case_id, PlanIn(
        ct_id=ct.id, side=SIDE, tumour_box_mm=TUMOUR_BOX_MM, margin_mm=20.0))
    job_id = job.id
    session.commit()  # the job runs in sessions of its own
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    db = Database(url)
    try:
        status = run_job(db, data_dir_of(session), job_id)
    finally:
        db.dispose()
    session.expire_all()
    if status != "done":
        failed = session.get(PlanJob, job_id)
        return f"imaging: the demo plan failed ({failed.error if failed else status})"
    return (f"imaging: CT attached to case {case_id} and a left pelvic resection plan made "
            f"(plan {job_id})")
