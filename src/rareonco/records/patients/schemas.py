"""Typed bodies of the patient services: register and update (with the version) in, the
patient (identified or de-identified) and a page of the search out."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from rareonco.records.schemas import (
    BirthDate,
    Country,
    Email,
    Language,
    Out,
    Sex,
    Strict,
    Text200,
)


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
    #: register although the matcher found a possible match (then `confirm_reason` says why)
    confirm_new: bool = False
    confirm_reason: str = Field(default="", max_length=2000)

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


class CandidateOut(Out):
    """A patient on file who may be the person being registered, with the matcher's view:
    its score (0-1), outcome for the pair (link or review), the codes of what agrees and what
    conflicts, and per field (family, given, birth_date, sex, passport, national_id, country)
    "agree", "similar" or "conflict"."""

    id: int
    mrn: str
    family_name: str
    given_names: str
    family_name_latin: str
    given_names_latin: str
    birth_date: dt.date
    sex: str
    citizenship: str
    passport_number: str | None
    national_id: str | None
    score: float
    outcome: Literal["link", "review", "new"]
    agreements: list[str]
    conflicts: list[str]
    fields: dict[str, str]


class IdentityConflictOut(Out):
    """409 of a registration: the person may already be on file."""

    error: str
    field: Literal["identity"]
    decision: Literal["link", "review"]
    candidates: list[CandidateOut]


class CaseSummaryOut(Out):
    """A case as listed with its patient."""

    id: int
    status: str
    morphology_code: str | None
    topography_code: str | None


class PatientHeaderOut(Out):
    """An identified patient (roles with ``patient.read``), as the case page shows them."""

    id: int
    version: int
    mrn: str
    family_name: str
    given_names: str
    family_name_latin: str
    given_names_latin: str
    sex: str
    birth_date: dt.date
    citizenship: str
    residence_country: str
    preferred_language: str
    other_languages: list[str]
    interpreter_needed: bool
    national_id: str | None
    passport_number: str | None
    passport_country: str | None
    phone: str | None
    email: str | None
    address: str | None


class PatientOut(PatientHeaderOut):
    """An identified patient with their cases."""

    cases: list[CaseSummaryOut]


class DeidentifiedHeaderOut(Out):
    """A patient as de-identified roles (the researcher) see them: a pseudonym, no name or
    identifier, the birth year only."""

    id: int
    pseudonym: str
    sex: str
    birth_year: int
    citizenship: str
    residence_country: str
    deidentified: Literal[True]


class DeidentifiedPatientOut(Out):
    """A de-identified patient with their cases (the fields of `DeidentifiedHeaderOut`)."""

    id: int
    pseudonym: str
    sex: str
    birth_year: int
    citizenship: str
    residence_country: str
    cases: list[CaseSummaryOut]
    deidentified: Literal[True]


#: A patient as the caller's role may see them (`service.view`).
AnyPatientOut = PatientOut | DeidentifiedPatientOut


class PatientPageOut(Out):
    """One page of a patient search. ``total`` stops at 1,000 and ``total_exceeds_limit`` then
    says there are more: narrowing the search helps more than an exact figure."""

    items: list[AnyPatientOut]
    total: int
    total_exceeds_limit: bool
    page: int
    per_page: int
