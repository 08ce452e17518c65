"""CT planning pages: a case's CTs and plans with the forms to add them, and a plan's page
(progress polled by htmx while it runs; then the summary, the orthogonal views, the files and a
3D view of the meshes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from rareonco.errors import NotFound, RareOncoError
from rareonco.records.cases import service as cases
from rareonco.records.imaging import studies as imaging
from rareonco.records.imaging.jobs import get_worker
from rareonco.records.imaging.schemas import OUTPUT_FILES, PlanIn, parse_numbers
from rareonco.security.roles import Permission, can
from rareonco.web.api.imaging import upload_limits
from rareonco.web.deps import SessionDep, UserDep
from rareonco.web.error_handlers import validation_details
from rareonco.web.pages.render import render

router = APIRouter()
MESHES = (("remaining", "Remaining bone", "#d9cfb8"), ("resected", "Resected bone", "#d0342c"),
          ("implant", "Implant template", "#1f77b4"))


def _list_page(request: Request, session: Any, user: Any, case_id: int,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               status_code: int = 200) -> Response:
    case = cases.read_view(session, user.actor, case_id)
    studies = [imaging.study_view(s) for s in imaging.list_studies(session, user.actor, case_id)]
    jobs = [imaging.job_view(j) for j in imaging.list_jobs(session, user.actor, case_id)]
    cts = [s for s in studies if s["purpose"] == "ct"]
    defaults = {"margin_mm": "20", "side": "left", "ct_id": str(cts[-1]["id"]) if cts else ""}
    if jobs and jobs[0]["tumour_box_mm"]:  # the latest plan's box: replanning starts from it
        defaults["tumour_box"] = ", ".join(f"{v:g}" for v in jobs[0]["tumour_box_mm"])
        defaults.update(side=jobs[0]["side"], margin_mm=f"{jobs[0]['margin_mm']:g}")
    return render(request, "imaging/list.html", {
        "case": case, "studies": studies, "cts": cts, "jobs": jobs,
        "v": {**defaults, **(values or {})}, "errors": errors or {},
        "can_write": can(user.actor.role, Permission.CASE_WRITE_CLINICAL)},
        status_code=status_code)


@router.get("/cases/{case_id}/imaging")
def imaging_page(case_id: int, request: Request, session: SessionDep, user: UserDep) -> Response:
    request.state.user = user
    return _list_page(request, session, user, case_id)


@router.post("/cases/{case_id}/imaging/ct")
def upload_ct(case_id: int, request: Request, session: SessionDep, user: UserDep,
              files: Annotated[list[UploadFile], File()],
              description: Annotated[str, Form()] = "") -> Response:
    request.state.user = user
    settings = request.app.state.settings
    per_file, total = upload_limits(settings)
    try:
        with session.begin_nested():
            imaging.attach_ct(session, user.actor, settings.data_dir, case_id,
                              [(f.filename or "upload", f.file) for f in files if f.filename],
                              per_file, total, description=description)
    except RareOncoError as exc:
        return _list_page(request, session, user, case_id, errors={"upload": exc.message},
                          status_code=exc.status_code)
    return RedirectResponse(f"/cases/{case_id}/imaging", status_code=303)


@router.post("/cases/{case_id}/imaging/plans")
def start_plan(case_id: int, request: Request, session: SessionDep, user: UserDep,
               ct_id: Annotated[str, Form()] = "", side: Annotated[str, Form()] = "",
               tumour_box: Annotated[str, Form()] = "", margin_mm: Annotated[str, Form()] = "20",
               cuts: Annotated[str, Form()] = "") -> Response:
    request.state.user = user
    values = {"ct_id": ct_id, "side": side, "tumour_box": tumour_box, "margin_mm": margin_mm,
              "cuts": cuts}
    worker = get_worker(request.app.state)
    try:
        body = PlanIn.model_validate({
            "ct_id": ct_id or 0, "side": side, "margin_mm": margin_mm or 20,
            "tumour_box_mm": parse_numbers(tumour_box, 6, "tumour_box_mm"),
            "cuts": [parse_numbers(line, 6, "cuts") for line in cuts.splitlines()
                     if line.strip()]})
        with session.begin_nested():
            job = imaging.create_job(session, user.actor, case_id, body)
    except ValidationError as exc:
        errors = {d["field"].split(".")[0]: d["reason"] for d in validation_details(exc.errors())}
        return _list_page(request, session, user, case_id, values, errors, status_code=422)
    except RareOncoError as exc:
        field = getattr(exc, "field", "form")
        return _list_page(request, session, user, case_id, values,
                          {field: getattr(exc, "reason", exc.message)},
                          status_code=exc.status_code)
    session.commit()
    worker.submit(job.id)
    return RedirectResponse(f"/cases/{case_id}/imaging/plans/{job.id}", status_code=303)


def _job(session: Any, user: Any, case_id: int, job_id: int) -> dict[str, Any]:
    job = imaging.job_view(imaging.get_job(session, user.actor, job_id))
    if job["case_id"] != case_id:
        raise NotFound(f"plan {job_id} is not on case {case_id}")
    return job


@router.get("/cases/{case_id}/imaging/plans/{job_id}")
def plan_page(case_id: int, job_id: int, request: Request, session: SessionDep,
              user: UserDep) -> Response:
    request.state.user = user
    case = cases.read_view(session, user.actor, case_id)
    job = _job(session, user, case_id, job_id)
    return render(request, "imaging/plan.html", {
        "case": case, "job": job, "meshes": MESHES, "inline": {
            n for n, (_, shown) in OUTPUT_FILES.items() if shown}})


@router.get("/cases/{case_id}/imaging/plans/{job_id}/progress")
def plan_progress(case_id: int, job_id: int, request: Request, session: SessionDep,
                  user: UserDep) -> Response:
    """The progress bar; once the plan has ended, tells htmx to reload the whole page."""
    request.state.user = user
    row = imaging.job_progress(session, user.actor, job_id)
    if row.case_id != case_id:
        raise NotFound(f"plan {job_id} is not on case {case_id}")
    job = {"id": row.id, "status": row.status, "stage": row.stage, "progress": row.progress}
    response = render(request, "imaging/_progress.html", {"case": {"id": case_id}, "job": job})
    if job["status"] in ("done", "failed"):
        response.headers["HX-Refresh"] = "true"
    return response
