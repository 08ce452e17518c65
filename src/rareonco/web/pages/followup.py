"""The follow-up clinic's pages: visits due and overdue (all clinicians), and one case's plan
with its visits, the plan form and the visit form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from rareonco.records.cases.service import get as get_case
from rareonco.records.followup import service as followup
from rareonco.records.followup.schemas import (
    DISEASE_STATUSES,
    MOBILITY,
    VISIT_STATUSES,
    PlanIn,
    VisitIn,
)
from rareonco.web.deps import SessionDep
from rareonco.web.pages.forms import PageUserDep, form_action
from rareonco.web.pages.render import render

router = APIRouter()
VOCAB = {"disease_statuses": DISEASE_STATUSES, "mobility": MOBILITY, "visit_statuses": VISIT_STATUSES}


def _text(form: FormData, key: str) -> str:
    return str(form.get(key, "")).strip()


@router.get("/followup")
def due_page(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    return render(request, "followup/due.html", {
        "due": followup.due_visits(session, user.actor, date.today()), **VOCAB})


def _case_page(request: Request, session: SessionDep, user: PageUserDep, case_id: int,
               error: str | None = None, status_code: int = 200,
               values: dict[str, Any] | None = None) -> Response:
    case = get_case(session, user.actor, case_id)
    visits = [followup.visit_view(v) for v in followup.visits(session, user.actor, case_id)]
    return render(request, "followup/case.html", {
        "case": case, "visits": visits, "error": error, "v": values or {},
        "next_visit": next((v for v in visits if v.status == "planned"), None),
        "today_plus_30": date.today() + timedelta(days=30), **VOCAB},
        status_code=status_code)


@router.get("/cases/{case_id}/followup")
def case_page(case_id: int, request: Request, session: SessionDep, user: PageUserDep) -> Response:
    return _case_page(request, session, user, case_id)


@router.post("/cases/{case_id}/followup")
async def plan(case_id: int, request: Request, session: SessionDep, user: PageUserDep) -> Response:
    form = await request.form()
    values = {k: _text(form, k) for k in ("end_of_treatment", "chest_radiation_gy")}

    def act() -> object:
        return followup.plan_followup(session, user.actor, case_id, PlanIn.model_validate({
            "end_of_treatment": values["end_of_treatment"] or None,
            "chest_radiation_gy": values["chest_radiation_gy"] or 0}))

    out = form_action(session, act, lambda msg, code: _case_page(
        request, session, user, case_id, msg, code, values))
    if isinstance(out, Response):
        return out
    return RedirectResponse(f"/cases/{case_id}/followup", status_code=303)


@router.post("/followup/visits/{visit_id}")
async def record(visit_id: int, request: Request, session: SessionDep,
                 user: PageUserDep) -> Response:
    form = await request.form()
    case_id = int(_text(form, "case_id") or 0)

    def act() -> object:
        return followup.record_visit(session, user.actor, visit_id, VisitIn.model_validate({
            "done_on": _text(form, "done_on") or None, "status": _text(form, "status") or "done",
            "remote": form.get("remote") == "on",
            "disease_status": _text(form, "disease_status") or None,
            "msts_total": _text(form, "msts_total") or None,
            "mobility": _text(form, "mobility") or None, "note": _text(form, "note"),
            "version": _text(form, "version") or 0}))

    out = form_action(session, act, lambda msg, code: _case_page(
        request, session, user, case_id, msg, code))
    if isinstance(out, Response):
        return out
    return RedirectResponse(f"/cases/{case_id}/followup", status_code=303)
