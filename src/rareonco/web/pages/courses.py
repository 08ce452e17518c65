"""Chemotherapy pages: regimen picker with the planned calendar and dose sheet (htmx), the course
page (planned against given; prescribe a cycle with its findings and structured overrides;
co-sign, verify or return, administer with the second check, cancel), the regimen approvals, the
printable dose sheet (PDF), and weights/labs/adverse events. The response page is `response.py`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import plotly
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rareonco.errors import Conflict, InvalidInput, RareOncoError
from rareonco.records.cases import service as cases
from rareonco.records.courses import approvals, cycles, observations, signoff
from rareonco.records.courses import service as courses
from rareonco.records.courses.schemas import (
    LAB_TESTS,
    STOP_REASONS,
    AdministerIn,
    AdverseEventIn,
    CourseCancelIn,
    CourseIn,
    CourseOut,
    CourseStopIn,
    CycleIn,
    LabsIn,
    PlanIn,
    PlanOut,
    StepReasonIn,
    WeightIn,
)
from rareonco.regimens.findings import OVERRIDE_REASONS
from rareonco.reports import dose_sheet
from rareonco.security.roles import Permission, can
from rareonco.web.deps import CurrentUser, SessionDep
from rareonco.web.pages.forms import PageUserDep, form_action, form_text, refusal
from rareonco.web.pages.render import render

router = APIRouter()
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PDF: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    "description": "The printable dose sheet (PDF)."}}
#: Refusals of the stop form that are not about the form: the error page, as before the form.


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _case(session: Session, user: CurrentUser, case_id: int) -> dict[str, Any]:
    return cases.read_view(session, user.actor, case_id)


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """plotly.js from the installed `plotly` package: no CDN, the page works offline."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})


def _index(request: Request, session: Session, user: CurrentUser, case_id: int,
           save_error: str | None = None, status_code: int = 200) -> Response:
    case = _case(session, user, case_id)
    items = [courses.course_summary(c) for c in courses.list_courses(session, user.actor, case_id)]
    morphology = (case.get("diagnosis") or {}).get("morphology_code")
    return render(request, "courses/index.html", {
        "case": case, "courses": items, "regimens": courses.regimens_for(morphology),
        "today": date.today().isoformat(), "save_error": save_error,
        "active_courses": courses.active_courses(session, case_id),
        "override_reasons": OVERRIDE_REASONS}, status_code=status_code)


@router.get("/cases/{case_id}/courses")
def courses_page(case_id: int, request: Request, session: SessionDep,
                 user: PageUserDep) -> Response:
    return _index(request, session, user, case_id)


def _plan_in(form: FormData) -> dict[str, str]:
    keys = ("regimen", "start", "height_cm", "weight_kg", "bsa_formula")
    return {k: form_text(form, k) for k in keys if form_text(form, k)}


@router.post("/cases/{case_id}/courses/preview")
def preview(case_id: int, request: Request, user: PageUserDep, form: FormDep) -> Response:
    """The calendar and dose sheet of the chosen regimen for this body size (htmx fragment)."""
    plan: PlanOut | None = None
    error = None
    # Stateless and without a session: nothing to roll back, so no `form_action` savepoint;
    # the refusal is shown in the fragment (200: htmx swaps only 2xx).
    try:
        plan = courses.plan_out(courses.plan(user.actor, PlanIn.model_validate(_plan_in(form))))
    except (RareOncoError, ValidationError) as exc:
        error, _ = refusal(exc)
    return render(request, "courses/_plan.html", {"plan": plan, "error": error,
                                                  "case_id": case_id})


@router.post("/cases/{case_id}/courses")
def save_course(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
                form: FormDep) -> Response:
    def act() -> Response:
        concurrent = None
        if form_text(form, "concurrent_code"):
            concurrent = {"reason_code": form_text(form, "concurrent_code"),
                          "text": form_text(form, "concurrent_text")}
        body = CourseIn.model_validate(
            {**_plan_in(form), "weight_measured_on": form_text(form, "weight_measured_on") or None,
             "concurrent_reason": concurrent})
        course = courses.create_course(session, user.actor, case_id, body)
        return RedirectResponse(f"/courses/{course.id}", status_code=303)

    def refused(message: str, status: int) -> Response:
        return _index(request, session, user, case_id, message, status_code=422)

    return form_action(session, act, refused)


