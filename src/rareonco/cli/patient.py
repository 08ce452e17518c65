"""`rareonco patient`: patient identity from the command line.

``rareonco patient match`` reads ``{"candidate": {...}, "existing": [{"id": 1, ...}]}`` on
standard input, scores the candidate against every existing person with
`rareonco.identity` and prints ``{"decision": "link|review|new", "matches": [...]}``. Bad
input prints ``{"error", "field"}`` (e.g. field ``existing.0.birth_date``) and exits with
status 2.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated, Any, Literal

import typer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from rareonco.errors import InvalidInput
from rareonco.i18n import vocab
from rareonco.identity import LIST_FLOOR, Person, match_person

from .failures import ReportingGroup, errors_as

app = typer.Typer(
    cls=ReportingGroup,
    help="Patient identity: match a new person against existing ones (JSON in/out).",
    no_args_is_help=True,
)


def _iso_date(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD") from None
    if parsed > date.today():
        raise ValueError(f"birth date {value} is in the future")
    return parsed


def _country(value: object) -> object:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("an ISO 3166-1 alpha-2 country code, e.g. UZ")
    try:
        return vocab.country(value, "country")
    except InvalidInput as exc:
        raise ValueError(exc.reason) from None


def _id(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise ValueError("an integer or a non-empty string")
    return value


Name = Annotated[str | None, Field(max_length=200)]
Country = Annotated[str | None, BeforeValidator(_country)]


class PersonIn(BaseModel):
    """A person as typed on a form; every key optional, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    family: Name = None
    given: Name = None
    family_native: Name = None
    given_native: Name = None
    birth_date: Annotated[date | None, BeforeValidator(_iso_date)] = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    passport: Annotated[str | None, Field(max_length=40)] = None
    passport_country: Country = None
    national_id: Annotated[str | None, Field(max_length=40)] = None
    national_id_country: Country = None
    country: Country = None

    def person(self) -> Person:
        return Person(**self.model_dump(exclude={"id"}))


class ExistingIn(PersonIn):
    id: Annotated[int | str, BeforeValidator(_id)]


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    candidate: PersonIn
    existing: list[ExistingIn] = Field(default_factory=list)


def _invalid(exc: ValidationError) -> InvalidInput:
    err = exc.errors(include_url=False)[0]
    reason = str(err["msg"]).removeprefix("Value error, ")
    return InvalidInput(".".join(str(p) for p in err["loc"]) or "body", reason)


def _read() -> MatchIn:
    def no_constants(token: str) -> float:
        raise ValueError(f"{token} is not a number")

    try:
        payload: Any = json.loads(sys.stdin.read(), parse_constant=no_constants)
    except ValueError as exc:
        raise InvalidInput("body", f"invalid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise InvalidInput("body", "a JSON object with 'candidate' and 'existing'")
    try:
        request = MatchIn.model_validate(payload)
    except ValidationError as exc:
        raise _invalid(exc) from None
    seen: set[int | str] = set()
    for i, item in enumerate(request.existing):
        if item.id in seen:
            raise InvalidInput(f"existing.{i}.id", f"duplicate id {item.id!r}")
        seen.add(item.id)
    return request


@app.command("match")
def match() -> None:
    """Match a candidate person against existing persons: JSON on stdin -> JSON on stdout.

    Input: {"candidate": PERSON, "existing": [{"id": 1, ...PERSON}]}, where PERSON has the
    optional keys family, given, family_native, given_native, birth_date (YYYY-MM-DD), sex
    (female, male, other, unknown), passport, passport_country, national_id,
    national_id_country, country (ISO 3166-1 alpha-2; the documents' issuing country unless
    given).

    Output: {"decision": "link|review|new", "matches": [{"id", "score", "agreements",
    "conflicts"}]}, best score first. Existing persons whose own outcome is "new" and whose
    score is below 0.05 are left out. Bad input: {"error", "field"} and exit status 2.
    """
    errors_as(json=True)
    request = _read()
    result = match_person(request.candidate.person(),
                          ((item.id, item.person()) for item in request.existing),
                          floor=LIST_FLOOR)
    typer.echo(json.dumps({
        "decision": result.decision,
        "matches": [{"id": m.id, "score": m.score, "agreements": list(m.agreements),
                     "conflicts": list(m.conflicts)} for m in result.matches],
    }, ensure_ascii=False))
