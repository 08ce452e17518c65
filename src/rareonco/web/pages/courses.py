"""Chemotherapy pages: regimen picker with the planned calendar and dose sheet (htmx), the course
page (planned against given, record a cycle with its safety findings), the printable dose sheet
(PDF), and weights/labs/adverse events. The response page is `response.py`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import plotly
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from rareonco.errors import Conflict, InvalidInput, RareOncoError
from rareonco.records.cases import service as cases
from rareonco.records.courses import cycles, observations
from rareonco.records.courses import service as courses
from rareonco.records.courses.schemas import (
    LAB_TESTS,
    STOP_REASONS,
    AdverseEventIn,
    CourseIn,
    CourseStopIn,
    CycleIn,
    DoseIn,
    LabsIn,
    PlanIn,
    WeightIn,
)
from rareonco.reports import dose_sheet
from rareonco.web.deps import SessionDep, UserDep
from rareonco.web.error_handlers import validation_details
from rareonco.web.pages.render import render

router = APIRouter()
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{d['field']}: {d['reason']}" for d in validation_details(exc.errors()))
    return exc.message if isinstance(exc, RareOncoError) else str(exc)


def _case(session: SessionDep, user: UserDep, case_id: int) -> dict[str, Any]:
    return cases.read_view(session, user.actor, case_id)


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """plotly.js from the installed `plotly` package: no CDN, the page works offline."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/cases/{case_id}/courses")
def courses_page(case_id: int, request: Request, session: SessionDep, user: UserDep) -> Response:
    request.state.user = user
    case = _case(session, user, case_id)
    items = [courses.course_summary(c) for c in courses.list_courses(session, user.actor, case_id)]
    morphology = (case.get("diagnosis") or {}).get("morphology_code")
    return render(request, "courses/index.html", {
        "case": case, "courses": items, "regimens": courses.regimens_for(morphology),
        "today": date.today().isoformat()})


def _plan_in(form: FormData) -> dict[str, Any]:
    keys = ("regimen", "start", "height_cm", "weight_kg", "bsa_formula")
    return {k: form.get(k) for k in keys if form.get(k) not in (None, "")}


@router.post("/cases/{case_id}/courses/preview")
def preview(case_id: int, request: Request, user: UserDep, form: FormDep) -> Response:
    """The calendar and dose sheet of the chosen regimen for this body size (htmx fragment)."""
    request.state.user = user
    try:
        plan = courses.plan(user.actor, PlanIn.model_validate(_plan_in(form))).to_dict()
        error = None
    except (RareOncoError, ValidationError) as exc:
        plan, error = None, _message(exc)
    return render(request, "courses/_plan.html", {"plan": plan, "error": error,
                                                  "case_id": case_id})


@router.post("/cases/{case_id}/courses")
def save_course(case_id: int, request: Request, session: SessionDep, user: UserDep,
                form: FormDep) -> Response:
    request.state.user = user
    try:
        with session.begin_nested():
            body = CourseIn.model_validate(
                {**_plan_in(form), "weight_measured_on": form.get("weight_measured_on") or None})
            course = courses.create_course(session, user.actor, case_id, body)
    except (RareOncoError, ValidationError) as exc:
        return render(request, "courses/_plan.html",
                      {"plan": None, "error": _message(exc), "case_id": case_id},
                      status_code=422)
    return RedirectResponse(f"/courses/{course.id}", status_code=303)


def _course_ctx(session: SessionDep, user: UserDep, course_id: int) -> dict[str, Any]:
    course = courses.course_view(session, courses.get_course(session, user.actor, course_id))
    return {"course": course, "case": _case(session, user, course["case_id"])}


@router.get("/courses/{course_id}")
def course_page(course_id: int, request: Request, session: SessionDep, user: UserDep) -> Response:
    request.state.user = user
    ctx = _course_ctx(session, user, course_id)
    number = ctx["course"]["next_cycle"]
    ctx.update(form=_blank_form(ctx["course"], number), findings=[], error=None,
               obs=observations.observations_view(session, user.actor, ctx["course"]["case_id"]),
               lab_tests=LAB_TESTS, today=date.today().isoformat(), measure_message=None,
               stop_reasons=STOP_REASONS, stop_error=request.query_params.get("stop_error"))
    return render(request, "courses/course.html", ctx)


@router.post("/courses/{course_id}/stop")
def stop(course_id: int, request: Request, session: SessionDep, user: UserDep,
         form: FormDep) -> Response:
    """Stop the course from its page; a refusal comes back on the page, next to the form."""
    request.state.user = user
    try:
        with session.begin_nested():
            courses.stop_course(session, user.actor, course_id, CourseStopIn(
                version=form.get("version"), reason=form.get("reason"),
                stopped_on=form.get("stopped_on"), note=str(form.get("note") or "")))
    except (RareOncoError, ValidationError, ValueError) as exc:
        if isinstance(exc, RareOncoError) and exc.status_code in (401, 403, 404):
            raise
        return RedirectResponse(f"/courses/{course_id}?{urlencode({'stop_error': _message(exc)})}"
                                "#stop-course", status_code=303)
    return RedirectResponse(f"/courses/{course_id}", status_code=303)


