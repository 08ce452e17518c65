"""Building blocks shared by every feature's typed values: the strict base model, validated
demographic fields, `one_of`, pages of results, ISO dates.

Validation here names the field and the reason; the web layer reports it as HTTP 422.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)

from rareonco.errors import InvalidInput
from rareonco.i18n import vocab

Text200 = Annotated[str, Field(min_length=1, max_length=200)]


def _not_future(value: date | None, what: str) -> date | None:
    if value is not None and value > date.today():
        raise ValueError(f"{what} {value.isoformat()} is in the future")
    return value


def _reraise(exc: InvalidInput) -> ValueError:
    return ValueError(exc.reason)


class Strict(BaseModel):
    """Base of every typed input: unknown fields refused, text stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    """Base of every typed output: an API response body (``response_model``), documented in
    the OpenAPI, and the same object a page's template reads. Built from views or ORM rows."""

    model_config = ConfigDict(from_attributes=True)


def _sex(v: str) -> str:
    if v not in vocab.SEXES:
        raise ValueError(f"one of {', '.join(vocab.SEXES)}")
    return v


def _birth(v: date) -> date:
    _not_future(v, "birth date")
    if v.year < 1900:
        raise ValueError("birth date before 1900")
    return v


def _country(v: str) -> str:
    try:
        return vocab.country(v, "country")
    except InvalidInput as e:
        raise _reraise(e) from None


def _language(v: str) -> str:
    try:
        return vocab.language(v, "language")
    except InvalidInput as e:
        raise _reraise(e) from None


def _email(v: str) -> str:
    if "@" not in v or v.startswith("@") or v.endswith("@"):
        raise ValueError("not an e-mail address")
    return v


def one_of(choices: Iterable[str]) -> AfterValidator:
    """A validator for a string field that must be one of `choices` (a 422 lists them)."""
    allowed = tuple(choices)

    def check(v: str) -> str:
        if v not in allowed:
            raise ValueError("one of " + ", ".join(allowed))
        return v

    return AfterValidator(check)


Sex = Annotated[str, AfterValidator(_sex)]


BirthDate = Annotated[date, AfterValidator(_birth)]


Country = Annotated[str, AfterValidator(_country)]


Language = Annotated[str, AfterValidator(_language)]


Email = Annotated[str, Field(max_length=200), AfterValidator(_email)]


class Page(BaseModel):
    items: list[Any]
    total: int
    page: int
    per_page: int


def iso(d: date | datetime | None) -> str | None:
    return d.isoformat() if d else None
