"""The imaging feature's typed values (RAS+ mm throughout): what a surgeon asks of a pelvic plan
(`PlanIn`, validated before a job is queued), the job's parameters as stored on its row
(`PlanParams`), and what the API answers (`CtStudyOut`, `PlanJobOut`), which the pages read too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from rareonco.errors import InvalidInput
from rareonco.imaging.label_map import Side
from rareonco.imaging.plan_summary import AsymmetrySummary, PlaneSummary, PlanSummary, TumourSummary
from rareonco.records.schemas import Out

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


Box = tuple[float, float, float, float, float, float]
Cut = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class PlanParams:
    """A plan job's parameters, as the worker runs them (RAS mm): the patient's side, the tumour
    box x0, y0, z0, x1, y1, z1 (or None for a mask), the margin and the cutting planes
    px, py, pz, nx, ny, nz. Stored as JSON in the job row's columns (`to_columns`) and read back
    with validation (`from_columns`)."""

    side: Side
    tumour_box_mm: Box | None
    margin_mm: float
    cuts: tuple[Cut, ...] = ()

    @classmethod
    def from_request(cls, data: PlanIn) -> PlanParams:
        return _PARAMS.validate_python({"side": data.side, "tumour_box_mm": data.tumour_box_mm,
                                        "margin_mm": data.margin_mm, "cuts": data.cuts})

    @classmethod
    def from_columns(cls, side: str, tumour_box_mm: Any, margin_mm: float,
                     cuts: Any) -> PlanParams:
        """The parameters read back from a job row; a row that does not hold them raises."""
        return _PARAMS.validate_python({"side": side, "tumour_box_mm": tumour_box_mm,
                                        "margin_mm": margin_mm, "cuts": cuts or ()})

    def to_columns(self) -> dict[str, Any]:
        """The job row's columns (JSON lists for the box and the cuts)."""
        return {"side": self.side, "margin_mm": self.margin_mm,
                "tumour_box_mm": list(self.tumour_box_mm) if self.tumour_box_mm else None,
                "cuts": [list(c) for c in self.cuts]}


_PARAMS = TypeAdapter(PlanParams)
_SUMMARY = TypeAdapter(PlanSummary)


def parse_summary(stored: dict[str, Any] | None) -> PlanSummary | None:
    """A plan.json stored on a job row as the typed summary (validated), or None."""
    return _SUMMARY.validate_python(stored) if stored else None


class CtStudyOut(Out):
    """A CT (or tumour mask) attached to a case: the file as received and its canonical grid."""

    id: int
    case_id: int
    purpose: str = Field(description="ct | tumour_mask")
    kind: str = Field(description="nifti | dicom | dicom_zip")
    filename: str
    n_files: int
    size_bytes: int
    sha256: str
    source: str = Field(description="upload | reference (referenced where it lies)")
    shape: list[int] = Field(description="canonical (R, A, S) voxel counts")
    spacing_mm: list[float]
    orientation: str = Field(description="axis codes of the stored voxel order, e.g. RAS, LPS")
    series_uid: str | None
    field_of_view_mm: list[list[float]] = Field(
        description="[[x_min, x_max], [y_min, y_max], [z_min, z_max]] of the voxel centres, RAS mm")
    description: str
    created_at: str | None


class PlanResultOut(Out):
    """The figures a surgeon reads first, from the plan's summary (plan.json)."""

    zones: list[str] = Field(description="Enneking-Dunham zones resected")
    zone_volumes_ml: dict[str, float]
    resected_bone_ml: float
    implant_ml: float
    implant_watertight: bool
    margin_mm: float
    min_margin_mm: float | None = Field(description="least tumour-to-cut distance, mm")
    asymmetry: AsymmetrySummary
    symmetry_plane: PlaneSummary
    tumour: TumourSummary
    warnings: list[str]

    @classmethod
    def from_summary(cls, summary: PlanSummary) -> PlanResultOut:
        res, imp = summary.resection, summary.implant
        return cls(zones=res.zones, zone_volumes_ml=res.zone_volumes_ml,
                   resected_bone_ml=res.resected_bone_ml, implant_ml=imp.volume_ml,
                   implant_watertight=imp.watertight, margin_mm=res.margin_mm,
                   min_margin_mm=res.min_margin_mm, asymmetry=summary.asymmetry,
                   symmetry_plane=summary.symmetry_plane, tumour=summary.tumour,
                   warnings=summary.warnings)


class PlanFileOut(Out):
    name: str
    url: str


class PlanJobOut(Out):
    """A plan job: its parameters, progress and outcome (the result and files once done)."""

    id: int
    case_id: int
    ct_id: int
    mask_id: int | None
    status: str = Field(description="queued | running | done | failed")
    progress: float = Field(description="0..1")
    stage: str
    side: str = Field(description="the patient's side: left | right")
    tumour_box_mm: list[float] | None = Field(description="x0, y0, z0, x1, y1, z1, RAS mm")
    margin_mm: float
    cuts: list[list[float]] = Field(description="px, py, pz, nx, ny, nz per cut, RAS mm")
    error: str | None
    error_field: str | None
    result: PlanResultOut | None
    event_id: int | None
    files: list[PlanFileOut]
    created_at: str | None
    started_at: str | None
    finished_at: str | None


class PlanProgressOut(Out):
    """A job's status line only (what the page polls while the plan runs)."""

    id: int
    case_id: int
    status: str
    stage: str
    progress: float
