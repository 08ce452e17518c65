"""User accounts, bearer tokens and browser sessions.

Tokens are random (secrets.token_urlsafe); only their SHA-256 is stored, so a copy of the
database does not hand out logins.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from rareonco.errors import Conflict, InvalidInput, Unauthenticated
from rareonco.security.passwords import hash_password, verify_password
from rareonco.security.roles import parse_role
from rareonco.store.hot_reads import HotRead
from rareonco.store.tables.accounts import Credential, User

_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 8


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, username: str, password: str, role: str,
                full_name: str = "") -> User:
    if not _USERNAME_RE.match(username):
        raise InvalidInput("username", "2-64 characters: lower-case letters, digits, . _ -")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"at least {MIN_PASSWORD_LENGTH} characters")
    role = parse_role(role).value
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, password_hash=hash_password(password), role=role,
                full_name=full_name)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise Unauthenticated("wrong username or password")
    return user


@dataclass(frozen=True)
class IssuedCredential:
    token: str
    csrf_token: str | None
    expires_at: datetime


def issue(session: Session, user: User, kind: str, hours: int = 12) -> IssuedCredential:
    """Issue an API bearer token (kind 'api') or a browser session with a CSRF token ('web')."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind == "web" else None
    expires = datetime.now(UTC) + timedelta(hours=hours)
    session.add(Credential(user_id=user.id, kind=kind, token_hash=_digest(token),
                           csrf_token=csrf, expires_at=expires))
    session.flush()
    return IssuedCredential(token, csrf, expires)


@dataclass(frozen=True)
class SessionUser:
    """Who a token belongs to, as a request needs it."""

    id: int
    username: str
    role: str
    full_name: str
    locale: str


@dataclass(frozen=True)
class ResolvedCredential:
    user: SessionUser
    csrf_token: str | None


_CRED, _USER = Credential.__table__, User.__table__
_RESOLVE = HotRead(
    select(_CRED.c.csrf_token, _CRED.c.expires_at, _USER.c.id, _USER.c.username, _USER.c.role,
           _USER.c.full_name, _USER.c.locale, _USER.c.active)
    .join(_USER, _USER.c.id == _CRED.c.user_id)
    .where(_CRED.c.token_hash == bindparam("token_hash"), _CRED.c.kind == bindparam("kind")))


def resolve(session: Session, token: str, kind: str) -> ResolvedCredential:
    """The live credential for `token` and its active user, or Unauthenticated.

    One Core statement on the driver's cursor (`store.hot_reads`): it runs on every request,
    where the ORM would cost several times the query itself."""
    row = _RESOLVE.first(session.connection(), {"token_hash": _digest(token), "kind": kind})
    if row is None:
        raise Unauthenticated("not logged in")
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(
        tzinfo=UTC)
    if expires < datetime.now(UTC) or not row.active:
        raise Unauthenticated("session expired; log in again")
    return ResolvedCredential(SessionUser(row.id, row.username, row.role, row.full_name,
                                          row.locale), row.csrf_token)


def revoke(session: Session, token: str) -> None:
    session.execute(delete(Credential).where(Credential.token_hash == _digest(token)))
