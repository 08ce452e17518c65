"""Bearer tokens for API clients."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from rareonco.records.schemas import Out
from rareonco.security import accounts, audit
from rareonco.security.audit import Actor
from rareonco.web.deps import SessionDep, UserDep, client_address

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    username: str
    password: str


class TokenOut(Out):
    """A bearer token: send it as ``Authorization: Bearer <access_token>``."""

    access_token: str
    token_type: Literal["bearer"]
    expires_at: str = Field(description="ISO 8601 time (UTC) the token stops working")


class MeOut(Out):
    """The user the token belongs to."""

    username: str
    role: str
    full_name: str


@router.post("/token")
def issue_token(body: Login, request: Request, session: SessionDep) -> TokenOut:
    """Exchange a username and password for a bearer token (12 hours)."""
    user = accounts.authenticate(session, body.username, body.password)
    issued = accounts.issue(session, user, "api", request.app.state.settings.session_hours)
    audit.record(session, Actor(user.id, user.username, user.role, client_address(request)),
                 "login", "api")
    return TokenOut(access_token=issued.token, token_type="bearer",
                    expires_at=issued.expires_at.isoformat())


@router.get("/me")
def me(user: UserDep) -> MeOut:
    return MeOut(username=user.actor.username, role=user.actor.role, full_name=user.full_name)
