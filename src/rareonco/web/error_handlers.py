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
from rareonco.web.pages.render import error_page

log = logging.getLogger("rareonco.web")


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", "")


def validation_details(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        msg = str(err.get("msg", "invalid"))
        msg = msg.removeprefix("Value error, ")
        details.append({"field": ".".join(loc) or "body", "reason": msg})
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RareOncoError)
    async def _domain(request: Request, exc: RareOncoError) -> Response:
        if isinstance(exc, Unauthenticated) and _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if _wants_html(request):
            return error_page(request, exc.status_code, exc.message)
        body = exc.to_dict()
        if isinstance(exc, InvalidInput):
            body["detail"] = [{"field": exc.field, "reason": exc.reason}]
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after_s)}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = validation_details(exc.errors())
        first = details[0] if details else {"field": "body", "reason": "invalid"}
        return JSONResponse({"error": first["reason"], "field": first["field"],
                             "detail": details}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            return error_page(request, exc.status_code, str(exc.detail))
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error; it has been logged"}, status_code=500)
