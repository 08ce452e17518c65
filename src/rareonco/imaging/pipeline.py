"""The pelvic resection plan: CT volume in, segmentation, plane, resection and implant out.

Pure computation: takes a `Volume` and values, returns a `PelvisPlan`; files are read and written
by `rareonco.reports.plan_folder`. A progress callback `progress(stage, fraction)` is called with the
stage name and the overall fraction done (0..1), so a CLI bar or a web background job can report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rareonco.errors import InvalidInput

from . import segment as seg
from .implant import ImplantDesign, design_implant
from .label_map import HIP_LEFT, HIP_RIGHT, LABELS, SACRUM, Side
from .mesh import Mesh, extract_surface, make_watertight
from .plan_summary import (
    AsymmetrySummary,
    CtGridSummary,
    ImplantSummary,
    PlaneSummary,
    PlanSummary,
    ResectionSummary,
    SegmentationSummary,
    TumourSummary,
)
from .resection import CutPlane, Resection, box_mask, plan_resection
from .symmetry import Plane, fit_symmetry_plane
from .volume import Volume, resample_mask_to

ProgressCallback = Callable[[str, float], None]

# share of the run time of each stage, for the progress fraction
_STAGES = (("segment", 0.45), ("symmetry", 0.05), ("resection", 0.1), ("implant", 0.2), ("meshes", 0.2))


@dataclass(frozen=True)
class PlanRequest:
    """What the surgeon asks: the side, the tumour (a RAS box in mm or a mask), margin and cuts."""

    side: Side
    tumour_box_mm: tuple[float, float, float, float, float, float] | None = None
    tumour_mask: Volume | None = None
    margin_mm: float = 20.0
    cuts: tuple[CutPlane, ...] = ()

    def __post_init__(self) -> None:
        if self.side not in ("left", "right"):
            raise InvalidInput("side", f"must be 'left' or 'right', got {self.side!r}")
        if (self.tumour_box_mm is None) == (self.tumour_mask is None):
            raise InvalidInput("tumour", "give exactly one of a tumour box or a tumour mask")
        if self.tumour_box_mm is not None and len(self.tumour_box_mm) != 6:
            raise InvalidInput("tumour_box", "expected six numbers x0,y0,z0,x1,y1,z1 (RAS mm)")
        if not 0 <= self.margin_mm <= 100:
            raise InvalidInput("margin_mm", f"must be between 0 and 100 mm, got {self.margin_mm}")


@dataclass(frozen=True, eq=False)
class PelvisPlan:
    """Everything a plan produces. Masks are on the canonical CT grid (`labels.affine`)."""

    request: PlanRequest
    ct_shape: tuple[int, int, int]
    ct_spacing_mm: tuple[float, float, float]
    segmentation: seg.PelvisSegmentation
    plane: Plane
    resection: Resection
    implant: ImplantDesign
    implant_mesh: Mesh
    resected_mesh: Mesh
    remaining_mesh: Mesh
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def labels(self) -> Volume:
        return self.segmentation.labels

    def summary(self) -> PlanSummary:
        """The plan's one summary (RAS mm throughout): plan.json, the report and the API."""
        vols = self.segmentation.volumes_ml
        res = self.resection
        voxel_ml = self.labels.voxel_volume_ml
        mesh = self.implant_mesh
        return PlanSummary(
            ct=CtGridSummary(list(self.ct_shape), [round(s, 4) for s in self.ct_spacing_mm]),
            side=self.request.side,
            tumour=TumourSummary(
                box_mm=list(self.request.tumour_box_mm) if self.request.tumour_box_mm else None,
                volume_ml=round(float(res.tumour.sum()) * voxel_ml, 2),
                offset_from_plane_mm=res.tumour_offset_mm,
                side_found=res.tumour_side,
            ),
            segmentation=SegmentationSummary(
                file="segmentation.nii.gz",
                labels={str(k): v for k, v in LABELS.items()},
                hip_left_ml=vols["hip_left"],
                hip_right_ml=vols["hip_right"],
                sacrum_ml=vols["sacrum"],
                spine_ml=vols["spine"],
                femur_left_ml=vols["femur_left"],
                femur_right_ml=vols["femur_right"],
                metal_ml=self.segmentation.metal_ml,
                acetabulum_centre_mm={
                    k: [round(float(x), 1) for x in v] for k, v in self.segmentation.acetabulum_mm.items()
                },
                femoral_head_radius_mm=dict(self.segmentation.head_radius_mm),
            ),
            symmetry_plane=PlaneSummary(**self.plane.to_dict()),
            resection=ResectionSummary(
                margin_mm=self.request.margin_mm,
                cuts=[
                    PlaneSummary(c.point_mm.round(2).tolist(), c.normal.round(5).tolist())
                    for c in self.request.cuts
                ],
                zones=res.zones,
                zone_volumes_ml=res.zone_volumes_ml,
                resected_bone_ml=res.resected_bone_ml,
                min_margin_mm=res.min_margin_mm,
                file="resected.stl",
                remaining_file="remaining.stl",
            ),
            implant=ImplantSummary(
                file="implant.stl",
                file_3mf="implant.3mf",
                volume_ml=round(mesh.volume_ml, 2),
                voxel_volume_ml=round(float(self.implant.mask.sum()) * voxel_ml, 2),
                watertight=mesh.is_watertight(),
                triangles=mesh.triangles,
                centroid_mm=[round(float(v), 1) for v in mesh.vertices.mean(axis=0)]
                if mesh.triangles
                else None,
                registration_rms_mm=self.implant.icp_rms_mm,
                contra_to_ipsi=np.round(self.implant.contra_to_ipsi, 5).tolist(),
            ),
            asymmetry=AsymmetrySummary(self.implant.asymmetry_mean_mm, self.implant.asymmetry_p95_mm),
            warnings=list(res.warnings),
            timings_s={k: round(v, 3) for k, v in self.timings_s.items()},
        )

    def to_dict(self) -> dict[str, object]:
        """The content of plan.json (RAS mm throughout): `summary().to_dict()`."""
        return self.summary().to_dict()


