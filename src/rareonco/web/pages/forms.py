"""What every page handler shares: the logged-in user of a page, and form actions whose
refusals are shown beside the form instead of an error page.

- `PageUserDep`: the current user, also put on ``request.state`` for the templates (the one
  place that does it);
- `refusal(exc)`: a refused action as the message to show and its HTTP status; a
  `ValidationError` from a form's model counts as invalid input (422);
- `form_action(session, act, on_refusal)`: run `act` in a savepoint; on a refusal (invalid
  input or a conflict: something the user can correct in the form) roll the savepoint back and
  answer `on_refusal(message, status)` (usually the form again with the message beside it);
  anything else (not logged in, forbidden, not found) propagates to `web/error_handlers.py`,
  which shows the error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rareonco import i18n
from rareonco.errors import Conflict, InvalidInput, RareOncoError
from rareonco.i18n.service_messages import field_label, translate
from rareonco.web.deps import CurrentUser, UserDep
from rareonco.web.error_handlers import MESSAGE_TEMPLATES, validation_details
from rareonco.web.pages.render import request_locale

T = TypeVar("T")


def page_user(request: Request, user: CurrentUser) -> CurrentUser:
    """Make `user` the page's user (``request.state.user``, which the templates read)."""
    request.state.user = user
    return user


async def _page_user(request: Request, user: UserDep) -> CurrentUser:
    """Also the page's language, from here on: async, so the locale is set in the request's
    own context, which the handler (and a refusal's message, translated before the page is
    rendered) inherits."""
    page = page_user(request, user)
    i18n.set_locale(request_locale(request))
    return page


#: The logged-in user of a page (also ``request.state.user``, which the templates read).
PageUserDep = Annotated[CurrentUser, Depends(_page_user)]

#: What a form shows beside itself: input it can correct, a conflict it can resolve.
REFUSALS: tuple[type[Exception], ...] = (InvalidInput, Conflict, ValidationError)
#: Only the input itself (a conflict then shows the error page).
FORM_INPUT: tuple[type[Exception], ...] = (InvalidInput, ValidationError)


def as_invalid_input(exc: ValidationError) -> InvalidInput:
    """A form model's validation error as `InvalidInput` naming the first field at fault, the
    reason in the current locale (pydantic's words by the error's type: "required", "not a
    number", "must be at least 0"...)."""
    details = validation_details(exc.errors(), translated=True)
    first = details[0] if details else {"field": "form", "reason": "invalid"}
    return InvalidInput(first["field"], first["reason"])


def refusal(exc: RareOncoError | ValidationError) -> tuple[str, int]:
    """The message to show beside the form, in the user's language (the field by its label),
    and the status to answer with."""
    if isinstance(exc, ValidationError):
        invalid = as_invalid_input(exc)
        if invalid.field in WHOLE_FORM:  # a rule of the whole form names no field ("body: ...")
            return _capitalised(invalid.reason), invalid.status_code
        return f"{field_label(invalid.field)}: {invalid.reason}", invalid.status_code
    return translate(exc.message, exc.status_code, MESSAGE_TEMPLATES), exc.status_code


#: what pydantic's location says when a rule is about the whole form, not one field
WHOLE_FORM = ("body", "form", "")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def form_text(form: FormData, key: str) -> str:
    """A form field as stripped text ("" when absent or a file)."""
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def form_action(session: Session, act: Callable[[], T],
                on_refusal: Callable[[str, int], Response],
                refuse: tuple[type[Exception], ...] = REFUSALS) -> T | Response:
    """Run `act` in a savepoint; a refusal (an exception of `refuse`) rolls it back and answers
    `on_refusal(message, status)`; any other error propagates to the error page."""
    try:
        with session.begin_nested():
            return act()
    except refuse as exc:
        assert isinstance(exc, RareOncoError | ValidationError)
        return on_refusal(*refusal(exc))
