"""Typed values that cross the service boundary (API bodies, CLI and demo input).

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
    field_validator,
    model_validator,
)

from rareonco.clinical.codes import lookup_morphology, lookup_topography
from rareonco.errors import InvalidInput
from rareonco.records import vocab
from rareonco.records.timeline_kinds import EVENT_KINDS

Text200 = Annotated[str, Field(min_length=1, max_length=200)]


def _not_future(value: date | None, what: str) -> date | None:
    if value is not None and value > date.today():
        raise ValueError(f"{what} {value.isoformat()} is in the future")
    return value


def _reraise(exc: InvalidInput) -> ValueError:
    return ValueError(exc.reason)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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


class PatientIn(Strict):
    family_name: Text200
    given_names: Text200
    family_name_latin: str | None = Field(default=None, max_length=120)
    given_names_latin: str | None = Field(default=None, max_length=200)
    sex: Sex
    birth_date: BirthDate
    citizenship: Country
    residence_country: Country
    preferred_language: Language
    other_languages: list[Language] = Field(default_factory=list, max_length=10)
    interpreter_needed: bool = False
    mrn: str | None = Field(default=None, max_length=32)
    national_id: str | None = Field(default=None, max_length=40)
    passport_number: str | None = Field(default=None, max_length=40)
    passport_country: Country | None = None
    phone: str | None = Field(default=None, max_length=40)
    email: Email | None = None
    address: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _passport(self) -> PatientIn:
        if self.passport_number and not self.passport_country:
            self.passport_country = self.citizenship
        return self


class PatientUpdate(Strict):
    """A partial update: only the fields given change. `version` must be the current one."""

    version: int
    family_name: Text200 | None = None
    given_names: Text200 | None = None
    family_name_latin: str | None = Field(default=None, max_length=120)
    given_names_latin: str | None = Field(default=None, max_length=200)
    sex: Sex | None = None
    birth_date: BirthDate | None = None
    citizenship: Country | None = None
    residence_country: Country | None = None
    preferred_language: Language | None = None
    other_languages: list[Language] | None = None
    interpreter_needed: bool | None = None
    national_id: str | None = Field(default=None, max_length=40)
    passport_number: str | None = Field(default=None, max_length=40)
    passport_country: Country | None = None
    phone: str | None = Field(default=None, max_length=40)
    email: Email | None = None
    address: str | None = Field(default=None, max_length=2000)


class ReferralIn(Strict):
    referring_institution: Text200
    country: Country
    referral_date: date
    reason: str = Field(min_length=1, max_length=10000)

    @field_validator("referral_date")
    @classmethod
    def _date(cls, v: date) -> date:
        _not_future(v, "referral date")
        return v


class MolecularIn(Strict):
    finding: Text200
    gene: str | None = Field(default=None, max_length=64)
    method: str = Field(min_length=1, max_length=100)
    finding_date: date | None = None

    @field_validator("finding_date")
    @classmethod
    def _date(cls, v: date | None) -> date | None:
        return _not_future(v, "date")


class DiagnosisFields(Strict):
    morphology_code: str | None = None
    topography_code: str | None = None
    laterality: str | None = None
    site_detail: str | None = Field(default=None, max_length=2000)
    grade: str | None = Field(default=None, max_length=16)
    stage: str | None = Field(default=None, max_length=32)
    diagnosis_date: date | None = None

    @field_validator("morphology_code")
    @classmethod
    def _morph(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            return lookup_morphology(v).code
        except InvalidInput as e:
            raise _reraise(e) from None

    @field_validator("topography_code")
    @classmethod
    def _topo(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            return lookup_topography(v).code
        except InvalidInput as e:
            raise _reraise(e) from None

    @field_validator("laterality")
    @classmethod
    def _lat(cls, v: str | None) -> str | None:
        if v is not None and v not in vocab.LATERALITIES:
            raise ValueError(f"one of {', '.join(vocab.LATERALITIES)}")
        return v

    @field_validator("diagnosis_date")
    @classmethod
    def _date(cls, v: date | None) -> date | None:
        return _not_future(v, "diagnosis date")


class CaseIn(DiagnosisFields):
    referral_id: int | None = None
    molecular_findings: list[MolecularIn] = Field(default_factory=list)


class CaseUpdate(DiagnosisFields):
    version: int


class EventIn(Strict):
    kind: str
    event_date: date
    summary: str = Field(default="", max_length=5000)
    payload: dict[str, Any] = Field(default_factory=dict)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {v!r}; one of {', '.join(sorted(EVENT_KINDS))}")
        return v

    @field_validator("event_date")
    @classmethod
    def _date(cls, v: date) -> date:
        return _not_future(v, "event date")  # type: ignore[return-value]


class TransitionIn(Strict):
    to: str
    reason: str | None = None
    note: str = Field(default="", max_length=5000)
    version: int | None = None


class Page(BaseModel):
    items: list[Any]
    total: int
    page: int
    per_page: int


def iso(d: date | datetime | None) -> str | None:
    return d.isoformat() if d else None
