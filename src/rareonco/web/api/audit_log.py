"""The audit log, for auditors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import Field, field_validator

from rareonco.records.schemas import Out
from rareonco.security import audit
from rareonco.web.deps import SessionDep, UserDep

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryOut(Out):
    """One entry of the chain (its hashes are checked by ``GET /audit/verify``)."""

    seq: int
    at: str = Field(description="ISO 8601 time of the entry")
    username: str
    action: str
    resource: str
    client: str
    detail: str

    @field_validator("at", mode="before")
    @classmethod
    def _iso(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value


class ChainCheckOut(Out):
    """The result of walking the whole chain: ``first_broken_seq`` and ``reason`` name the
    first entry whose link or hash does not hold (null and "" when every link holds)."""

    ok: bool
    entries: int
    first_broken_seq: int | None
    reason: str


@router.get("")
def list_entries(session: SessionDep, user: UserDep, resource: str | None = None,
                 username: str | None = None, after_seq: int = Query(0, ge=0),
                 limit: int = Query(100, ge=1, le=1000)) -> list[AuditEntryOut]:
    return [AuditEntryOut.model_validate(e) for e in audit.entries(
        session, user.actor, resource, username, after_seq, limit)]


@router.get("/verify")
def verify_chain(session: SessionDep, user: UserDep) -> ChainCheckOut:
    return ChainCheckOut.model_validate(audit.verify_as(session, user.actor))
