"""Typed bodies of the response assessment: imaging timepoints with lesions (RECIST 1.1) and the
pathological response (Huvos). Validation names the field and the reason (HTTP 422).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from rareonco.records.schemas import Strict


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
