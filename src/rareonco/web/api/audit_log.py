"""The audit log, for auditors: filtered reading, export (CSV, JSON) and the chain check."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import ValidationError

from rareonco.records.audit import queries
from rareonco.records.audit.schemas import AuditEntryOut, AuditFilterIn, AuditPageOut, ChainCheckOut
from rareonco.web.deps import SessionDep, UserDep
from rareonco.web.pages.forms import as_invalid_input

router = APIRouter(prefix="/audit", tags=["audit"])

__all__ = ["AuditEntryOut", "AuditPageOut", "ChainCheckOut", "router"]

EXPORTS: dict[int | str, dict[str, Any]] = {200: {
    "description": "every filtered entry in chain order (at most 100,000)",
    "content": {"text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array",
                                                "items": AuditEntryOut.model_json_schema()}}}}}


def _filter(resource: str | None, username: str | None, patient: str | None,
            action: str | None, since: date | None, until: date | None) -> AuditFilterIn:
    try:
        return AuditFilterIn(resource=resource, username=username, patient=patient,
                             action=action, since=since, until=until)
    except ValidationError as exc:
        raise as_invalid_input(exc) from None


@router.get("")
def list_entries(session: SessionDep, user: UserDep, resource: str | None = None,
                 username: str | None = None, patient: str | None = None,
                 action: str | None = None, since: date | None = None, until: date | None = None,
                 after_seq: int = Query(0, ge=0),
                 limit: int = Query(100, ge=1, le=1000)) -> list[AuditEntryOut]:
    """Entries after ``after_seq`` in chain order, filtered by resource prefix, user, patient
    (record number or id), action and UTC days (``since``/``until`` included)."""
    f = _filter(resource, username, patient, action, since, until)
    return queries.entries_after(session, user.actor, f, after_seq, limit)


@router.get("/page")
def newest_first(session: SessionDep, user: UserDep, resource: str | None = None,
                 username: str | None = None, patient: str | None = None,
                 action: str | None = None, since: date | None = None,
                 until: date | None = None, before: int | None = Query(None, ge=1),
                 after: int | None = Query(None, ge=0)) -> AuditPageOut:
    """One page of the filtered entries, newest first (as the auditor's page reads them)."""
    f = _filter(resource, username, patient, action, since, until)
    return queries.page(session, user.actor, f, before, after)


@router.get("/export", response_class=Response, responses=EXPORTS)
def export(session: SessionDep, user: UserDep, format: str = "csv", resource: str | None = None,
           username: str | None = None, patient: str | None = None, action: str | None = None,
           since: date | None = None, until: date | None = None) -> Response:
    """The filtered entries as a file; the export itself is recorded in the log."""
    f = _filter(resource, username, patient, action, since, until)
    body = queries.export(session, user.actor, f, format)
    media = "application/json" if format == "json" else "text/csv; charset=utf-8"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="audit-log.{format}"'})


@router.get("/verify")
def verify_chain(session: SessionDep, user: UserDep) -> ChainCheckOut:
    return queries.verify(session, user.actor)
