"""Follow-up vocabulary, what its services accept (`*In`) and answer (`*Out`)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from rareonco.i18n import N_
from rareonco.records.schemas import Out, Strict

#: what a visit found (the registry's events: relapse, metastasis, second cancer, death)
DISEASE_STATUSES: dict[str, str] = {
    "ned": N_("no evidence of disease"), "local_relapse": N_("local relapse"),
    "metastasis": N_("metastasis"), "second_cancer": N_("second cancer"), "dead": N_("died"),
}
#: mobilisation after pelvic reconstruction
MOBILITY: dict[str, str] = {
    "bed": N_("in bed"), "standing": N_("standing"), "walking_aids": N_("walking with aids"),
    "walking": N_("walking without aids"),
}
VISIT_STATUSES: dict[str, str] = {"planned": N_("planned"), "done": N_("done"),
                                  "missed": N_("missed"), "cancelled": N_("cancelled")}


class PlanIn(Strict):
    """Start the follow-up of a case: the end of treatment and the exposures that drive the
    late-effect tests (taken from the case's courses when not given)."""

    end_of_treatment: date
    years: int = Field(10, ge=1, le=20)
    late_interval_months: Literal[6, 12] = 12
    doxorubicin_equivalent_mg_m2: float | None = Field(None, ge=0, le=2000)
    chest_radiation_gy: float = Field(0.0, ge=0, le=100)
    ifosfamide: bool | None = None
    platinum: bool | None = None


class VisitIn(Strict):
    done_on: date
    status: Literal["done", "missed"] = "done"
    remote: bool = False
    disease_status: Literal["ned", "local_relapse", "metastasis", "second_cancer", "dead"] | None = None
    msts_total: int | None = Field(None, ge=0, le=30, description="MSTS 1993 total, 0-30")
    mobility: Literal["bed", "standing", "walking_aids", "walking"] | None = None
    note: str = Field("", max_length=5000)
    version: int = Field(ge=1, description="the visit's version as read (optimistic lock)")

    @model_validator(mode="after")
    def _done_needs_status(self) -> VisitIn:
        if self.status == "done" and self.disease_status is None:
            raise ValueError("a visit that took place records the disease status")
        return self


class VisitOut(Out):
    id: int
    case_id: int
    end_of_treatment: date
    due_on: date
    kind: str
    months_after_treatment: int | None
    tests: list[str]
    reason: str
    status: str
    remote: bool
    done_on: date | None
    disease_status: str | None
    findings: dict[str, Any]
    note: str
    version: int
    overdue: bool = False


class DueOut(Out):
    visit: VisitOut
    patient: str
    preferred_language: str
    days_overdue: int
