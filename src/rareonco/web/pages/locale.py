"""The language switch: remembered in a cookie, and on the account when logged in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from rareonco import i18n
from rareonco.errors import InvalidInput
from rareonco.security.preferences import remember_locale
from rareonco.web.deps import OptionalUserDep, SessionDep
from rareonco.web.pages.forms import form_text
from rareonco.web.pages.login import safe_next

router = APIRouter()
ONE_YEAR_S = 365 * 24 * 3600


@router.post("/locale")
async def switch_language(request: Request, session: SessionDep,
                          user: OptionalUserDep) -> Response:
    form = await request.form()
    lang = i18n.normalise(form_text(form, "lang"))
    if lang is None:
        raise InvalidInput("lang", "one of " + ", ".join(i18n.LOCALES))
    if user is not None and lang in i18n.STAFF_LOCALES:
        remember_locale(session, user.actor, lang)
    response = RedirectResponse(safe_next(form_text(form, "next")), status_code=303)
    response.set_cookie(i18n.LOCALE_COOKIE, lang, max_age=ONE_YEAR_S, samesite="lax",
                        httponly=True, secure=request.url.scheme == "https")
    return response
