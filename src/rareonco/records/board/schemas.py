"""Tumour board vocabulary, the typed values its services accept (`*In`) and the typed values
its API answers and its pages read (`*Out`).

Dates and times in the `*Out` models are ISO 8601 text, exactly as the API has always written
them (`datetime.isoformat()`, offset included). The case summary, the recommendations and the
dissenting opinions are JSON documents stored with their rows; their shapes are `TypedDict`s, so
a stored document is answered with exactly the keys it holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Required

from pydantic import BaseModel, Field, field_validator, model_validator
from typing_extensions import TypedDict

from rareonco.errors import InvalidInput
from rareonco.i18n import N_
from rareonco.records.schemas import Out, Strict, Text200, one_of
from rareonco.regimens.library import get_regimen

#: The refusals of the board's input models (English, as the API answers; pages translate them)
MESSAGES: dict[str, str] = {
    "video_link": N_("a video link starts with https://"),
    "where": N_("give a place or a video link"),
    "regimen": N_("%(kind)s needs a regimen"),
    "surgery_type": N_("surgery needs the type of operation"),
    "trial": N_("a clinical trial recommendation names the trial"),
    "follow_up_alone": N_("follow-up only cannot be combined with a treatment"),
}

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
            raise ValueError(MESSAGES["video_link"])
        return v or None

    @field_validator("quorum")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _where(self) -> MeetingIn:
        if not (self.place or self.video_link):
            raise ValueError(MESSAGES["where"])
        return self


class AttendeeIn(Strict):
    name: Text200
    specialty: Specialty
    user_id: int | None = None
    present: bool = False  # attendance is recorded at the meeting, not assumed


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
                raise ValueError(MESSAGES["regimen"] % {"kind": self.kind})
            try:
                self.regimen = get_regimen(self.regimen).id
            except InvalidInput as exc:
                raise ValueError(exc.reason) from None
        if self.kind == "surgery" and not self.surgery_type:
            raise ValueError(MESSAGES["surgery_type"])
        if self.kind == "clinical_trial" and not self.trial:
            raise ValueError(MESSAGES["trial"])
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
            raise ValueError(MESSAGES["follow_up_alone"])
        return self


class AddendumIn(Strict):
    """A correction to a meeting's protocol, recorded as an addendum."""

    text: str = Field(min_length=1, max_length=10000)


class PresenceIn(BaseModel):
    present: bool


class TaskStatusIn(BaseModel):
    status: str


# --- stored JSON documents (pydantic validates TypedDicts; python 3.11 needs typing_extensions')


class Recommendation(TypedDict, total=False):
    """One stored recommendation: `RecommendationIn` as saved (demo rows hold fewer keys)."""

    kind: Required[str]
    regimen: str | None
    cycles: int | None
    surgery_type: str | None
    trial: str | None
    detail: str


class Dissent(TypedDict, total=False):
    name: Required[str]
    specialty: str | None
    opinion: Required[str]


class SummaryPatient(TypedDict):
    name: str  # "FAMILY, Given" in Latin script
    name_original: str
    mrn: str
    birth_date: str
    age_years: int
    sex: str
    citizenship: str  # ISO 3166-1 alpha-2


class SummaryDiagnosis(TypedDict):
    morphology_code: str | None  # ICD-O-3
    morphology_en: str | None
    morphology_ru: str | None
    topography_code: str | None
    topography_en: str | None
    topography_ru: str | None
    laterality: str | None
    site_detail: str | None
    grade: str | None
    stage: str | None
    diagnosis_date: str | None


class SummaryFinding(TypedDict):
    finding: str
    gene: str | None
    method: str | None
    date: str | None


class SummaryEvent(TypedDict):
    """A timeline event as the summary shows it."""

    date: str
    kind: str
    summary: str


class SummaryResponse(SummaryEvent):
    recist: Any  # RECIST category as the response assessment stored it (e.g. "PR")


class SummaryTreatment(TypedDict, total=False):
    """A treatment event, or a line of chemotherapy: consecutive cycles of one regimen and
    phase (`kind` "chemotherapy", with `regimen`, `phase`, `cycles` and `date_to`)."""

    date: Required[str]
    kind: Required[str]
    summary: Required[str]
    regimen: str
    phase: str
    cycles: int
    date_to: str


class CaseSummary(TypedDict):
    """The case as put before the board (`records.board.summary.build`)."""

    generated_at: str
    case_id: int
    status: str
    patient: SummaryPatient
    diagnosis: SummaryDiagnosis
    molecular: list[SummaryFinding]
    pathology: list[SummaryEvent]
    treatment: list[SummaryTreatment]
    response: SummaryResponse | None
    imaging: list[SummaryEvent]
    planning: list[SummaryEvent]
    open_questions: list[str]
    extra: dict[str, Any]  # section name -> what a registered summary source returned


# --- answers


class AttendeeOut(Out):
    id: int
    name: str
    specialty: str
    specialty_label: str  # translated into the request's language
    user_id: int | None
    present: bool


class QuorumOut(Out):
    required: list[str]
    present: list[str]
    missing: list[str]
    met: bool


class DecisionOut(Out):
    """One version of the board's decision on an agenda item."""

    id: int
    item_id: int
    case_id: int
    version_no: int
    version: int  # lock version: send it back when editing the draft
    intent: str
    recommendations: list[Recommendation]
    recommendations_text: list[str]  # translated into the request's language
    rationale: str
    dissent: list[Dissent]
    guideline: str
    change_note: str
    signed: bool
    signed_at: str | None
    signed_by: str | None
    created_at: str | None


class ItemOut(Out):
    """A case on a meeting's agenda, with its summary and every decision version."""

    id: int
    meeting_id: int
    case_id: int
    position: int
    question: str
    summary: CaseSummary
    summary_at: str | None
    decisions: list[DecisionOut]
    current: DecisionOut | None  # the highest signed version
    draft: DecisionOut | None  # the open draft after it, if any
    meeting_starts_at: str | None


class AddendumOut(Out):
    """A correction to a meeting's protocol (recorded once the protocol is locked)."""

    id: int
    meeting_id: int
    text: str
    author: str | None
    created_at: str | None


class MeetingOut(Out):
    """A meeting with its attendees, quorum status and agenda; `started` once its start time
    has passed (presence is marked from then), `locked` once held and every decision on its
    agenda is signed (corrections are then addenda)."""

    id: int
    version: int
    title: str
    starts_at: str
    place: str | None
    video_link: str | None
    chair_id: int
    chair: str
    attendees: list[AttendeeOut]
    quorum: QuorumOut
    items: list[ItemOut]
    started: bool
    locked: bool
    addenda: list[AddendumOut]


class MeetingRowOut(Out):
    """A meeting in the list (`items` counts the cases on its agenda)."""

    id: int
    title: str
    starts_at: str
    place: str | None
    video_link: str | None
    items: int


class PresenceOut(Out):
    present: bool


class TaskOut(Out):
    """A follow-on task on a case (plan a course, plan a resection...)."""

    id: int
    case_id: int
    kind: str
    title: str
    status: str
    decision_id: int | None
    due_date: str | None
    created_at: str | None
    closed_at: str | None


class CaseBoardOut(Out):
    """A case's board history (every item and decision version) and its follow-on tasks."""

    case_id: int
    items: list[ItemOut]
    tasks: list[TaskOut]
