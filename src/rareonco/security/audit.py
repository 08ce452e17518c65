"""The audit log: append-only and hash-chained.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields, so
changing or removing any entry breaks every link after it. Appends lock the single
`audit_head` row, so concurrent writers extend the chain one at a time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from pydantic_core import to_json
from sqlalchemy import Connection, Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from rareonco.security.roles import Permission, require
from rareonco.store.tables.audit import AuditEntry, AuditHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who acts: the user (None for the system or an anonymous public form) and their address."""

    user_id: int | None
    username: str
    role: str
    client: str = "local"


SYSTEM = Actor(None, "system", "admin", "local")


def _utc_iso(at: datetime) -> str:
    """The entry time as hashed: UTC, ISO 8601 with microseconds."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, seq: int, at: datetime, user_id: int | None, username: str,
               action: str, resource: str, client: str, detail: str) -> str:
    """SHA-256 (hex) of the entry's fields and the previous hash as a compact JSON array.
    PostgreSQL's `audit_append` function (migration 0005) computes the same bytes."""
    body = json.dumps(
        [prev_hash, seq, _utc_iso(at), user_id, username, action, resource, client, detail],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(session: Session, actor: Actor, action: str, resource: str, detail: str = "") -> None:
    """Append one entry in the caller's transaction; in a read session (see
    `store.db.Database.session(read=True)`) the entry is appended right after the read ends."""
    entry = (actor, action, resource, detail, datetime.now(UTC))
    if session.info.get("audit_deferred"):
        session.info.setdefault("audit_pending", []).append(entry)
        # the storage layer appends the deferred entries with the function it is handed here
        session.info["audit_append"] = append_many
        return
    append_many(session.connection(), [entry])


# declarative classes type `__table__` as any FromClause; these two are tables
_HEAD, _LOG = cast(Table, AuditHead.__table__), cast(Table, AuditEntry.__table__)
# built once: the audit path runs on every request
_TAKE_SEQS = (update(_HEAD).where(_HEAD.c.id == 1)
              .values(seq=_HEAD.c.seq + bindparam("count")).returning(_HEAD.c.seq, _HEAD.c.hash))
_INSERT = insert(_LOG)
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("head_hash"))
_APPEND_PG = text("SELECT audit_append(CAST(:entries AS jsonb))")


def append_many(conn: Connection, entries: list[tuple[Actor, str, str, str, datetime]]) -> None:
    """Extend the chain by `entries` in order: one lock of the head row for all of them.

    On PostgreSQL one call of the server-side `audit_append` (migration 0005) does it all; on
    SQLite three plain Core statements (the audit path runs on every request, and the ORM's
    unit of work would cost several times more for nothing). Runs in `conn`'s transaction."""
    if not entries:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(_APPEND_PG, {"entries": to_json([
            {"at": _utc_iso(at), "user_id": actor.user_id, "username": actor.username,
             "action": action, "resource": resource, "client": actor.client, "detail": detail}
            for actor, action, resource, detail, at in entries]).decode()})
        return
    seq, prev_hash = conn.execute(_TAKE_SEQS, {"count": len(entries)}).one()
    seq -= len(entries)
    rows = []
    for actor, action, resource, detail, at in entries:
        seq += 1
        digest = entry_hash(prev_hash, seq, at, actor.user_id, actor.username, action, resource,
                            actor.client, detail)
        rows.append({"seq": seq, "at": at, "user_id": actor.user_id, "username": actor.username,
                     "action": action, "resource": resource, "client": actor.client,
                     "detail": detail, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    conn.execute(_INSERT, rows)
    conn.execute(_SET_HEAD_HASH, {"head_hash": prev_hash})


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    first_broken_seq: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def entries(session: Session, actor: Actor, resource: str | None = None,
            username: str | None = None, after_seq: int = 0,
            limit: int = 100) -> Sequence[AuditEntry]:
    """Up to `limit` entries after `after_seq`, in chain order, whose resource starts with
    `resource` and whose user is `username` (either filter optional); for auditors."""
    require(actor.role, Permission.AUDIT_READ)
    q = select(AuditEntry).where(AuditEntry.seq > after_seq)
    if resource:
        q = q.where(AuditEntry.resource.startswith(resource))
    if username:
        q = q.where(AuditEntry.username == username)
    return session.scalars(q.order_by(AuditEntry.seq).limit(limit)).all()


def verify_as(session: Session, actor: Actor) -> VerifyResult:
    """`verify`, for auditors."""
    require(actor.role, Permission.AUDIT_READ)
    return verify(session)


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order and report the first entry whose link or hash does not hold."""
    prev_hash, expected_seq, count, last_seq = GENESIS, 1, 0, 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return VerifyResult(count, expected_seq, f"entry {expected_seq} is missing")
            if e.prev_hash != prev_hash:
                return VerifyResult(count, e.seq, "link to the previous entry does not match")
            digest = entry_hash(e.prev_hash, e.seq, _aware(e.at), e.user_id, e.username,
                                e.action, e.resource, e.client, e.detail)
            if digest != e.hash:
                return VerifyResult(count, e.seq, "entry content does not match its hash")
            prev_hash, expected_seq, last_seq = e.hash, e.seq + 1, e.seq
            count += 1
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and head.seq != last_seq:
        return VerifyResult(count, last_seq + 1, f"the chain ends at {last_seq} "
                            f"but the head says {head.seq}: entries were removed")
    return VerifyResult(count, None)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
