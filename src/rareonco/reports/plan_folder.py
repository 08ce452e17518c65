"""The plan folder: read the CT and tumour, run the pure plan, write every output once.

This module sits above `rareonco.imaging` (which only computes) and beside the plan report.

Outputs in `out_dir`: implant.stl, implant.3mf, resected.stl, remaining.stl (binary STL, RAS mm,
header `SPACE=RAS`), segmentation.nii.gz (label map in `segment.LABELS`), plan.json, the three
orthogonal views (views.png), report.html and report.pdf.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

from rareonco.imaging.ct_io import load_ct
from rareonco.imaging.label_map import Side
from rareonco.imaging.mesh import write_3mf, write_stl
from rareonco.imaging.nifti_io import load_nifti, save_nifti
from rareonco.imaging.pipeline import (
    PelvisPlan,
    PlanRequest,
    ProgressCallback,
    plan_pelvis,
)
from rareonco.imaging.plan_summary import PlanSummary
from rareonco.imaging.resection import CutPlane
from rareonco.imaging.volume import Volume
from rareonco.reports.plan_report import write_plan_report


@dataclass(frozen=True)
class WrittenPlan:
    """A plan whose folder is written: the computed plan and its one summary (plan.json)."""

    plan: PelvisPlan
    summary: PlanSummary


def run_pelvis_plan(
    ct_path: str | Path,
    out_dir: str | Path,
    side: Side,
    tumour_box_mm: tuple[float, float, float, float, float, float] | None = None,
    tumour_mask_path: str | Path | None = None,
    margin_mm: float = 20.0,
    cuts: tuple[CutPlane, ...] = (),
    progress: ProgressCallback | None = None,
    series_uid: str | None = None,
    report: bool = True,
) -> WrittenPlan:
    """Load, plan, write all outputs; returns the plan and its summary (plan.json)."""
    report_progress = progress or (lambda stage, fraction: None)
    t0 = time.perf_counter()
    report_progress("load", 0.0)
    ct = load_ct(ct_path, series_uid=series_uid)
    mask = load_nifti(tumour_mask_path, field="tumour_mask") if tumour_mask_path else None
    load_s = time.perf_counter() - t0
    request = PlanRequest(side=side, tumour_box_mm=tumour_box_mm, tumour_mask=mask, margin_mm=margin_mm,
                          cuts=cuts)
    plan = plan_pelvis(ct, request, progress=lambda s, f: report_progress(s, 0.05 + 0.8 * f))
    plan.timings_s["load"] = load_s
    summary = plan.summary()
    t0 = time.perf_counter()
    report_progress("write", 0.85)
    write_outputs(plan, summary, ct, Path(out_dir), report=report)
    # plan.json also says how long writing the other files took (the report could not)
    plan.timings_s["write"] = time.perf_counter() - t0
    summary = replace(summary, timings_s={k: round(v, 3) for k, v in plan.timings_s.items()})
    write_plan_json(summary, Path(out_dir))
    report_progress("done", 1.0)
    return WrittenPlan(plan, summary)


def write_outputs(plan: PelvisPlan, summary: PlanSummary, ct: Volume, out_dir: Path,
                  report: bool = True) -> None:
    """The meshes, the label map and (unless `report` is false) the report, into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    write_stl(plan.implant_mesh, out_dir / "implant.stl", "implant template")
    write_3mf(plan.implant_mesh, out_dir / "implant.3mf")
    write_stl(plan.resected_mesh, out_dir / "resected.stl", "resected bone")
    write_stl(plan.remaining_mesh, out_dir / "remaining.stl", "remaining bone")
    save_nifti(plan.labels, out_dir / "segmentation.nii.gz")
    if report:
        write_plan_report(plan, summary, ct.canonical(), out_dir)


def write_plan_json(summary: PlanSummary, out_dir: Path) -> None:
    """plan.json, written last, once, from the plan's one summary."""
    (out_dir / "plan.json").write_text(json.dumps(summary.to_dict(), indent=2))
