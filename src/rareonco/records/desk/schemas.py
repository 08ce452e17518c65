"""International desk vocabulary, the typed values its services accept (`*In`) and the typed
values its API answers and its pages read (`*Out`).

Dates and times in the `*Out` models of an inquiry are ISO 8601 text, exactly as the API has
always written them (`isoformat()`, offset included).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from rareonco.i18n import N_
from rareonco.records.patients.schemas import CandidateOut
from rareonco.records.schemas import (
    BirthDate,
    Country,
    Email,
    Language,
    Out,
    Sex,
    Strict,
    Text200,
    one_of,
)

#: inquiry status -> label
STATUSES: dict[str, str] = {
    "identity_review": N_("identity to check"), "new": N_("new"),
    "in_review": N_("in review"), "more_data": N_("more data requested"),
    "accepted": N_("accepted"), "declined": N_("declined"), "admitted": N_("admitted"),
    "closed": N_("closed"),
}
OPEN_STATUSES = ("identity_review", "new", "in_review", "more_data", "accepted")
OUTCOMES: dict[str, str] = {"accept": N_("accept for treatment"),
                            "more_data": N_("needs more data"), "decline": N_("decline")}
TRANSLATION: dict[str, str] = {"not_needed": N_("not needed"), "needed": N_("needed"),
                               "in_progress": N_("in progress"), "done": N_("done")}
#: why an inquiry is closed without an answer on the merits -> label
CLOSE_REASONS: dict[str, str] = {"spam": N_("spam"), "duplicate": N_("duplicate"),
                                 "withdrawn": N_("withdrawn by the patient"),
                                 "other": N_("other reason")}
LETTER_LANGUAGES = ("ru", "en")
#: an inquiry should have its first answer within this many days (centre's service standard)
ANSWER_DUE_DAYS = 5


class InquiryIn(Strict):
    family_name: Text200
    given_names: Text200
    birth_date: BirthDate
    sex: Sex
    citizenship: Country
    residence_country: Country
    preferred_language: Language
    passport_number: str | None = Field(default=None, max_length=40)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=40)
    referring_institution: str | None = Field(default=None, max_length=300)
    diagnosis_text: str = Field(min_length=3, max_length=5000)
    message: str = Field(default="", max_length=10000)

    @field_validator("passport_number")
    @classmethod
    def _passport(cls, v: str | None) -> str | None:
        return "".join(v.split()).upper() or None if v else None

    @model_validator(mode="after")
    def _contact(self) -> InquiryIn:
        if not (self.email or self.phone):
            raise ValueError("give an e-mail address or a phone number to answer to")
        return self


class AssignIn(Strict):
    reviewer_id: int


class OpinionIn(Strict):
    outcome: Annotated[str, one_of(OUTCOMES)]
    text: str = Field(default="", max_length=20000)
    missing_items: list[Text200] = Field(default_factory=list, max_length=30)
    reason: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _details(self) -> OpinionIn:
        if self.outcome == "more_data" and not self.missing_items:
            raise ValueError("list what is needed (missing_items)")
        if self.outcome == "decline" and not self.reason:
            raise ValueError("a decline gives the reason")
        return self


class CloseIn(Strict):
    reason: Annotated[str, one_of(CLOSE_REASONS)]
    note: str = Field(default="", max_length=2000)
    version: int | None = None

    @model_validator(mode="after")
    def _note(self) -> CloseIn:
        if self.reason in ("duplicate", "other") and not self.note.strip():
            raise ValueError("say which inquiry it duplicates, or why it is closed (note)"
                             if self.reason == "duplicate" else "say why it is closed (note)")
        return self


class TranslationIn(Strict):
    status: Annotated[str, one_of(TRANSLATION)]


class VisitIn(Strict):
    planned_arrival: date
    planned_departure: date | None = None
    department: Text200
    interpreter_needed: bool = False
    letter_language: str = "en"

    @field_validator("letter_language")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in LETTER_LANGUAGES:
            raise ValueError("the letter is written in " + " or ".join(LETTER_LANGUAGES))
        return v

    @model_validator(mode="after")
    def _dates(self) -> VisitIn:
        if self.planned_departure and self.planned_departure < self.planned_arrival:
            raise ValueError("the planned departure is before the arrival")
        return self


class ArrivalIn(Strict):
    arrival_date: date
    admission_date: date | None = None

    @model_validator(mode="after")
    def _order(self) -> ArrivalIn:
        if self.arrival_date > date.today():
            raise ValueError("the arrival date is in the future")
        if self.admission_date and self.admission_date < self.arrival_date:
            raise ValueError("admission before arrival")
        if self.admission_date and self.admission_date > date.today():
            raise ValueError("the admission date is in the future")
        return self


# --- answers


class InquiryReceiptOut(Out):
    """What the public form answers: the reference to quote in any later contact."""

    reference: str


class DocumentOut(Out):
    id: int
    filename: str
    kind: str  # the checked file type (e.g. pdf, dicom_zip)
    size_bytes: int
    sha256: str
    translation_status: str


class TranslationOut(Out):
    id: int
    translation_status: str


class OpinionOut(Out):
    """A remote opinion. The outcome, what is missing and why declined are for the desk to pass
    on; the clinical `text` is present only for roles that read clinical records (the key is
    left out otherwise, not sent empty)."""

    id: int
    outcome: str
    missing_items: list[str]
    reason: str
    created_at: str | None
    author: str | None
    text: str | None = Field(default=None, description="for clinical roles only")

    @model_serializer(mode="wrap")
    def _without_hidden_text(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if self.text is None:
            out.pop("text", None)
        return out


class ClosedOut(Out):
    reason: str
    note: str
    by: str | None
    at: str | None


class VisitOut(Out):
    planned_arrival: str | None
    planned_departure: str | None
    department: str | None
    interpreter_needed: bool
    letter_language: str | None
    letter_issued_at: str | None
    arrival_date: str | None
    admission_date: str | None


class InquiryOut(Out):
    """An inquiry with its patient details, documents, opinions, closing and visit."""

    id: int
    version: int  # lock version: send it back when closing
    reference: str
    source: str  # public | coordinator
    status: str
    received_at: str | None
    first_answer_at: str | None
    family_name: str
    given_names: str
    birth_date: str | None
    sex: str
    citizenship: str
    residence_country: str
    preferred_language: str
    passport_number: str | None
    email: str | None
    phone: str | None
    referring_institution: str | None
    diagnosis_text: str
    message: str
    patient_id: int | None = Field(description="none while the identity is in review")
    referral_id: int | None
    case_id: int | None
    case_status: str | None
    matched_by: str = Field(description="link | new | review | chosen | confirmed_new | "
                            "relinked (older: passport | name_birth_date)")
    identity_candidates: list[CandidateOut] = Field(
        description="the patients on file the matcher put side by side (identity_review)")
    kept_files: list[DocumentOut] = Field(
        description="files waiting for the identity to be settled")
    reviewer_id: int | None
    reviewer: str | None
    assigned_at: str | None
    documents: list[DocumentOut]
    opinions: list[OpinionOut]
    closed: ClosedOut | None
    visit: VisitOut


class OverdueOut(Out):
    inquiry_id: int
    reference: str
    name: str
    country: str
    status: str
    reason: str  # no_answer | arrival
    due: date
    days_over: int


class DashboardOut(Out):
    """Open inquiries by country (most first) and status, time to the first answer over the
    last 12 months in days (median and 90th percentile; None without answers), overdue items."""

    by_country: dict[str, dict[str, int]]
    by_status: dict[str, int]
    open_total: int
    answered: int
    median_days: float | None
    p90_days: float | None
    overdue: list[OverdueOut]


class IdentityChoiceIn(Strict):
    """A coordinator settles an inquiry's identity: the patient on file it is (`patient_id`),
    or a new person (no `patient_id`; then `reason` says why it is not one of the candidates).
    For a move (`identity.relink`) the reason is always required."""

    patient_id: int | None = None
    reason: str = Field(default="", max_length=2000)
