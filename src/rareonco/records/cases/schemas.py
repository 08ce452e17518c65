"""Typed bodies of the case services: open a case, the diagnosis, timeline events, pathway moves
in; the case page, timeline events and a page of cases out."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any

from pydantic import (
    Field,
    field_validator,
)

from rareonco.clinical.codes import lookup_morphology, lookup_topography
from rareonco.errors import InvalidInput
from rareonco.i18n import N_, vocab
from rareonco.records.cases.timeline import EVENT_KINDS
from rareonco.records.patients.schemas import DeidentifiedHeaderOut, PatientHeaderOut
from rareonco.records.schemas import Out, Strict, Text200, _reraise

#: the refusal of a date after today (translated where shown)
FUTURE_DATE = N_("the date is in the future")


class MolecularIn(Strict):
    finding: Text200
    gene: str | None = Field(default=None, max_length=64)
    method: str = Field(min_length=1, max_length=100)
    finding_date: date | None = None

    @field_validator("finding_date")
    @classmethod
    def _date(cls, v: date | None) -> date | None:
        if v is not None and v > date.today():
            raise ValueError(FUTURE_DATE)
        return v


class DiagnosisFields(Strict):
    morphology_code: str | None = None
    topography_code: str | None = None
    laterality: str | None = None
    site_detail: str | None = Field(default=None, max_length=2000)
    grade: str | None = Field(default=None, max_length=16)
    stage: str | None = Field(default=None, max_length=32)
    diagnosis_date: date | None = None

    @field_validator("morphology_code")
    @classmethod
    def _morph(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            return lookup_morphology(v).code
        except InvalidInput as e:
            raise _reraise(e) from None

    @field_validator("topography_code")
    @classmethod
    def _topo(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            return lookup_topography(v).code
        except InvalidInput as e:
            raise _reraise(e) from None

    @field_validator("laterality")
    @classmethod
    def _lat(cls, v: str | None) -> str | None:
        if v is not None and v not in vocab.LATERALITIES:
            raise ValueError(f"one of {', '.join(vocab.LATERALITIES)}")
        return v

    @field_validator("diagnosis_date")
    @classmethod
    def _date(cls, v: date | None) -> date | None:
        if v is not None and v > date.today():
            raise ValueError(FUTURE_DATE)  # a fixed text, so that the pages translate it
        return v


class CaseIn(DiagnosisFields):
    referral_id: int | None = None
    molecular_findings: list[MolecularIn] = Field(default_factory=list)


class CaseUpdate(DiagnosisFields):
    """A change of the diagnosis; fields left out stay as they are. Correcting the ICD-O-3
    codes of a confirmed diagnosis needs a ``reason`` (kept on the timeline and in the audit)."""

    version: int
    reason: str = Field(default="", max_length=2000)


class FindingIn(MolecularIn):
    """A molecular finding added to a case (``version``: the case's, checked and bumped)."""

    version: int


class EventIn(Strict):
    """A timeline event. ``planned``: a future admission, imaging, biopsy, surgery or follow-up
    visit (any other event is dated today or earlier; the service checks the date)."""

    kind: str
    event_date: date
    summary: str = Field(default="", max_length=5000)
    payload: dict[str, Any] = Field(default_factory=dict)
    planned: bool = False

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {v!r}; one of {', '.join(sorted(EVENT_KINDS))}")
        return v


class TransitionIn(Strict):
    to: str
    reason: str | None = None
    note: str = Field(default="", max_length=5000)
    version: int | None = None


class DiagnosisOut(Out):
    """The diagnosis with its ICD-O-3 labels (English and Russian)."""

    morphology_code: str | None
    morphology: str | None
    morphology_ru: str | None
    topography_code: str | None
    topography: str | None
    topography_ru: str | None
    laterality: str
    grade: str | None
    stage: str | None
    site_detail: str | None = Field(None, description="clinical roles only (absent otherwise)")
    diagnosis_date: dt.date | None = Field(
        None, description="clinical roles only (absent otherwise)")


class MolecularFindingOut(Out):
    id: int
    finding: str
    gene: str | None
    method: str
    date: dt.date | None


class EventOut(Out):
    """A timeline event; its ``payload``'s shape depends on its ``kind``."""

    id: int
    kind: str
    date: dt.date
    summary: str
    payload: dict[str, Any]
    author: str | None = Field(description="user name of the author")
    created_at: str | None = Field(description="ISO 8601 time the event was recorded")


class CaseOut(Out):
    """The case page: patient header, diagnosis, pathway (with the allowed next states) and
    timeline, as the caller's role may see them. What a role may not see is absent, not null:
    ``diagnosis`` for roles with neither clinical access nor the de-identified view,
    ``molecular_findings`` without clinical access, ``timeline`` in the de-identified view
    (so serialise with ``exclude_unset``)."""

    id: int
    version: int
    patient_id: int
    status: str
    closed_reason: str | None
    allowed_next: list[str]
    suggested_next: str | None = Field(
        None, description="the step the page preselects: the next forward step of the main "
                          "line, never a backward move nor closing")
    backward: list[str] = Field(default_factory=list,
                                description="the allowed moves that go back (chosen explicitly)")
    patient: PatientHeaderOut | DeidentifiedHeaderOut
    diagnosis: DiagnosisOut | None = None
    molecular_findings: list[MolecularFindingOut] | None = None
    timeline: list[EventOut] | None = None


class CaseListItemOut(Out):
    id: int
    patient_id: int
    status: str
    morphology_code: str | None
    topography_code: str | None


class CasePageOut(Out):
    """One page of cases, newest first."""

    items: list[CaseListItemOut]
    total: int
    page: int
    per_page: int


class CodeOptionOut(Out):
    """An ICD-O-3 code found by the picker's search, with its English and Russian labels."""

    code: str
    label_en: str
    label_ru: str


class TreatmentMismatchOut(Out):
    """A planned or running course that differs from the board decision in force when it
    started (`records.cases.treatment_match`): ``kind`` regimen, not_recommended or cycles."""

    kind: str
    course_id: int
    decision_id: int
    prescribed: str
    recommended: str
