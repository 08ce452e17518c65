"""CT planning pages: a case's CTs and plans with the forms to add them, and a plan's page
(progress polled by htmx while it runs; then the summary, the orthogonal views, the files and a
3D view of the meshes). The templates read the same typed values the API answers
(`CtStudyOut`, `PlanJobOut`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from rareonco.errors import NotFound
from rareonco.records.cases import service as cases
from rareonco.records.imaging import studies as imaging
from rareonco.records.imaging.jobs import get_worker
from rareonco.records.imaging.schemas import OUTPUT_FILES, PlanIn, PlanJobOut, parse_numbers
from rareonco.security.roles import Permission, can
from rareonco.store.tables.imaging import PlanJob
from rareonco.web.api.imaging import upload_limits
from rareonco.web.deps import CurrentUser, SessionDep
from rareonco.web.pages.forms import PageUserDep, form_action
from rareonco.web.pages.render import render

router = APIRouter()
MESHES = (("remaining", "Remaining bone", "#d9cfb8"), ("resected", "Resected bone", "#d0342c"),
          ("implant", "Implant template", "#1f77b4"))


def _list_page(request: Request, session: Session, user: CurrentUser, case_id: int,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               status_code: int = 200) -> Response:
    case = cases.read_view(session, user.actor, case_id)
    studies = [imaging.study_view(s) for s in imaging.list_studies(session, user.actor, case_id)]
    jobs = [imaging.job_view(j) for j in imaging.list_jobs(session, user.actor, case_id)]
    cts = [s for s in studies if s.purpose == "ct"]
    defaults = {"margin_mm": "20", "side": "left", "ct_id": str(cts[-1].id) if cts else ""}
    latest = jobs[0] if jobs else None
    if latest is not None and latest.tumour_box_mm:  # replanning starts from the latest box
        defaults["tumour_box"] = ", ".join(f"{v:g}" for v in latest.tumour_box_mm)
        defaults.update(side=latest.side, margin_mm=f"{latest.margin_mm:g}")
    return render(request, "imaging/list.html", {
        "case": case, "studies": studies, "cts": cts, "jobs": jobs,
        "v": {**defaults, **(values or {})}, "errors": errors or {},
        "can_write": can(user.actor.role, Permission.CASE_WRITE_CLINICAL)},
        status_code=status_code)


@router.get("/cases/{case_id}/imaging")
def imaging_page(case_id: int, request: Request, session: SessionDep,
                 user: PageUserDep) -> Response:
    return _list_page(request, session, user, case_id)


@router.post("/cases/{case_id}/imaging/ct")
def upload_ct(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
              files: Annotated[list[UploadFile], File()],
              description: Annotated[str, Form()] = "") -> Response:
    settings = request.app.state.settings
    per_file, total = upload_limits(settings)

    def refused(message: str, status_code: int) -> Response:
        return _list_page(request, session, user, case_id, errors={"upload": message},
                          status_code=status_code)

    outcome = form_action(session, lambda: imaging.attach_ct(
        session, user.actor, settings.data_dir, case_id,
        [(f.filename or "upload", f.file) for f in files if f.filename], per_file, total,
        description=description), refused)
    if isinstance(outcome, Response):
        return outcome
    return RedirectResponse(f"/cases/{case_id}/imaging", status_code=303)


def _plan_request(ct_id: str, side: str, tumour_box: str, margin_mm: str, cuts: str) -> PlanIn:
    """The plan form as a `PlanIn` (a `ValidationError` or `InvalidInput` is a refusal)."""
    return PlanIn.model_validate({
        "ct_id": ct_id or 0, "side": side, "margin_mm": margin_mm or 20,
        "tumour_box_mm": parse_numbers(tumour_box, 6, "tumour_box_mm"),
        "cuts": [parse_numbers(line, 6, "cuts") for line in cuts.splitlines() if line.strip()]})


@router.post("/cases/{case_id}/imaging/plans")
def start_plan(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
               ct_id: Annotated[str, Form()] = "", side: Annotated[str, Form()] = "",
               tumour_box: Annotated[str, Form()] = "", margin_mm: Annotated[str, Form()] = "20",
               cuts: Annotated[str, Form()] = "") -> Response:
    values = {"ct_id": ct_id, "side": side, "tumour_box": tumour_box, "margin_mm": margin_mm,
              "cuts": cuts}
    worker = get_worker(request.app.state)

    def refused(message: str, status_code: int) -> Response:
        return _list_page(request, session, user, case_id, values, {"form": message},
                          status_code=status_code)

    def create() -> PlanJob:
        body = _plan_request(ct_id, side, tumour_box, margin_mm, cuts)
        return imaging.create_job(session, user.actor, case_id, body)

    job = form_action(session, create, refused)
    if isinstance(job, Response):
        return job
    session.commit()  # the worker reads the row from its own session
    worker.submit(job.id)
    return RedirectResponse(f"/cases/{case_id}/imaging/plans/{job.id}", status_code=303)


def _job(session: Session, user: CurrentUser, case_id: int, job_id: int) -> PlanJobOut:
    job = imaging.job_view(imaging.get_job(session, user.actor, job_id))
    if job.case_id != case_id:
        raise NotFound(f"plan {job_id} is not on case {case_id}")
    return job


@router.get("/cases/{case_id}/imaging/plans/{job_id}")
def plan_page(case_id: int, job_id: int, request: Request, session: SessionDep,
              user: PageUserDep) -> Response:
    case = cases.read_view(session, user.actor, case_id)
    job = _job(session, user, case_id, job_id)
    return render(request, "imaging/plan.html", {
        "case": case, "job": job, "meshes": MESHES, "inline": {
            n for n, (_, shown) in OUTPUT_FILES.items() if shown}})


@router.get("/cases/{case_id}/imaging/plans/{job_id}/progress")
def plan_progress(case_id: int, job_id: int, request: Request, session: SessionDep,
                  user: PageUserDep) -> Response:
    """The progress bar; once the plan has ended, tells htmx to reload the whole page."""
    job = imaging.progress_view(imaging.job_progress(session, user.actor, job_id))
    if job.case_id != case_id:
        raise NotFound(f"plan {job_id} is not on case {case_id}")
    response = render(request, "imaging/_progress.html", {"case": {"id": case_id}, "job": job})
    if job.status in ("done", "failed"):
        response.headers["HX-Refresh"] = "true"
    return response