def _blank_form(course: dict[str, Any], number: int | None) -> dict[str, Any]:
    if number is None:
        return {"number": None}
    planned = course["cycles"][number - 1]
    return {"number": number, "start_date": planned["planned_start"],
            "doses": [{"drug": d["drug"], "day": day, "dose_mg": d["mg_per_day"], "reason": ""}
                      for d in planned["drugs"] for day in d["days"]],
            "precheck_reason": "", "override_reason": "", "delay_reason": "", "note": ""}


@router.get("/courses/{course_id}/record-form")
def record_form(course_id: int, request: Request, session: SessionDep, user: UserDep,
                number: int) -> Response:
    request.state.user = user
    ctx = _course_ctx(session, user, course_id)
    ctx.update(form=_blank_form(ctx["course"], number), findings=[], error=None)
    return render(request, "courses/_record_form.html", ctx)


def _form_doses(form: FormData) -> list[dict[str, Any]]:
    doses = []
    for key, value in form.multi_items():
        if key.startswith("dose__") and isinstance(value, str):
            _, drug, day = key.split("__")
            doses.append({"drug": drug, "day": int(day), "dose_mg": value.strip(),
                          "reason": str(form.get(f"reason__{drug}__{day}") or "").strip()})
    return doses


@router.post("/courses/{course_id}/record")
def record(course_id: int, request: Request, session: SessionDep, user: UserDep,
           form: FormDep) -> Response:
    """Record a cycle from the page; findings that stop it are shown with the reasons they need
    (200 with the form: htmx swaps only 2xx)."""
    request.state.user = user
    text = {k: str(form.get(k) or "").strip() for k in
            ("number", "start_date", "precheck_reason", "override_reason", "delay_reason", "note")}
    doses = _form_doses(form)
    findings: list[dict[str, Any]] = []
    try:
        with session.begin_nested():
            body = CycleIn(
                number=int(text["number"]), start_date=text["start_date"],
                doses=[DoseIn(drug=d["drug"], day=d["day"], dose_mg=float(d["dose_mg"]),
                              reason=d["reason"] or None) for d in doses],
                **{k: text[k] or None for k in ("precheck_reason", "override_reason",
                                                "delay_reason")},
                note=text["note"])
            cycles.record_cycle(session, user.actor, course_id, body)
    except (Conflict, InvalidInput) as exc:
        findings = getattr(exc, "findings", None) or list(getattr(exc, "details", {}).get(
            "findings", []))
        error = exc.message
    except (ValidationError, ValueError) as exc:
        error = _message(exc)
    else:
        return Response(status_code=204, headers={"HX-Redirect": f"/courses/{course_id}"})
    ctx = _course_ctx(session, user, course_id)
    ctx.update(form={**text, "number": int(text["number"] or 0), "doses": doses},
               findings=findings, error=error)
    return render(request, "courses/_record_form.html", ctx)


@router.post("/courses/{course_id}/measures/{what}")
def add_measure(course_id: int, what: str, request: Request, session: SessionDep,
                user: UserDep, form: FormDep) -> Response:
    """Weight, laboratory values or an adverse event from the course page (htmx fragment)."""
    request.state.user = user
    course = courses.get_course(session, user.actor, course_id)
    case_id = course.case_id
    message = None
    try:
        with session.begin_nested():
            if what == "weight":
                observations.add_weight(session, user.actor, case_id, WeightIn(
                    measured_on=form.get("measured_on"), weight_kg=form.get("weight_kg")))
            elif what == "labs":
                values = {t: float(form[t]) for t in LAB_TESTS if str(form.get(t) or "").strip()}
                observations.add_labs(session, user.actor, case_id,
                                      LabsIn(taken_on=form.get("taken_on"), values=values))
            elif what == "ae":
                observations.add_adverse_event(session, user.actor, case_id, AdverseEventIn(
                    term=form.get("term"), grade=form.get("grade"), onset=form.get("onset"),
                    course_id=course_id, cycle_number=form.get("cycle_number") or None))
            else:
                raise InvalidInput("what", "weight, labs or ae")
    except (RareOncoError, ValidationError, ValueError) as exc:
        message = _message(exc)
    obs = observations.observations_view(session, user.actor, case_id)
    return render(request, "courses/_measures.html", {
        "course": {"id": course_id}, "obs": obs, "lab_tests": LAB_TESTS,
        "today": date.today().isoformat(), "measure_message": message})


@router.get("/courses/{course_id}/dose-sheet.pdf")
def dose_sheet_pdf(course_id: int, request: Request, session: SessionDep,
                   user: UserDep) -> Response:
    ctx = _course_ctx(session, user, course_id)
    html = dose_sheet.render_html(ctx["course"], ctx["case"]["patient"], date.today(),
                                  user.full_name or user.actor.username)
    name = f"dose-sheet-{ctx['course']['regimen']}-course-{course_id}.pdf"
    return Response(dose_sheet.render_pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
