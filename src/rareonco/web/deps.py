"""Shared request dependencies: the database session, the current user, CSRF."""

from __future__ import annotations

import asyncio
import contextvars
import hmac
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from rareonco.config import Settings
from rareonco.errors import Forbidden, Unauthenticated
from rareonco.security import accounts
from rareonco.security.audit import Actor
from rareonco.store.db import Database

T = TypeVar("T")
SESSION_COOKIE = "rareonco_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request, db: Annotated[Database, Depends(get_db)]
                      ) -> AsyncIterator[Session]:
    """The request's session: a read session for GET/HEAD (audit appended after the read), a
    writing one otherwise. It ends before the response is sent (scope "function").

    Opening a session does no I/O, so it happens on the event loop; only its end (commit, the
    audit group commit) goes to a worker thread: one thread hop fewer per request."""
    session = db.open_session(read=request.method in SAFE_METHODS)
    try:
        yield session
    except BaseException:
        await run_in_threadpool(db.close_session, session, True)
        raise
    await run_in_threadpool(db.close_session, session, False)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class CurrentUser:
    actor: Actor
    full_name: str
    locale: str
    csrf_token: str | None  # set for browser sessions


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _sent_csrf(request: Request) -> str | None:
    sent = request.headers.get(CSRF_HEADER)
    if sent:
        return sent
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _current_user(request: Request, session: SessionDep,
                  sent_csrf: Annotated[str | None, Depends(_sent_csrf)]) -> CurrentUser:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        cred = accounts.resolve(session, auth[7:].strip(), "api")
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            raise Unauthenticated("not logged in: send a bearer token or log in")
        cred = accounts.resolve(session, token, "web")
        csrf_ok = bool(sent_csrf) and hmac.compare_digest(sent_csrf or "", cred.csrf_token or "")
        if request.method not in SAFE_METHODS and not csrf_ok:
            raise Forbidden("missing or wrong CSRF token; reload the page")
    user = cred.user
    return CurrentUser(Actor(user.id, user.username, user.role, client_address(request)),
                       user.full_name, user.locale, cred.csrf_token)


UserDep = Annotated[CurrentUser, Depends(_current_user)]


async def run_read(request: Request, work: Callable[[Session, CurrentUser], T]) -> T:
    """Run a GET handler's database part - log-in check, `work`, commit and the audit group
    commit - in one worker-thread hop, for the most requested pages.

    With `SessionDep` and `UserDep` a request crosses between the event loop and the worker
    threads three times (the user, the handler, the session's end); each crossing costs about
    as much CPU as the queries of a search. The checks are the same functions the dependencies
    call, so roles, audit and errors are unchanged. `work` must only read (it runs without an
    explicit transaction on PostgreSQL, `Database.session`); its audit entries are written
    afterwards as for every read."""
    if request.method not in SAFE_METHODS:
        raise RuntimeError("run_read serves GET and HEAD requests only")
    db = get_db(request)

    def in_thread() -> T:
        with db.session(read=True, only_reads=True) as session:
            return work(session, _current_user(request, session, None))

    # asyncio's executor hands work to a thread for about a third of what AnyIO's worker
    # threads cost (measured: 24 vs 60 us); the context is carried over as AnyIO would.
    executor = request.app.state.read_executor
    return await asyncio.get_running_loop().run_in_executor(
        executor, contextvars.copy_context().run, in_thread)


def actor_of(user: CurrentUser) -> Actor:
    return user.actor


#: Public names for features that compose their own dependencies (e.g. a form open to
#: visitors that also remembers a logged-in user's choice).
sent_csrf = _sent_csrf
current_user = _current_user


def optional_user(request: Request, session: SessionDep,
                  csrf: Annotated[str | None, Depends(_sent_csrf)]) -> CurrentUser | None:
    """The logged-in user (CSRF checked as for any post), or None for an anonymous visitor."""
    if not request.cookies.get(SESSION_COOKIE) and not request.headers.get("authorization"):
        return None
    return _current_user(request, session, csrf)


OptionalUserDep = Annotated[CurrentUser | None, Depends(optional_user)]
