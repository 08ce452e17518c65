"""Log in and out of the browser interface."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from rareonco.security import accounts, audit
from rareonco.security.audit import Actor
from rareonco.web.deps import SESSION_COOKIE, SessionDep, client_address
from rareonco.web.pages.forms import PageUserDep, form_action
from rareonco.web.pages.render import render

router = APIRouter()


#: Where each role lands after logging in (when no other page was asked for): a page it may
#: open, never a refusal (tests/audit_web/test_landing_and_inbox.py logs in as each role).
#: Clinicians start from the patient search (their tasks are one click away, counted in the
#: menu); coordinators and admins from their tasks; researchers from the de-identified list.
LANDING = {"admin": "/inbox", "clinician": "/", "coordinator": "/inbox",
           "researcher": "/", "auditor": "/audit"}


def landing(role: str, asked: str = "/") -> str:
    """The page asked for (a path on this site other than the home page), else the role's
    landing page; an auditor always lands on the audit log (it may open nothing else)."""
    if role == "auditor" and not asked.startswith("/audit"):
        return LANDING["auditor"]
    return asked if asked != "/" else LANDING.get(role, "/")


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the home page (no open redirect)."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login")
def login(request: Request, session: SessionDep, username: Annotated[str, Form()],
          password: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    def log_in() -> Response:
        user = accounts.authenticate(session, username.strip(), password)
        settings = request.app.state.settings
        issued = accounts.issue(session, user, "web", settings.session_hours)
        audit.record(session, Actor(user.id, user.username, user.role, client_address(request)),
                     "login", "web")
        response = RedirectResponse(landing(user.role, safe_next(next)), status_code=303)
        response.set_cookie(SESSION_COOKIE, issued.token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https",
                            max_age=settings.session_hours * 3600)
        return response

    return form_action(session, log_in, lambda message, status: render(
        request, "login.html", {"error": message, "next": safe_next(next),
                                "username": username}, status_code=status))


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.revoke(session, token)
    audit.record(session, user.actor, "logout", "web")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
