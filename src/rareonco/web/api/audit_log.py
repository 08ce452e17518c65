"""The audit log, for auditors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from rareonco.security import audit
from rareonco.security.roles import Permission, require
from rareonco.store.tables.audit import AuditEntry
from rareonco.web.deps import SessionDep, UserDep

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("")
def list_entries(session: SessionDep, user: UserDep, resource: str | None = None,
                 username: str | None = None, after_seq: int = Query(0, ge=0),
                 limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
    require(user.actor.role, Permission.AUDIT_READ)
    q = select(AuditEntry).where(AuditEntry.seq > after_seq)
    if resource:
        q = q.where(AuditEntry.resource.startswith(resource))
    if username:
        q = q.where(AuditEntry.username == username)
    rows = session.scalars(q.order_by(AuditEntry.seq).limit(limit)).all()
    return [{"seq": e.seq, "at": e.at.isoformat(), "username": e.username, "action": e.action,
             "resource": e.resource, "client": e.client, "detail": e.detail} for e in rows]


@router.get("/verify")
def verify_chain(session: SessionDep, user: UserDep) -> dict[str, Any]:
    require(user.actor.role, Permission.AUDIT_READ)
    result = audit.verify(session)
    return {"ok": result.ok, "entries": result.entries,
            "first_broken_seq": result.first_broken_seq, "reason": result.reason}
