"""Bearer tokens for API clients."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from rareonco.security import accounts, audit
from rareonco.security.audit import Actor
from rareonco.web.deps import SessionDep, UserDep, client_address

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    username: str
    password: str


@router.post("/token")
def issue_token(body: Login, request: Request, session: SessionDep) -> dict[str, str]:
    """Exchange a username and password for a bearer token (12 hours)."""
    user = accounts.authenticate(session, body.username, body.password)
    issued = accounts.issue(session, user, "api", request.app.state.settings.session_hours)
    audit.record(session, Actor(user.id, user.username, user.role, client_address(request)),
                 "login", "api")
    return {"access_token": issued.token, "token_type": "bearer",
            "expires_at": issued.expires_at.isoformat()}


@router.get("/me")
def me(user: UserDep) -> dict[str, str]:
    return {"username": user.actor.username, "role": user.actor.role,
            "full_name": user.full_name}
