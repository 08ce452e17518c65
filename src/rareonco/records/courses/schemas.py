"""Typed bodies of the course services (API, pages, demo loader).

Units are in the field names. Validation names the field and the reason (HTTP 422).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from rareonco.records.schemas import Strict, one_of
from rareonco.regimens.schema import PRECHECK_TESTS

Reason = Annotated[str, Field(max_length=2000)]


DrugName = Annotated[str, Field(min_length=1, max_length=40)]


#: Laboratory tests the course service stores: the regimen pre-check tests (units in the names)
#: and serum creatinine, kept for the record (the gate is on creatinine clearance).
LAB_TESTS = (*PRECHECK_TESTS, "creatinine_umol_l")


class AnthracyclineDose(Strict):
    drug: DrugName
    dose_mg_m2: float = Field(ge=0, le=2000)


class PlanIn(Strict):
    """A course to plan: what `rareonco course plan` takes."""

    regimen: Annotated[str, Field(min_length=1, max_length=32)]
    start: date
    height_cm: float = Field(gt=0)
    weight_kg: float = Field(gt=0)
    bsa_formula: Literal["mosteller", "dubois", "haycock"] = "mosteller"
    n_cycles: int | None = Field(default=None, ge=1, le=60)


class CourseIn(PlanIn):
    """A course to plan and save on a case. The planning weight is stored as a measurement."""

    weight_measured_on: date | None = None
    external_anthracyclines: list[AnthracyclineDose] = Field(default_factory=list, max_length=50)
    note: Annotated[str, Field(max_length=2000)] = ""


#: Why a course ends before its last cycle.
STOP_REASONS = ("toxicity", "progression", "surgery", "patient_choice", "death",
                "transferred", "other")


class CourseStopIn(Strict):
    """Stop a course before its last planned cycle. ``other`` needs a note."""

    version: int
    reason: Annotated[str, one_of(STOP_REASONS)]
    stopped_on: date
    note: Reason = ""


class DoseIn(Strict):
    drug: DrugName
    day: int = Field(ge=1, le=366)
    dose_mg: float = Field(ge=0, le=100000)
    reason: Reason | None = None


class CycleIn(Strict):
    """A cycle as given. ``doses`` empty = every planned dose given as planned (current weight)."""

    number: int = Field(ge=1)
    start_date: date
    doses: list[DoseIn] = Field(default_factory=list, max_length=200)
    delay_reason: Reason | None = None
    precheck_reason: Reason | None = None
    override_reason: Reason | None = None
    note: Annotated[str, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _unique_doses(self) -> CycleIn:
        keys = [(d.drug, d.day) for d in self.doses]
        if len(keys) != len(set(keys)):
            raise ValueError("doses: a drug appears twice on the same day")
        return self


class WeightIn(Strict):
    measured_on: date
    weight_kg: float = Field(gt=0, le=650)
    height_cm: float | None = Field(default=None, gt=0, le=272)


class LabsIn(Strict):
    """Values of one blood draw; keys are test names with the unit (``anc_10e9_l``)."""

    taken_on: date
    values: dict[str, float] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _known_tests(cls, v: dict[str, float]) -> dict[str, float]:
        for test, value in v.items():
            if test not in LAB_TESTS:
                raise ValueError(f"unknown test {test!r}; one of {', '.join(LAB_TESTS)}")
            if value < 0:
                raise ValueError(f"{test}: a laboratory value cannot be negative")
        return v


class AdverseEventIn(Strict):
    term: Annotated[str, Field(min_length=1, max_length=200)]
    grade: int = Field(ge=1, le=5)
    onset: date
    course_id: int | None = None
    cycle_number: int | None = Field(default=None, ge=1)
    note: Annotated[str, Field(max_length=2000)] = ""
