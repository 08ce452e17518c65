"""Template rendering shared by the pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rareonco import i18n
from rareonco.i18n import vocab
from rareonco.records.cases.pathway import Status

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
TEMPLATES.env.globals["country_name"] = lambda code: vocab.country_name(code,
                                                                        i18n.current_locale())
TEMPLATES.env.globals["STATUSES"] = [s.value for s in Status]
i18n.install(TEMPLATES.env)


def request_locale(request: Request) -> str:
    """The user's stored choice, else the language cookie, else the browser's preference."""
    user = getattr(request.state, "user", None)
    chosen = i18n.normalise(getattr(user, "locale", None)) if user is not None else None
    if chosen:
        return chosen
    return (i18n.normalise(request.cookies.get(i18n.LOCALE_COOKIE))
            or i18n.negotiate(request.headers.get("accept-language")))


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    i18n.set_locale(request_locale(request))  # templates render synchronously, right here
    ctx = {"user": getattr(request.state, "user", None)}
    ctx.update(context or {})
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status_code": status_code, "message": message},
                  status_code=status_code)
