"""The case page with its timeline, and pathway transitions from the page (htmx)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from rareonco.errors import Forbidden
from rareonco.records.board.meetings import tasks_of_case
from rareonco.records.board.views import task_view
from rareonco.records.cases import pathway
from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import TransitionIn
from rareonco.security.roles import Permission, can
from rareonco.web.deps import SessionDep
from rareonco.web.pages.forms import REFUSALS, PageUserDep, form_action
from rareonco.web.pages.render import render

router = APIRouter()

#: where each kind of follow-on task (from a signed board decision) is done
TASK_LINKS = {"plan_course": "courses", "plan_resection": "imaging", "plan_hipec": "hipec",
              "schedule_follow_up": "", "plan_radiotherapy": "", "trial_screening": "board"}

#: status -> what a case needs before it enters it (English, translated in the template)
REQUIRES = {status.value: [pathway.MESSAGES[r] for r in needs]
            for status, needs in pathway.REQUIRES.items()}


@router.get("/cases/{case_id}")
def case_page(case_id: int, request: Request, session: SessionDep,
              user: PageUserDep) -> Response:
    case = cases.read_view(session, user.actor, case_id)
    tasks = ([task_view(t) for t in tasks_of_case(session, case_id) if t.status == "open"]
             if can(user.actor.role, Permission.CASE_READ_CLINICAL) else [])
    return render(request, "case.html", {"case": case, "tasks": tasks,
                                         "task_links": TASK_LINKS, "requires": REQUIRES})


@router.post("/cases/{case_id}/transition")
def transition(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
               to: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = "") -> Response:
    def pathway(error: str | None = None) -> Response:
        # htmx swaps only 2xx: a refusal is shown in the fragment, with status 200
        return render(request, "_case_pathway.html", {
            "case": cases.read_view(session, user.actor, case_id), "error": error,
            "requires": REQUIRES})

    def move() -> Response:
        cases.transition(session, user.actor, case_id,
                         TransitionIn(to=to, reason=reason or None, note=note))
        return pathway()

    # a move this role may not make is shown beside the control too (not an error page)
    return form_action(session, move, lambda message, _status: pathway(message),
                       refuse=(*REFUSALS, Forbidden))
