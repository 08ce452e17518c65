"""Typed body of a referral from another hospital in; the referral and its documents out."""

from __future__ import annotations

import datetime as dt
from datetime import date

from pydantic import (
    Field,
    field_validator,
)

from rareonco.records.schemas import Country, Out, Strict, Text200, _not_future


class ReferralIn(Strict):
    referring_institution: Text200
    country: Country
    referral_date: date
    reason: str = Field(min_length=1, max_length=10000)

    @field_validator("referral_date")
    @classmethod
    def _date(cls, v: date) -> date:
        _not_future(v, "referral date")
        return v


class StoredDocumentOut(Out):
    """A document just stored: its kind (from its content), size and SHA-256."""

    id: int
    filename: str
    kind: str = Field(description="pdf, png, jpeg, dicom or dicom_zip")
    size_bytes: int
    sha256: str
    translation_status: str


class DocumentOut(Out):
    """A document of a referral."""

    id: int
    filename: str
    kind: str = Field(description="pdf, png, jpeg, dicom or dicom_zip")
    content_type: str
    size_bytes: int
    sha256: str
    translation_status: str


class ReferralOut(Out):
    id: int
    version: int
    patient_id: int
    referring_institution: str
    country: str
    referral_date: dt.date
    reason: str
    documents: list[DocumentOut]
