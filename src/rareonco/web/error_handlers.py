"""Turn every error into a clear HTTP response in one place: JSON for the API, a page for the
browser. Never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from rareonco.errors import (
    InvalidInput,
    RareOncoError,
    TooManyRequests,
    Unauthenticated,
)
from rareonco.i18n import use_locale
from rareonco.i18n.service_messages import field_label, for_page, pydantic_reason, status_sentence
from rareonco.records.board import meetings as board_meetings
from rareonco.records.board import protocol_lock as board_lock
from rareonco.records.board import schemas as board_schemas
from rareonco.records.board import signing as board_signing
from rareonco.records.hipec import procedures as hipec_procedures
from rareonco.web.pages.render import error_page, request_locale

log = logging.getLogger("rareonco.web")

#: Messages with values (`%(name)s`) that services raise, so a page can show them translated:
#: a feature whose refusals carry values adds its `MESSAGES` here.
MESSAGE_TEMPLATES: tuple[str, ...] = (*board_signing.MESSAGES.values(),
                                      *board_meetings.MESSAGES.values(),
                                      *board_schemas.MESSAGES.values(),
                                      *board_lock.MESSAGES.values(),
                                      *hipec_procedures.MESSAGES.values())


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", "")


def validation_details(errors: Sequence[Mapping[str, Any]], translated: bool = False
                       ) -> list[dict[str, str]]:
    """`{"field", "reason"}` per pydantic error; the reason in the current locale when
    `translated` (pages), pydantic's English otherwise (the API)."""
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        msg = (pydantic_reason(dict(err), MESSAGE_TEMPLATES) if translated
               else str(err.get("msg", "invalid")).removeprefix("Value error, "))
        details.append({"field": ".".join(loc) or "body", "reason": msg})
    return details


def _page(request: Request, status_code: int, message: str) -> Response:
    """The error page, its message in the user's language."""
    with use_locale(request_locale(request)):
        return error_page(request, status_code, for_page(message, status_code, MESSAGE_TEMPLATES))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RareOncoError)
    async def _domain(request: Request, exc: RareOncoError) -> Response:
        if isinstance(exc, Unauthenticated) and _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if _wants_html(request):
            return _page(request, exc.status_code, exc.message)
        body = exc.to_dict()
        if isinstance(exc, InvalidInput):
            body["detail"] = [{"field": exc.field, "reason": exc.reason}]
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after_s)}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if _wants_html(request):  # a page's address with a bad id (/patients/abc)
            with use_locale(request_locale(request)):
                first_error = validation_details(exc.errors(), translated=True)[:1]
                reason = "; ".join(d["reason"] if d["field"] in ("body", "form", "")
                                   else f"{field_label(d['field'])}: {d['reason']}"
                                   for d in first_error)
                return error_page(request, 422, f"{status_sentence(422)} {reason}".strip())
        details = validation_details(exc.errors())
        first = details[0] if details else {"field": "body", "reason": "invalid"}
        return JSONResponse({"error": first["reason"], "field": first["field"],
                             "detail": details}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            return _page(request, exc.status_code, str(exc.detail))
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_html(request):
            with use_locale(request_locale(request)):
                return error_page(request, 500, status_sentence(500))
        return JSONResponse({"error": "internal error; it has been logged"}, status_code=500)
