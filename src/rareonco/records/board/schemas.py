"""Tumour board vocabulary and the typed values its services accept."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from rareonco.errors import InvalidInput
from rareonco.i18n import N_
from rareonco.records.schemas import Strict, Text200, one_of

#: specialty code -> label (translated where shown)
SPECIALTIES: dict[str, str] = {
    "surgical_oncologist": N_("surgical oncologist"),
    "medical_oncologist": N_("medical oncologist"),
    "radiologist": N_("radiologist"),
    "pathologist": N_("pathologist"),
    "radiation_oncologist": N_("radiation oncologist"),
    "orthopaedic_oncologist": N_("orthopaedic oncologist"),
    "paediatric_oncologist": N_("paediatric oncologist"),
    "nuclear_medicine_physician": N_("nuclear medicine physician"),
    "geneticist": N_("geneticist"),
    "rehabilitation_physician": N_("rehabilitation physician"),
    "nurse": N_("nurse"),
    "coordinator": N_("coordinator"),
    "other": N_("other"),
}
#: who must be present before a decision can be signed, unless a meeting says otherwise
DEFAULT_QUORUM = ("surgical_oncologist", "medical_oncologist", "radiologist", "pathologist")
INTENTS = {"curative": N_("curative"), "palliative": N_("palliative")}
RECOMMENDATIONS: dict[str, str] = {
    "neoadjuvant_chemotherapy": N_("neoadjuvant chemotherapy"),
    "adjuvant_chemotherapy": N_("adjuvant chemotherapy"),
    "surgery": N_("surgery"),
    "cytoreduction_hipec": N_("cytoreduction + HIPEC"),
    "radiotherapy": N_("radiotherapy"),
    "clinical_trial": N_("clinical trial"),
    "follow_up_only": N_("follow-up only"),
}
TASK_STATUSES = ("open", "done", "cancelled")


Specialty = Annotated[str, one_of(SPECIALTIES)]


class MeetingIn(Strict):
    title: Text200 = "Sarcoma and rare tumours board"
    starts_at: datetime
    place: str | None = Field(default=None, max_length=300)
    video_link: str | None = Field(default=None, max_length=500)
    chair_id: int
    chair_specialty: Specialty | None = None
    quorum: list[Specialty] = Field(default_factory=lambda: list(DEFAULT_QUORUM), min_length=1,
                                    max_length=len(SPECIALTIES))

    @field_validator("video_link")
    @classmethod
    def _link(cls, v: str | None) -> str | None:
        if v and not v.startswith(("https://", "http://")):
            raise ValueError("a video link starts with https://")
        return v or None

    @field_validator("quorum")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _where(self) -> MeetingIn:
        if not (self.place or self.video_link):
            raise ValueError("give a place or a video link")
        return self


class AttendeeIn(Strict):
    name: Text200
    specialty: Specialty
    user_id: int | None = None
    present: bool = True


class AgendaIn(Strict):
    case_id: int
    question: str = Field(default="", max_length=5000)


class RecommendationIn(Strict):
    """One structured recommendation; which details are required depends on the kind."""

    kind: Annotated[str, one_of(RECOMMENDATIONS)]
    regimen: str | None = Field(default=None, max_length=40)
    cycles: int | None = Field(default=None, ge=1, le=30)
    surgery_type: str | None = Field(default=None, max_length=300)
    trial: str | None = Field(default=None, max_length=300)
    detail: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _details(self) -> RecommendationIn:
        if self.kind in ("neoadjuvant_chemotherapy", "adjuvant_chemotherapy"):
            if not self.regimen:
                raise ValueError(f"{self.kind} needs a regimen")
            from rareonco.regimens.library import get_regimen

            try:
                self.regimen = get_regimen(self.regimen).id
            except InvalidInput as exc:
                raise ValueError(exc.reason) from None
        if self.kind == "surgery" and not self.surgery_type:
            raise ValueError("surgery needs the type of operation")
        if self.kind == "clinical_trial" and not self.trial:
            raise ValueError("a clinical trial recommendation names the trial")
        return self


class DissentIn(Strict):
    name: Text200
    specialty: Specialty | None = None
    opinion: str = Field(min_length=1, max_length=5000)


class DecisionIn(Strict):
    intent: Annotated[str, one_of(INTENTS)]
    recommendations: list[RecommendationIn] = Field(min_length=1, max_length=10)
    rationale: str = Field(min_length=1, max_length=20000)
    dissent: list[DissentIn] = Field(default_factory=list, max_length=20)
    guideline: str = Field(default="", max_length=300)
    change_note: str = Field(default="", max_length=5000)
    version: int | None = None  # the draft's lock version when editing a draft

    @model_validator(mode="after")
    def _follow_up_alone(self) -> DecisionIn:
        kinds = [r.kind for r in self.recommendations]
        if "follow_up_only" in kinds and len(kinds) > 1:
            raise ValueError("follow-up only cannot be combined with a treatment")
        return self
