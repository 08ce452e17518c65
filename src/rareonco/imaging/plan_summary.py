"""The plan's one summary: what plan.json holds, what the report prints and what the API serves.

Plain frozen dataclasses of JSON values (lists, dicts, floats, strings), RAS millimetres
throughout. `PelvisPlan.summary()` builds it once from the computed plan; `PlanSummary.to_dict()`
is plan.json, field for field and in the same order. Reading a stored plan.json back (with
validation) is done at the edges, where Pydantic validates these dataclasses
(`rareonco.records.imaging.schemas.parse_summary`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class CtGridSummary:
    """The canonical CT grid: voxel counts (R, A, S) and spacing, mm."""

    shape: list[int]
    spacing_mm: list[float]


@dataclass(frozen=True)
class TumourSummary:
    """The tumour as planned: its box (RAS mm) if given, its volume (ml), the signed distance of
    its centroid from the symmetry plane (mm, + = patient's right) and the side it lies on."""

    box_mm: list[float] | None
    volume_ml: float
    offset_from_plane_mm: float
    side_found: str


@dataclass(frozen=True)
class SegmentationSummary:
    """The label map's file and labels, the bone volumes (ml) and the hip joint landmarks."""

    file: str
    labels: dict[str, str]
    hip_left_ml: float
    hip_right_ml: float
    sacrum_ml: float
    spine_ml: float
    femur_left_ml: float
    femur_right_ml: float
    metal_ml: float
    acetabulum_centre_mm: dict[str, list[float]]
    femoral_head_radius_mm: dict[str, float]


@dataclass(frozen=True)
class PlaneSummary:
    """A plane: a point on it (RAS mm) and its unit normal (toward the patient's right for the
    symmetry plane, toward the removed part for a cut)."""

    point_mm: list[float]
    normal: list[float]


@dataclass(frozen=True)
class ResectionSummary:
    """The margin asked (mm), the cuts, the Enneking-Dunham zones and their bone volumes (ml),
    the resected bone (ml), the least margin at the cut surface (mm) and the mesh files."""

    margin_mm: float
    cuts: list[PlaneSummary]
    zones: list[str]
    zone_volumes_ml: dict[str, float]
    resected_bone_ml: float
    min_margin_mm: float | None
    file: str
    remaining_file: str


@dataclass(frozen=True)
class ImplantSummary:
    """The implant template: files, mesh and voxel volumes (ml), whether the mesh is closed, its
    triangles and centroid (RAS mm), the mirror registration's RMS (mm) and 4x4 transform."""

    file: str
    file_3mf: str
    volume_ml: float
    voxel_volume_ml: float
    watertight: bool
    triangles: int
    centroid_mm: list[float] | None
    registration_rms_mm: float
    contra_to_ipsi: list[list[float]]


@dataclass(frozen=True)
class AsymmetrySummary:
    """Left-right surface distance outside the resection, mm: mean and 95th percentile."""

    mean_mm: float
    p95_mm: float


@dataclass(frozen=True)
class PlanSummary:
    """The content of plan.json (RAS mm throughout)."""

    ct: CtGridSummary
    side: str
    tumour: TumourSummary
    segmentation: SegmentationSummary
    symmetry_plane: PlaneSummary
    resection: ResectionSummary
    implant: ImplantSummary
    asymmetry: AsymmetrySummary
    warnings: list[str]
    timings_s: dict[str, float] = field(default_factory=dict)
    frame: str = "RAS"
    units: str = "mm"

    def to_dict(self) -> dict[str, object]:
        """plan.json as a dict, keys in the order plan.json has always had."""
        values = asdict(self)
        head = {"frame": values.pop("frame"), "units": values.pop("units")}
        return {**head, **values}
