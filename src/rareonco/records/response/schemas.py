"""Typed bodies of the response assessment: imaging timepoints with lesions (RECIST 1.1) and the
pathological response (Huvos). Validation names the field and the reason (HTTP 422).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from rareonco.records.schemas import Out, Strict


class LesionIn(Strict):
    """A lesion at a timepoint. Targets: ``mm`` (longest diameter; short axis for a node);
    ``organ`` and ``node`` are needed at baseline. Non-target lesions are listed at baseline
    only."""

    id: Annotated[str, Field(min_length=1, max_length=32)]
    kind: Literal["target", "non_target"] = "target"
    organ: Annotated[str, Field(max_length=64)] = ""
    node: bool = False
    mm: float | None = Field(default=None, ge=0, le=2000)


class TimepointIn(Strict):
    assessed_on: date
    baseline: bool = False
    modality: Annotated[str, Field(min_length=1, max_length=32)] = "CT"
    lesions: list[LesionIn] = Field(default_factory=list, max_length=30)
    non_target: Literal["absent", "present", "progression", "not_evaluated"] = "absent"
    new_lesions: bool = False
    note: Annotated[str, Field(max_length=2000)] = ""


class PathologyResponseIn(Strict):
    specimen_date: date
    necrosis_pct: float = Field(ge=0, le=100)
    note: Annotated[str, Field(max_length=2000)] = ""


# -- outputs (API bodies, read by the response page's template too) --------------------------


class BaselineTargetOut(Out):
    id: str
    organ: str
    node: bool
    mm: float


class BaselineOut(Out):
    """The baseline timepoint: its target lesions (mm) and the sum of their diameters."""

    id: int
    date: str
    modality: str
    sum_mm: float
    non_targets: list[str]
    targets: list[BaselineTargetOut]


class TimepointRowOut(Out):
    """A row of the RECIST 1.1 table: the baseline (responses None) or a follow-up. ``lesions``
    maps a target's id to its diameter in mm (None: not measured)."""

    id: int
    date: str
    baseline: bool
    modality: str
    sum_mm: float | None
    lesions: dict[str, float | None]
    change_from_baseline_pct: float | None
    change_from_nadir_pct: float | None
    target_response: str | None
    overall_response: str | None
    non_target: str
    new_lesions: bool


class ChartOut(Out):
    """The response chart: sums of diameters over time (mm), the PR threshold (one line) and
    the PD threshold in force at each assessment (RECIST 1.1 section 4.3.1)."""

    dates: list[str]
    sum_mm: list[float | None]
    baseline_sum_mm: float
    pr_threshold_mm: float
    pd_threshold_mm: list[float]
    responses: list[str]


class PathologyOut(Out):
    """A resection specimen's necrosis (per cent) and its Huvos grade."""

    id: int
    specimen_date: date
    necrosis_pct: float
    huvos_grade: str
    good_responder: bool
    note: str


class ResponseOut(Out):
    """A case's RECIST 1.1 series (table, best overall response, chart) and Huvos grades."""

    case_id: int
    baseline: BaselineOut | None
    timepoints: list[TimepointRowOut]
    best_overall_response: str | None
    chart: ChartOut | None
    pathology: list[PathologyOut]
    huvos: Literal["applies", "not_applicable", "diagnosis_pending"] = Field(
        "applies", description="whether the Huvos grade applies to the case's morphology "
                               "(osteosarcoma, Ewing sarcoma); diagnosis_pending: none recorded")


class TimepointCreatedOut(Out):
    """A stored timepoint: its row of the table and the best overall response after it."""

    id: int
    timeline_event_id: int | None
    timepoint: TimepointRowOut
    best_overall_response: str | None


class PathologyCreatedOut(Out):
    id: int
    specimen_date: date
    necrosis_pct: float
    huvos_grade: str
    good_responder: bool
    timeline_event_id: int | None
