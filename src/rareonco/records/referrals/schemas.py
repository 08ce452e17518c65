"""Typed body of a referral from another hospital."""

from __future__ import annotations

from datetime import date

from pydantic import (
    Field,
    field_validator,
)

from rareonco.records.schemas import Country, Strict, Text200, _not_future


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
