"""CT studies and pelvic resection plans on a case (clinicians and admins).

``POST /cases/{id}/ct`` takes one NIfTI file, one zip of DICOM files, or several DICOM files
(multipart field ``files``; each file up to ``max_upload_mb``, the study up to four times that).
``POST /cases/{id}/plans`` queues a plan and answers 202 with the job; poll ``GET /plans/{job}``
for status, progress and stage, then fetch the outputs from ``GET /plans/{job}/files/{name}``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile, status
from fastapi.responses import FileResponse

from rareonco.config import Settings
from rareonco.records.imaging import studies as imaging
from rareonco.records.imaging.jobs import PlanWorker, get_worker
from rareonco.records.imaging.schemas import OUTPUT_FILES, CtStudyOut, PlanIn, PlanJobOut
from rareonco.web.deps import SessionDep, UserDep, get_settings

router = APIRouter(tags=["imaging"])
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _worker(request: Request) -> PlanWorker:
    return get_worker(request.app.state)


WorkerDep = Annotated[PlanWorker, Depends(_worker)]


def upload_limits(settings: Settings) -> tuple[int, int]:
    """(bytes per file, bytes per study): a DICOM series is many files, a zip expands."""
    per_file = settings.max_upload_mb * 2**20
    return per_file, 4 * per_file


@router.post("/cases/{case_id}/ct", status_code=status.HTTP_201_CREATED,
             response_model=CtStudyOut,
             responses={201: {"description": "The CT as stored, with its canonical geometry"}})
def attach_ct(case_id: int, session: SessionDep, user: UserDep, settings: SettingsDep,
              files: Annotated[list[UploadFile],
                               File(description="NIfTI, DICOM zip or DICOM files")],
              purpose: Annotated[str, Form()] = "ct",
              description: Annotated[str, Form()] = "") -> CtStudyOut:
    per_file, total = upload_limits(settings)
    study = imaging.attach_ct(session, user.actor, settings.data_dir, case_id,
                              [(f.filename or "upload", f.file) for f in files], per_file, total,
                              purpose=purpose, description=description)
    return imaging.study_view(study)


@router.get("/cases/{case_id}/ct", response_model=list[CtStudyOut])
def list_ct(case_id: int, session: SessionDep, user: UserDep) -> list[CtStudyOut]:
    return [imaging.study_view(s) for s in imaging.list_studies(session, user.actor, case_id)]


@router.post("/cases/{case_id}/plans", status_code=status.HTTP_202_ACCEPTED,
             response_model=PlanJobOut,
             responses={202: {"description": "The job, queued: poll GET /plans/{job_id}"}})
def create_plan(case_id: int, body: PlanIn, session: SessionDep, user: UserDep,
                worker: WorkerDep) -> PlanJobOut:
    """Queue a pelvic resection plan; 422 at once for a box outside the CT or on the wrong side."""
    job = imaging.create_job(session, user.actor, case_id, body)
    out = imaging.job_view(job)
    session.commit()  # the worker reads the row from its own session
    worker.submit(job.id)
    return out


@router.get("/cases/{case_id}/plans", response_model=list[PlanJobOut])
def list_plans(case_id: int, session: SessionDep, user: UserDep) -> list[PlanJobOut]:
    return [imaging.job_view(j) for j in imaging.list_jobs(session, user.actor, case_id)]


@router.get("/plans/{job_id}", response_model=PlanJobOut)
def read_plan(job_id: int, session: SessionDep, user: UserDep) -> PlanJobOut:
    return imaging.job_view(imaging.get_job(session, user.actor, job_id))


def _file_content() -> dict[str, Any]:
    """Each output file's media type with a binary schema (plan.json: the plan's summary)."""
    content: dict[str, Any] = {}
    for media, _inline in OUTPUT_FILES.values():
        media = media.split(";")[0]
        content.setdefault(media, {"schema": {"type": "string", "format": "binary"}})
    return content


@router.get("/plans/{job_id}/files/{name}", response_class=FileResponse,
            responses={200: {"content": _file_content(),
                             "description": "One of the plan's files: meshes (STL, 3MF), the "
                                            "label map (NIfTI), plan.json, views.png, the "
                                            "report (HTML, PDF)"}})
def plan_file(job_id: int, name: str, session: SessionDep, user: UserDep,
              settings: SettingsDep) -> FileResponse:
    path, media, inline = imaging.output_file(session, user.actor, settings.data_dir, job_id,
                                              name)
    return FileResponse(path, media_type=media, filename=name,
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"Cache-Control": "private, no-store"})