def tumour_mask_for(request: PlanRequest, grid: Volume) -> np.ndarray:
    """The tumour as a bool mask on the CT grid, from the request's box or mask."""
    if request.tumour_box_mm is not None:
        mask = box_mask(grid, request.tumour_box_mm)
    else:
        assert request.tumour_mask is not None
        mask = resample_mask_to(request.tumour_mask, grid)
    if not mask.any():
        raise InvalidInput("tumour", "the tumour does not overlap the CT field of view")
    return mask


def pelvic_symmetry_plane(segmentation: seg.PelvisSegmentation) -> Plane:
    """Symmetry plane of the hip bones and sacrum surfaces (RAS mm), normal toward the patient's right."""
    labels = segmentation.labels
    lab = labels.array
    pelvis = (lab == HIP_LEFT) | (lab == HIP_RIGHT) | (lab == SACRUM)
    if np.count_nonzero(lab == HIP_LEFT) == 0 or np.count_nonzero(lab == HIP_RIGHT) == 0:
        raise InvalidInput(
            "ct", "could not find both hip bones in the CT: is the whole pelvis in the field of view?"
        )
    # surface points on a grid of ~3 mm so that the cost does not grow with resolution
    step = tuple(int(max(1, round(3.0 / s))) for s in labels.spacing_mm)
    sub = pelvis[:: step[0], :: step[1], :: step[2]]
    aff = labels.affine.copy()
    aff[:3, :3] = aff[:3, :3] * np.array(step)
    pts = seg.surface_points(sub, Volume(sub, aff))
    left = labels.index_to_ras(np.argwhere(lab[:: step[0], :: step[1], :: step[2]] == HIP_LEFT) * step).mean(
        0
    )
    right = labels.index_to_ras(
        np.argwhere(lab[:: step[0], :: step[1], :: step[2]] == HIP_RIGHT) * step
    ).mean(0)
    init = segmentation.approx_plane or Plane((left + right) / 2, right - left)
    return fit_symmetry_plane(pts, init, trim=0.8)


def plan_pelvis(ct: Volume, request: PlanRequest, progress: ProgressCallback | None = None) -> PelvisPlan:
    """Run the whole plan on a CT volume (HU, any orientation; made canonical here)."""
    report = progress or (lambda stage, fraction: None)
    timings: dict[str, float] = {}
    done = 0.0
    weights = dict(_STAGES)

    def stage(name: str, t0: float) -> None:
        nonlocal done
        timings[name] = time.perf_counter() - t0
        done += weights[name]
        report(name, min(done, 1.0))

    ct = ct.canonical()
    report("segment", 0.0)
    t0 = time.perf_counter()
    segmentation = seg.segment_pelvis(ct)
    stage("segment", t0)

    t0 = time.perf_counter()
    plane = pelvic_symmetry_plane(segmentation)
    stage("symmetry", t0)

    t0 = time.perf_counter()
    tumour = tumour_mask_for(request, ct)
    resection = plan_resection(
        segmentation.labels,
        tumour,
        plane,
        request.side,
        segmentation.acetabulum_mm,
        margin_mm=request.margin_mm,
        cuts=request.cuts,
        head_radius_mm=segmentation.head_radius_mm,
    )
    stage("resection", t0)

    t0 = time.perf_counter()
    implant = design_implant(segmentation.labels, plane, request.side, resection.envelope, resection.mask)
    stage("implant", t0)

    t0 = time.perf_counter()
    labels = segmentation.labels
    lab = labels.array
    pelvis = (lab == HIP_LEFT) | (lab == HIP_RIGHT) | (lab == SACRUM)
    implant_mesh = make_watertight(extract_surface(implant.mask, labels))
    resected_mesh = make_watertight(extract_surface(resection.mask, labels))
    remaining_mesh = extract_surface(pelvis & ~resection.mask, labels)
    stage("meshes", t0)

    sx, sy, sz = ct.spacing_mm
    return PelvisPlan(
        request=request,
        ct_shape=ct.shape,
        ct_spacing_mm=(float(sx), float(sy), float(sz)),
        segmentation=segmentation,
        plane=plane,
        resection=resection,
        implant=implant,
        implant_mesh=implant_mesh,
        resected_mesh=resected_mesh,
        remaining_mesh=remaining_mesh,
        timings_s=timings,
    )
