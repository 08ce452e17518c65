"""Log in and out of the browser interface."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from rareonco.errors import Unauthenticated
from rareonco.security import accounts, audit
from rareonco.security.audit import Actor
from rareonco.web.deps import SESSION_COOKIE, SessionDep, UserDep, client_address
from rareonco.web.pages.render import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(request: Request, session: SessionDep, username: Annotated[str, Form()],
          password: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    try:
        user = accounts.authenticate(session, username.strip(), password)
    except Unauthenticated as exc:
        return render(request, "login.html", {"error": exc.message, "next": _safe_next(next),
                                              "username": username}, status_code=401)
    settings = request.app.state.settings
    issued = accounts.issue(session, user, "web", settings.session_hours)
    audit.record(session, Actor(user.id, user.username, user.role, client_address(request)),
                 "login", "web")
    landing = "/audit" if user.role == "auditor" else _safe_next(next)
    response = RedirectResponse(landing, status_code=303)
    response.set_cookie(SESSION_COOKIE, issued.token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https",
                        max_age=settings.session_hours * 3600)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: UserDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.revoke(session, token)
    audit.record(session, user.actor, "logout", "web")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
