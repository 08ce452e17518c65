"""Typed values of the auditor's queries: the filter, one entry, a page, the chain check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from rareonco.records.schemas import Out, Strict

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "json")


class AuditFilterIn(Strict):
    """What the auditor asks for; every field optional, the filters combine (AND).

    ``patient`` is a record number (MRN) or a patient id; it matches the patient's own entries
    and those of their cases, referrals, documents and desk inquiries. ``since``/``until`` are
    UTC days, both included. ``resource`` keeps every entry whose resource starts with it
    (the API's filter, e.g. ``case/5/hipec``)."""

    resource: str | None = Field(None, max_length=200)
    username: str | None = Field(None, max_length=64)
    patient: str | None = Field(None, max_length=32)
    action: str | None = Field(None, max_length=32)
    since: date | None = None
    until: date | None = None

    @field_validator("resource", "username", "patient", "action", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _ordered(self) -> AuditFilterIn:
        if self.since and self.until and self.until < self.since:
            raise ValueError("the end of the period is before its start")
        return self

    def describe(self) -> str:
        """The filter as recorded in the audit entry of a read or an export."""
        return ";".join(f"{k}={v}" for k, v in self.model_dump(mode="json").items()
                        if v is not None)


class AuditEntryOut(Out):
    """One entry of the chain (its hashes are checked by ``GET /audit/verify``)."""

    seq: int
    at: str = Field(description="ISO 8601 time of the entry (UTC)")
    username: str
    action: str
    resource: str
    client: str
    detail: str

    @field_validator("at", mode="before")
    @classmethod
    def _iso(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value


class AuditPageOut(Out):
    """One page of entries, newest first. ``older_than`` / ``newer_than`` are the sequence
    numbers to pass as ``before`` / ``after`` for the next and previous pages (null at an end)."""

    items: list[AuditEntryOut]
    older_than: int | None
    newer_than: int | None


class ChainCheckOut(Out):
    """The result of walking the whole chain: ``entries`` links hold in order; when one does
    not, ``first_broken_seq`` and ``reason`` name the first entry at fault (null and "" when
    every link holds)."""

    ok: bool
    entries: int
    first_broken_seq: int | None
    reason: str