def _can(user: CurrentUser) -> dict[str, bool]:
    """What the user's role may do on the course page (the services check it again)."""
    role = user.actor.role
    return {"prescribe": can(role, Permission.CASE_WRITE_CLINICAL),
            "cosign": can(role, Permission.CYCLE_COSIGN),
            "verify": can(role, Permission.CYCLE_VERIFY),
            "administer": can(role, Permission.CYCLE_ADMINISTER)}


def _course_ctx(session: Session, user: CurrentUser, course_id: int) -> dict[str, Any]:
    course = courses.course_view(session, courses.get_course(session, user.actor, course_id))
    return {"course": course, "case": _case(session, user, course.case_id), "can": _can(user),
            "override_reasons": OVERRIDE_REASONS,
            "now_local": datetime.now().astimezone().strftime("%Y-%m-%dT%H:%M")}


@router.get("/courses/{course_id}")
def course_page(course_id: int, request: Request, session: SessionDep,
                user: PageUserDep) -> Response:
    ctx = _course_ctx(session, user, course_id)
    course: CourseOut = ctx["course"]
    ctx.update(form=_blank_form(course, course.next_cycle), findings=[], error=None,
               obs=observations.observations_view(session, user.actor, course.case_id),
               lab_tests=LAB_TESTS, today=date.today().isoformat(), measure_message=None,
               stop_reasons=STOP_REASONS, stop_error=request.query_params.get("stop_error"),
               step_error=request.query_params.get("step_error"))
    return render(request, "courses/course.html", ctx)


@router.post("/courses/{course_id}/stop")
def stop(course_id: int, request: Request, session: SessionDep, user: PageUserDep,
         form: FormDep) -> Response:
    """Stop the course from its page; a refusal comes back on the page, next to the form."""
    def act() -> Response:
        courses.stop_course(session, user.actor, course_id, CourseStopIn.model_validate({
            "version": form_text(form, "version"), "reason": form_text(form, "reason"),
            "stopped_on": form_text(form, "stopped_on"), "note": form_text(form, "note")}))
        return RedirectResponse(f"/courses/{course_id}", status_code=303)

    def refused(message: str, status: int) -> Response:
        return RedirectResponse(f"/courses/{course_id}?{urlencode({'stop_error': message})}"
                                "#stop-course", status_code=303)

    return form_action(session, act, refused)


@router.post("/courses/{course_id}/cancel")
def cancel(course_id: int, request: Request, session: SessionDep, user: PageUserDep,
           form: FormDep) -> Response:
    """Cancel a planned course from its page; a refusal comes back on the page."""
    def act() -> Response:
        courses.cancel_course(session, user.actor, course_id, CourseCancelIn.model_validate({
            "version": form_text(form, "version"), "reason": form_text(form, "reason")}))
        return RedirectResponse(f"/courses/{course_id}", status_code=303)

    def refused(message: str, status: int) -> Response:
        return RedirectResponse(f"/courses/{course_id}?{urlencode({'stop_error': message})}"
                                "#stop-course", status_code=303)

    return form_action(session, act, refused)


def _blank_form(course: CourseOut, number: int | None) -> dict[str, Any]:
    if number is None:
        return {"number": None}
    planned = course.cycles[number - 1]
    return {"number": number, "start_date": planned.planned_start,
            "doses": [{"drug": d.drug, "day": day, "dose_mg": d.mg_per_day, "reason": ""}
                      for d in planned.drugs for day in d.days],
            "delay_reason": "", "note": ""}


@router.get("/courses/{course_id}/record-form")
def record_form(course_id: int, request: Request, session: SessionDep, user: PageUserDep,
                number: int) -> Response:
    ctx = _course_ctx(session, user, course_id)
    ctx.update(form=_blank_form(ctx["course"], number), findings=[], error=None)
    return render(request, "courses/_record_form.html", ctx)


def _form_doses(form: FormData) -> list[dict[str, Any]]:
    doses = []
    for key, value in form.multi_items():
        if key.startswith("dose__") and isinstance(value, str):
            _, drug, day = key.split("__")
            doses.append({"drug": drug, "day": int(day), "dose_mg": value.strip(),
                          "reason": form_text(form, f"reason__{drug}__{day}")})
    return doses


_CYCLE_TEXT = ("number", "start_date", "delay_reason", "note")


