"""The task inbox page and the task count shown in the navigation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from rareonco.records.inbox import service as inbox
from rareonco.records.inbox.schemas import KINDS
from rareonco.web.deps import SessionDep
from rareonco.web.pages.forms import PageUserDep
from rareonco.web.pages.render import render

router = APIRouter()


@router.get("/inbox")
def inbox_page(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    return render(request, "inbox/inbox.html", {"box": inbox.inbox(session, user.actor),
                                                "kinds": KINDS})


@router.get("/inbox/count")
def inbox_count(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    """The navigation's badge (loaded by htmx after the page)."""
    total, overdue = inbox.count(session, user.actor)
    return render(request, "inbox/_count.html", {"total": total, "overdue": overdue})
