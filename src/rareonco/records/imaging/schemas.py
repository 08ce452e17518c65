"""What a surgeon asks of a pelvic plan, validated before a job is queued (RAS+ mm throughout)."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# the plan's files, the media types they are served with, and whether a browser shows them
OUTPUT_FILES: dict[str, tuple[str, bool]] = {
    "implant.stl": ("model/stl", False),
    "implant.3mf": ("model/3mf", False),
    "resected.stl": ("model/stl", False),
    "remaining.stl": ("model/stl", False),
    "segmentation.nii.gz": ("application/gzip", False),
    "plan.json": ("application/json", True),
    "views.png": ("image/png", True),
    "report.html": ("text/html; charset=utf-8", True),
    "report.pdf": ("application/pdf", True),
}
MAX_CUTS = 6


def _finite(values: list[float], what: str) -> list[float]:
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{what} must be finite numbers")
    return values


class PlanIn(BaseModel):
    """A plan request: the CT, the patient's side, the tumour (a box or a mask), margin, cuts."""

    model_config = ConfigDict(extra="forbid")

    ct_id: int
    side: Literal["left", "right"] = Field(description="the patient's side of the tumour")
    tumour_box_mm: list[float] | None = Field(
        None, description="x0, y0, z0, x1, y1, z1 in RAS mm (+x = patient's right)")
    tumour_mask_id: int | None = Field(None, description="a NIfTI tumour mask attached to the case")
    margin_mm: float = Field(20.0, ge=0, le=100)
    cuts: list[list[float]] = Field(
        default_factory=list, max_length=MAX_CUTS,
        description="cutting planes px, py, pz, nx, ny, nz (RAS mm); "
                    "normal toward the removed part")

    @field_validator("tumour_box_mm")
    @classmethod
    def _box(cls, v: list[float] | None) -> list[float] | None:
        if v is None:
            return v
        if len(v) != 6:
            raise ValueError(f"expected six numbers x0, y0, z0, x1, y1, z1 (RAS mm), got {len(v)}")
        _finite(v, "the tumour box")
        if any(abs(v[i + 3] - v[i]) < 1e-6 for i in range(3)):
            raise ValueError("the tumour box is flat: each of x, y, z needs two different values")
        return v

    @field_validator("cuts")
    @classmethod
    def _cuts(cls, v: list[list[float]]) -> list[list[float]]:
        for i, cut in enumerate(v, start=1):
            if len(cut) != 6:
                raise ValueError(f"cut {i}: expected six numbers px, py, pz, nx, ny, nz")
            _finite(cut, f"cut {i}")
            if math.hypot(*cut[3:]) < 1e-9:
                raise ValueError(f"cut {i}: the normal must not be zero")
        return v


def parse_numbers(text: str, count: int, field: str) -> list[float]:
    """'x0,y0,z0,x1,y1,z1' (commas or spaces) as numbers, for the page form."""
    from rareonco.errors import InvalidInput

    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InvalidInput(field, f"expected {count} numbers separated by commas, got {text!r}") \
            from None
    if len(values) != count:
        raise InvalidInput(field, f"expected {count} numbers separated by commas, "
                                  f"got {len(values)}")
    return values