def _form_overrides(form: FormData) -> list[dict[str, Any]]:
    """The overrides the form carries (``override`` = "<finding>__<drug or ->"), with a reason
    code chosen; an override left at "—" is left out (the gate then asks for it again)."""
    out = []
    for key in dict.fromkeys(form.getlist("override")):  # once per finding and drug
        if not isinstance(key, str) or "__" not in key:
            continue
        code = form_text(form, f"override_code__{key}")
        if code:
            finding, drug = key.split("__", 1)
            out.append({"finding": finding, "drug": None if drug == "-" else drug,
                        "reason_code": code, "text": form_text(form, f"override_text__{key}")})
    return out


@router.post("/courses/{course_id}/record")
def record(course_id: int, request: Request, session: SessionDep, user: PageUserDep,
           form: FormDep) -> Response:
    """Prescribe a cycle from the page; findings that stop it are shown with an override field
    for each ``override`` finding (200 with the form: htmx swaps only 2xx)."""
    text = {k: form_text(form, k) for k in _CYCLE_TEXT}
    doses = _form_doses(form)
    findings: list[dict[str, Any]] = []
    # Not `form_action`: the form shows the refusal's findings, which travel on the exception
    # (Conflict.details, ReasonRequired.findings) and `form_action` hands on only the message.
    try:
        with session.begin_nested():
            body = CycleIn.model_validate({
                "number": text["number"], "start_date": text["start_date"],
                "doses": [{**d, "reason": d["reason"] or None} for d in doses],
                "delay_reason": text["delay_reason"] or None,
                "overrides": _form_overrides(form), "note": text["note"]})
            cycles.record_cycle(session, user.actor, course_id, body)
    except (Conflict, InvalidInput) as exc:
        findings = getattr(exc, "findings", None) or list(getattr(exc, "details", {}).get(
            "findings", []))
        error = exc.message
    except ValidationError as exc:
        error, _ = refusal(exc)
    else:
        return Response(status_code=204, headers={"HX-Redirect": f"/courses/{course_id}"})
    ctx = _course_ctx(session, user, course_id)
    number = int(text["number"]) if text["number"].isdigit() else 0
    kept = {k: v for k, v in form.multi_items()
            if k.startswith("override_") and isinstance(v, str)}
    ctx.update(form={**kept, **text, "number": number, "doses": doses}, findings=findings,
               error=error)
    return render(request, "courses/_record_form.html", ctx)


def _step(session: Session, course_id: int, number: int, act: Any) -> Response:
    """Run a sign-off step posted from the course page; back to the page, with the refusal."""
    def done() -> Response:
        act()
        return RedirectResponse(f"/courses/{course_id}#cycle-{number}", status_code=303)

    def refused(message: str, status: int) -> Response:
        return RedirectResponse(f"/courses/{course_id}?{urlencode({'step_error': message})}"
                                f"#prescriptions", status_code=303)

    return form_action(session, done, refused)


@router.post("/courses/{course_id}/cycles/{number}/cosign")
def cosign(course_id: int, number: int, session: SessionDep, user: PageUserDep) -> Response:
    return _step(session, course_id, number,
                 lambda: signoff.cosign(session, user.actor, course_id, number))


@router.post("/courses/{course_id}/cycles/{number}/verify")
def verify(course_id: int, number: int, session: SessionDep, user: PageUserDep) -> Response:
    return _step(session, course_id, number,
                 lambda: signoff.verify(session, user.actor, course_id, number))


@router.post("/courses/{course_id}/cycles/{number}/return")
def return_cycle(course_id: int, number: int, session: SessionDep, user: PageUserDep,
                 form: FormDep) -> Response:
    return _step(session, course_id, number, lambda: signoff.return_cycle(
        session, user.actor, course_id, number,
        StepReasonIn.model_validate({"reason": form_text(form, "reason")})))


@router.post("/courses/{course_id}/cycles/{number}/cancel")
def cancel_cycle(course_id: int, number: int, session: SessionDep, user: PageUserDep,
                 form: FormDep) -> Response:
    return _step(session, course_id, number, lambda: signoff.cancel_cycle(
        session, user.actor, course_id, number,
        StepReasonIn.model_validate({"reason": form_text(form, "reason")})))


