"""The case page with its timeline, and pathway transitions from the page (htmx)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from rareonco.errors import RareOncoError
from rareonco.records import cases
from rareonco.records.schemas import TransitionIn
from rareonco.web.deps import SessionDep, UserDep
from rareonco.web.pages.render import render

router = APIRouter()


@router.get("/cases/{case_id}")
def case_page(case_id: int, request: Request, session: SessionDep, user: UserDep) -> Response:
    request.state.user = user
    case = cases.view(cases.get(session, user.actor, case_id), user.actor)
    return render(request, "case.html", {"case": case})


@router.post("/cases/{case_id}/transition")
def transition(case_id: int, request: Request, session: SessionDep, user: UserDep,
               to: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = "") -> Response:
    request.state.user = user
    error = None
    try:
        with session.begin_nested():
            cases.transition(session, user.actor, case_id,
                             TransitionIn(to=to, reason=reason or None, note=note))
    except RareOncoError as exc:
        error = exc.message
    case = cases.view(cases.get(session, user.actor, case_id), user.actor)
    return render(request, "_case_pathway.html", {"case": case, "error": error},
                  status_code=200)  # htmx swaps only 2xx; the error is shown in the fragment
