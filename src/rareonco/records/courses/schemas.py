"""Typed bodies of the course services (API, pages, demo loader): ``*In`` what they take,
``*Out`` what they answer (the API's response models, read by the pages' templates too).

Units are in the field names. Validation names the field and the reason (HTTP 422).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from rareonco.records.schemas import Out, Strict, one_of
from rareonco.regimens.schema import (
    PRECHECK_TESTS,
    AnthracyclineLimit,
    Block,
    CycleSpec,
    Precheck,
    Supportive,
)

Reason = Annotated[str, Field(max_length=2000)]


DrugName = Annotated[str, Field(min_length=1, max_length=40)]


#: Laboratory tests the course service stores: the regimen pre-check tests (units in the names)
#: and serum creatinine and bilirubin in either unit (the gate estimates GFR from creatinine).
LAB_TESTS = (*PRECHECK_TESTS, "creatinine_umol_l", "creatinine_mg_dl", "bilirubin_umol_l")


class OverrideReasonIn(Strict):
    """A structured reason: a code of :data:`rareonco.regimens.findings.OVERRIDE_REASONS` and a
    free text of at least 10 letters or digits."""

    reason_code: Annotated[str, Field(max_length=40)]
    text: Reason


class OverrideIn(OverrideReasonIn):
    """The override of one ``override`` finding of the gate (its code and drug)."""

    finding: Annotated[str, Field(max_length=40)]
    drug: DrugName | None = None


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
    #: Required when the patient has another active course (one active course per patient).
    concurrent_reason: OverrideReasonIn | None = None


class CourseEditIn(CourseIn):
    """A planned course re-planned before its first cycle (same fields as planning it)."""

    version: int


class CourseCancelIn(Strict):
    """Cancel a planned course before its first cycle; the reason is kept and audited."""

    version: int
    reason: Reason


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
    """A cycle to prescribe. ``doses`` empty = every planned dose at the current body size.
    ``overrides``: one per ``override`` finding of the gate."""

    number: int = Field(ge=1)
    start_date: date
    doses: list[DoseIn] = Field(default_factory=list, max_length=200)
    delay_reason: Reason | None = None
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=50)
    note: Annotated[str, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _unique_doses(self) -> CycleIn:
        keys = [(d.drug, d.day) for d in self.doses]
        if len(keys) != len(set(keys)):
            raise ValueError("doses: a drug appears twice on the same day")
        return self


class StepReasonIn(Strict):
    """Why a prescription is returned (pharmacist) or cancelled: at least 10 letters or digits."""

    reason: Reason


class SecondCheckIn(Strict):
    """The second person checking a vesicant or intrathecal administration: another nurse or a
    clinician, confirming with their own password."""

    username: Annotated[str, Field(min_length=1, max_length=80)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class AdministeredDoseIn(Strict):
    drug: DrugName
    day: int = Field(ge=1, le=366)
    dose_mg: float = Field(ge=0, le=100000)
    given_at: datetime


class AdministerIn(Strict):
    """Doses as given (any of the cycle's drug-days; the cycle is administered once all are)."""

    doses: list[AdministeredDoseIn] = Field(min_length=1, max_length=200)
    second_check: SecondCheckIn | None = None


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


# -- outputs (API bodies, read by the pages' templates too) ----------------------------------


class FindingOut(Out):
    """A finding of the cycle gate (:class:`rareonco.regimens.findings.SafetyFinding`) with its
    English and Russian message. Cycles recorded before issue 17 keep their stored findings
    (``needs_reason``, ``resolved_by``, ``outstanding``, ``labs_used``: extra keys, as stored)."""

    model_config = ConfigDict(extra="allow")

    code: str
    severity: Literal["block", "override", "warn", "needs_reason"]
    message: str
    message_ru: str | None = None
    drug: str | None = None
    day: int | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class OverrideOut(Out):
    finding: str
    drug: str | None
    reason_code: str
    text: str


class RegimenOut(Out):
    """A library entry as `rareonco course regimens --json` prints it."""

    id: str
    name: str
    version: str
    status: str
    cycles: int
    cycle_length_days: int
    repeat_until_progression: bool
    drugs: list[str]
    indication: list[str]
    anthracycline_limit_mg_m2: float | None
    source: str


class RegimenChoiceOut(RegimenOut):
    """A library entry offered on a case's courses page; ``indicated`` for its morphology."""

    indicated: bool


class RegimenDetailOut(Out):
    """The whole regimen file as validated data, with the summary's ``drugs`` and
    ``anthracycline_limit_mg_m2`` (``cycles`` is the list of cycle specifications here)."""

    id: str
    name: str
    version: str
    status: str
    source: str
    indication: list[str]
    cycle_length_days: int
    repeat_until_progression: bool
    blocks: dict[str, Block]
    cycles: list[CycleSpec]
    prechecks: list[Precheck]
    supportive: list[Supportive]
    anthracycline_limit: AnthracyclineLimit | None
    notes: str | None
    drugs: list[str]
    anthracycline_limit_mg_m2: float | None


class PlannedDrugOut(Out):
    """One drug of one planned cycle (:class:`rareonco.regimens.DrugDose`); masses in mg."""

    drug: str
    dose_per_m2_mg: float | None
    dose_per_kg_mg: float | None
    days: list[int]
    dates: list[str]
    route: str
    infusion: str | None
    modification_pct: float
    mg_per_day: float
    uncapped_mg_per_day: float
    total_mg: float
    capped: bool
    cap_mg: float | None
    cap_per: str | None
    cap_source: str | None


class PlannedCycleOut(Out):
    number: int
    block: str | None
    phase: str | None
    start: str
    end: str
    drugs: list[PlannedDrugOut]
    supportive: list[str]


class PlanOut(Out):
    """The dose sheet and calendar, the same JSON as `rareonco course plan --json`."""

    regimen: str
    regimen_name: str
    regimen_version: str
    regimen_status: str
    start: str
    height_cm: float
    weight_kg: float
    bsa_formula: str
    bsa_m2: float
    planned_anthracycline_mg_m2: float
    cycles: list[PlannedCycleOut]


class CycleDoseOut(Out):
    """A dose as prescribed (``dose_mg``; ``deviation_pct`` from the protocol dose at the
    cycle's body size) and as administered (``given_mg`` None until given)."""

    drug: str
    day: int
    dose_mg: float
    dose_mg_m2: float
    protocol_mg: float | None
    deviation_pct: float | None
    reason: str | None
    route: str | None
    vesicant: bool
    given_mg: float | None
    given_at: datetime | None
    given_by: str | None
    second_check_by: str | None


class CycleOut(Out):
    """A cycle: its state, when (and how late), the body size used, its findings with their
    overrides, who prescribed, co-signed, verified or returned it, and its doses."""

    id: int
    number: int
    state: Literal["prescribed", "verified", "administered", "returned", "cancelled"]
    prescribed_by: str | None
    overrides: list[OverrideOut]
    awaiting_cosignature: bool
    cosigned_by: str | None
    cosigned_at: datetime | None
    verified_by: str | None
    verified_at: datetime | None
    verification: dict[str, Any] | None
    return_reason: str | None
    cancel_reason: str | None
    administered_at: datetime | None
    history: list[dict[str, Any]]
    start_date: date
    planned_start: date | None
    delay_days: int
    delay_reason: str | None
    weight_kg: float
    bsa_m2: float
    findings: list[FindingOut]
    precheck_reason: str | None
    override_reason: str | None
    override_by: str | None
    note: str
    timeline_event_id: int | None
    doses: list[CycleDoseOut]


class CycleResultOut(CycleOut):
    """A prescribed (or signed) cycle with the warnings of its gate."""

    warnings: list[FindingOut]


class PendingTaskOut(Out):
    """A cycle waiting for the caller: ``cosign`` (a prescription with overrides), ``verify``
    (pharmacist) or ``administer`` (nurse)."""

    task: Literal["cosign", "verify", "administer"]
    course_id: int
    case_id: int
    regimen: str
    cycle: int
    start_date: date
    prescribed_by: str | None


class RegimenApprovalOut(Out):
    """A regimen version's approval: by a pharmacist and by a clinician (two users)."""

    regimen: str
    version: str
    file_status: str
    approved: bool
    pharmacist: str | None
    clinician: str | None


class GivenDoseOut(Out):
    """A dose of the cycle as prescribed (``dose_mg``) and as administered (``given_mg``)."""

    day: int
    dose_mg: float
    given_mg: float | None
    reason: str | None
    deviation_pct: float | None


class CourseDrugOut(PlannedDrugOut):
    """A planned drug beside what was given of it (``given_total_mg`` None while not given)."""

    given: list[GivenDoseOut]
    given_total_mg: float | None


class CourseCycleOut(Out):
    """A planned cycle beside the cycle as prescribed and given (None while not prescribed)."""

    number: int
    block: str | None
    phase: str | None
    planned_start: str
    planned_end: str
    supportive: list[str]
    drugs: list[CourseDrugOut]
    given: CycleOut | None


class CourseStopOut(Out):
    reason: str
    on: date | None
    note: str | None
    by: str | None


class OverrideReasonOut(Out):
    reason_code: str
    text: str


class AnthracyclineDoseOut(Out):
    drug: str
    dose_mg_m2: float


class AnthracyclineOut(Out):
    """Doxorubicin-equivalent mg/m2 the patient has received (administered cycles of every
    course, treatment abroad, dosed timeline entries), and the regimen's limit."""

    case_cumulative_doxorubicin_eq_mg_m2: float
    limit_mg_m2: float | None


class CourseOut(Out):
    """A course: its plan snapshot, every planned cycle beside what was given, its stop."""

    id: int
    case_id: int
    version: int
    regimen: str
    regimen_name: str
    regimen_version: str
    regimen_status: str | None
    start: date
    height_cm: float
    weight_kg: float
    bsa_formula: str
    bsa_m2: float
    n_cycles: int | None
    status: str
    note: str
    created_by: str | None
    concurrent_reason: OverrideReasonOut | None
    regimen_approved: bool
    stop: CourseStopOut | None
    external_anthracyclines: list[AnthracyclineDoseOut]
    cycles_planned: int
    cycles_given: int
    next_cycle: int | None
    anthracycline: AnthracyclineOut
    cycles: list[CourseCycleOut]


class CourseSummaryOut(Out):
    id: int
    regimen: str
    regimen_name: str
    start: date
    status: str
    bsa_m2: float
    cycles_planned: int
    cycles_given: int


class WeightOut(Out):
    id: int
    measured_on: date
    weight_kg: float
    height_cm: float | None


class LabResultOut(Out):
    id: int
    test: str
    value: float


class LabsOut(Out):
    """The values of one blood draw as stored."""

    taken_on: date
    results: list[LabResultOut]


class LabOut(LabResultOut):
    taken_on: date


class AdverseEventOut(Out):
    """A CTCAE v5.0 term and grade; ``term_checked`` when RareOnco tabulates the term."""

    id: int
    term: str
    grade: int
    onset: date
    course_id: int | None
    cycle_number: int | None
    term_checked: bool
    note: str


class ObservationsOut(Out):
    """Weights, laboratory values and adverse events of a case."""

    weights: list[WeightOut]
    labs: list[LabOut]
    adverse_events: list[AdverseEventOut]