def _administer_in(form: FormData) -> AdministerIn:
    """The ticked drug-days with their mg and local time (the server's time zone)."""
    doses = []
    for key in form.getlist("give"):
        if not isinstance(key, str) or "__" not in key:
            continue
        drug, day = key.split("__", 1)
        at = form_text(form, f"at__{key}")
        try:
            given_at = datetime.fromisoformat(at).astimezone() if at else None
        except ValueError:
            raise InvalidInput(f"at__{key}", f"not a date and time: {at!r}") from None
        doses.append({"drug": drug, "day": day, "dose_mg": form_text(form, f"given__{key}"),
                      "given_at": given_at})
    second = None
    if form_text(form, "second_username") or form_text(form, "second_password"):
        second = {"username": form_text(form, "second_username"),
                  "password": form.get("second_password") or ""}
    return AdministerIn.model_validate({"doses": doses, "second_check": second})


@router.post("/courses/{course_id}/cycles/{number}/administer")
def administer(course_id: int, number: int, session: SessionDep, user: PageUserDep,
               form: FormDep) -> Response:
    return _step(session, course_id, number, lambda: signoff.administer(
        session, user.actor, course_id, number, _administer_in(form)))


@router.get("/regimens/approvals")
def approvals_page(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    """Every regimen's current version with its approvals; approve in the user's role."""
    return render(request, "courses/regimens.html", {
        "items": approvals.approvals(session, user.actor),
        "can_approve": can(user.actor.role, Permission.REGIMEN_APPROVE),
        "error": request.query_params.get("error")})


@router.post("/regimens/{regimen_id}/approve")
def approve(regimen_id: str, session: SessionDep, user: PageUserDep) -> Response:
    def done() -> Response:
        approvals.approve_regimen(session, user.actor, regimen_id)
        return RedirectResponse("/regimens/approvals", status_code=303)

    def refused(message: str, status: int) -> Response:
        return RedirectResponse(f"/regimens/approvals?{urlencode({'error': message})}",
                                status_code=303)

    return form_action(session, done, refused)


def _add_measure(session: Session, user: CurrentUser, case_id: int, course_id: int, what: str,
                 form: FormData) -> None:
    """Store a weight, the values of one blood draw or an adverse event from the page's forms."""
    if what == "weight":
        observations.add_weight(session, user.actor, case_id, WeightIn.model_validate({
            "measured_on": form_text(form, "measured_on"),
            "weight_kg": form_text(form, "weight_kg")}))
    elif what == "labs":
        values = {t: form_text(form, t) for t in LAB_TESTS if form_text(form, t)}
        observations.add_labs(session, user.actor, case_id, LabsIn.model_validate(
            {"taken_on": form_text(form, "taken_on"), "values": values}))
    elif what == "ae":
        observations.add_adverse_event(session, user.actor, case_id, AdverseEventIn.model_validate({
            "term": form_text(form, "term"), "grade": form_text(form, "grade"),
            "onset": form_text(form, "onset"), "course_id": course_id,
            "cycle_number": form_text(form, "cycle_number") or None}))
    else:
        raise InvalidInput("what", "weight, labs or ae")


@router.post("/courses/{course_id}/measures/{what}")
def add_measure(course_id: int, what: str, request: Request, session: SessionDep,
                user: PageUserDep, form: FormDep) -> Response:
    """Weight, laboratory values or an adverse event from the course page (htmx fragment)."""
    course = courses.get_course(session, user.actor, course_id)
    case_id = course.case_id

    def fragment(message: str | None) -> Response:
        obs = observations.observations_view(session, user.actor, case_id)
        return render(request, "courses/_measures.html", {
            "course": {"id": course_id}, "obs": obs, "lab_tests": LAB_TESTS,
            "today": date.today().isoformat(), "measure_message": message})

    def act() -> Response:
        _add_measure(session, user, case_id, course_id, what, form)
        return fragment(None)

    # A refusal is shown in the fragment with 200: htmx swaps only 2xx.
    return form_action(session, act, lambda message, _status: fragment(message))


@router.get("/courses/{course_id}/dose-sheet.pdf", response_class=Response, responses=PDF)
def dose_sheet_pdf(course_id: int, request: Request, session: SessionDep,
                   user: PageUserDep) -> Response:
    ctx = _course_ctx(session, user, course_id)
    course: CourseOut = ctx["course"]
    html = dose_sheet.render_html(course, ctx["case"]["patient"], date.today(),
                                  user.full_name or user.actor.username)
    name = f"dose-sheet-{course.regimen}-course-{course_id}.pdf"
    return Response(dose_sheet.render_pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
