"""The auditor's page: the audit log filtered by user, patient, action and period, newest
first one page at a time, its export (CSV, JSON) and the chain check (loaded after the page:
walking a long chain takes seconds)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from rareonco.errors import InvalidInput
from rareonco.records.audit import queries
from rareonco.records.audit.schemas import EXPORT_FORMATS, AuditFilterIn
from rareonco.records.audit.vocabulary import ACTIONS, action_label, chain_reason
from rareonco.security.roles import Permission, require
from rareonco.web.deps import SessionDep
from rareonco.web.pages.forms import PageUserDep, refusal
from rareonco.web.pages.render import render

router = APIRouter()
FILTER_FIELDS = ("username", "patient", "action", "since", "until")


def _filter_values(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip() for k in FILTER_FIELDS}


def _parse(values: dict[str, str]) -> AuditFilterIn:
    """The filter from the query string ('' means no filter); a bad date names its field."""
    data: dict[str, Any] = {k: v for k, v in values.items() if v}
    for key in ("since", "until"):
        if key in data:
            try:
                data[key] = date.fromisoformat(data[key])
            except ValueError:
                raise InvalidInput(key, "not a date (YYYY-MM-DD)") from None
    return AuditFilterIn(**data)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    require(user.actor.role, Permission.AUDIT_READ)
    values = _filter_values(request)
    ctx: dict[str, Any] = {"v": values, "actions": ACTIONS, "action_label": action_label,
                           "formats": EXPORT_FORMATS,
                           "usernames": queries.usernames(session, user.actor),
                           "query": urlencode({k: v for k, v in values.items() if v})}
    try:
        f = _parse(values)
        ctx["page"] = queries.page(session, user.actor, f,
                                   before=_int(request.query_params.get("before")),
                                   after=_int(request.query_params.get("after")))
    except (InvalidInput, ValidationError) as exc:
        message, status = refusal(exc)
        return render(request, "audit/log.html", {**ctx, "page": None, "error": message},
                      status_code=status)
    return render(request, "audit/log.html", ctx)


@router.get("/audit/verify")
def chain_check(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    return render(request, "audit/_chain.html", {"check": queries.verify(session, user.actor),
                                                 "chain_reason": chain_reason})


@router.get("/audit/export")
def export(request: Request, session: SessionDep, user: PageUserDep,
           format: str = "csv") -> Response:
    """The filtered entries as a download; a refused filter shows the page with its message."""
    require(user.actor.role, Permission.AUDIT_READ)
    try:
        body = queries.export(session, user.actor, _parse(_filter_values(request)), format)
    except (InvalidInput, ValidationError) as exc:
        message, status = refusal(exc)
        return render(request, "audit/log.html", {
            "v": _filter_values(request), "actions": ACTIONS, "action_label": action_label,
            "formats": EXPORT_FORMATS, "usernames": [], "query": "", "page": None,
            "error": message}, status_code=status)
    media = "application/json" if format == "json" else "text/csv; charset=utf-8"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="audit-log.{format}"'})
