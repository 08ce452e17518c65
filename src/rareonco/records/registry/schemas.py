"""Registry cohort filters (`*In`) and the cohort and survival answers (`*Out`).

Every count a researcher sees passes small-cell suppression: a number from 1 to
``SMALL_CELL - 1`` is shown as null (see :mod:`rareonco.outcomes.deidentify`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from rareonco.errors import InvalidInput
from rareonco.outcomes.registry_record import SITE_GROUPS
from rareonco.records.schemas import Out, Strict

SMALL_CELL = 5
Endpoint = Literal["os", "efs"]
SiteGroup = Literal["limb", "pelvis", "axial", "head_neck", "trunk", "retroperitoneum", "peritoneum",
                    "other"]
assert set(SiteGroup.__args__) == set(SITE_GROUPS)  # type: ignore[attr-defined]


class CohortIn(Strict):
    """A cohort: every given criterion must hold (AND); a list means any of its values (OR)."""

    morphology: list[str] = Field(default_factory=list, max_length=50,
                                  description="ICD-O-3 morphology codes, e.g. 9180/3")
    site_group: list[SiteGroup] = Field(default_factory=list, max_length=8)
    age_min: int | None = Field(None, ge=0, le=120)
    age_max: int | None = Field(None, ge=0, le=120)
    sex: Literal["female", "male"] | None = None
    country: list[str] = Field(default_factory=list, max_length=60)
    metastatic: bool | None = None
    molecular: str | None = Field(None, max_length=40)
    chemotherapy: bool | None = None
    surgery: bool | None = None
    radiotherapy: bool | None = None
    hipec: bool | None = None
    margin: list[Literal["R0", "R1", "R2"]] = Field(default_factory=list)
    best_response: list[Literal["CR", "PR", "SD", "PD", "NE"]] = Field(default_factory=list)

    @field_validator("morphology")
    @classmethod
    def _known_morphology(cls, codes: list[str]) -> list[str]:
        from rareonco.clinical.codes import lookup_morphology

        for code in codes:
            try:
                lookup_morphology(code)
            except InvalidInput as exc:
                raise ValueError(f"{code!r}: {exc.reason}") from None
        return codes

    @field_validator("country")
    @classmethod
    def _iso_countries(cls, codes: list[str]) -> list[str]:
        from rareonco.i18n.vocab import country

        try:
            return [country(c, "country") for c in codes]
        except InvalidInput as exc:
            raise ValueError(exc.reason) from None

    @model_validator(mode="after")
    def _age_range(self) -> CohortIn:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min is above age_max")
        return self


class CompareIn(Strict):
    endpoint: Endpoint = "os"
    groups: dict[str, CohortIn] = Field(min_length=2, max_length=6)
    times_days: list[int] = Field(default_factory=lambda: [0, 365, 730, 1095, 1461, 1826],
                                  max_length=20)


class SurvivalIn(Strict):
    endpoint: Endpoint = "os"
    cohort: CohortIn = Field(default_factory=CohortIn)
    times_days: list[int] = Field(default_factory=lambda: [0, 365, 730, 1095, 1461, 1826],
                                  max_length=20)


class CountOut(Out):
    n: int | None = Field(description="patients in the cohort; null when 1-4 (small cell)")


class PointOut(Out):
    days: float
    estimate: float
    lower: float
    upper: float


class CurveOut(Out):
    label: str
    endpoint: Endpoint
    n: int | None
    events: int | None
    median_days: float | None
    points: list[PointOut]
    at_risk: list[int | None] = Field(description="numbers at risk at ``times_days``, small cells null")
    times_days: list[int]
    suppressed: bool = Field(description="true when the cohort is too small to show a curve")


class CompareOut(Out):
    curves: list[CurveOut]
    chi_square: float | None
    degrees_of_freedom: int | None
    p_value: float | None
