"""Dose-modification tables of a regimen file, validated when it is loaded.

``organ_modifications``: bands of a lab value (bilirubin, creatinine clearance, GFR) -> percent of
the dose. ``toxicity_modifications``: percent of a drug's dose for the next cycle by the worst
CTCAE v5.0 grade of a term since the previous cycle. Each table carries its source.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ._model import DrugName, Text, _Strict

__all__ = ["CTCAE_TERMS", "Band", "OrganModification", "ToxicityModification"]


class Band(_Strict):
    """One row of a dose-modification table: ``above`` < value <= ``up_to`` -> ``dose_pct``
    (0 = do not give)."""

    above: float
    up_to: float | None = None
    dose_pct: float = Field(ge=0, le=100)


class OrganModification(_Strict):
    """Dose modification of ``drug`` by organ function (e.g. bilirubin), each table sourced.

    Bands must not overlap; ``above: -.inf`` opens the lowest band (creatinine clearance tables).
    Values outside every band get the full dose."""

    drug: DrugName
    test: Literal["bilirubin_mg_dl", "gfr_ml_min_173m2", "crcl_ml_min"]
    bands: tuple[Band, ...] = Field(min_length=1)
    source: Text
    notes: Text | None = None

    @model_validator(mode="after")
    def _bands(self) -> OrganModification:
        spans = sorted((b.above, math.inf if b.up_to is None else b.up_to) for b in self.bands)
        for i, (low, high) in enumerate(spans):
            if high <= low:
                raise ValueError(f"bands.{i}: up_to must be above above ({low:g} .. {high:g})")
            if i and low < spans[i - 1][1]:
                raise ValueError(f"bands: {spans[i - 1]} and {(low, high)} overlap")
        return self


#: CTCAE v5.0 terms a toxicity table may name (NCI 2017), with the grades that exist for each.
CTCAE_TERMS: dict[str, tuple[int, ...]] = {
    "Peripheral sensory neuropathy": (1, 2, 3, 4),
    "Peripheral motor neuropathy": (1, 2, 3, 4),
    "Constipation": (1, 2, 3, 4),
    "Mucositis oral": (1, 2, 3, 4),
    "Encephalopathy": (1, 2, 3, 4),
    "Creatinine increased": (1, 2, 3, 4),
    "Acute kidney injury": (3, 4),
    "Hematuria": (1, 2, 3, 4),
    "Hearing impaired": (1, 2, 3, 4),
    "Febrile neutropenia": (3, 4),
    "Diarrhea": (1, 2, 3, 4),
}

Percent = Annotated[float, Field(ge=0, le=100)]


class ToxicityModification(_Strict):
    """Percent of ``drug``'s protocol dose for the next cycle by the worst CTCAE v5.0 grade of
    ``term`` since the previous cycle; a grade not listed means 100 %, 0 means omit the drug.
    ``notes`` says what else the source asks (hold until recovery, resume at ...)."""

    drug: DrugName
    term: Text
    grades: dict[Annotated[int, Field(ge=1, le=4)], Percent] = Field(min_length=1)
    source: Text
    notes: Text | None = None

    @model_validator(mode="after")
    def _known_term(self) -> ToxicityModification:
        if self.term not in CTCAE_TERMS:
            raise ValueError(f"term: {self.term!r} is not a CTCAE v5.0 term known here; known: "
                             f"{sorted(CTCAE_TERMS)}")
        missing = sorted(set(self.grades) - set(CTCAE_TERMS[self.term]))
        if missing:
            raise ValueError(f"grades: {self.term!r} has no grade {missing} in CTCAE v5.0")
        ordered = [self.grades[g] for g in sorted(self.grades)]
        if ordered != sorted(ordered, reverse=True):
            raise ValueError(f"grades: the dose must not rise with the grade, got {self.grades}")
        return self
