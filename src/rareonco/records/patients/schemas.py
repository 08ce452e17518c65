"""Typed bodies of the patient services: register and update (with the version)."""

from __future__ import annotations

from pydantic import (
    Field,
    model_validator,
)

from rareonco.records.schemas import (
    BirthDate,
    Country,
    Email,
    Language,
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
