"""`rareonco plan`: surgical planning from imaging.

`rareonco plan pelvis --ct PATH --side left|right (--tumour-box "x0,y0,z0,x1,y1,z1" | --tumour-mask PATH)
[--margin-mm 20] [--cut "px,py,pz,nx,ny,nz" ...] --out DIR`
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rareonco.errors import InvalidInput

from .failures import ReportingGroup, errors_as

if TYPE_CHECKING:  # the imaging stack (NumPy, SciPy) is imported only when a plan runs
    from rareonco.imaging.label_map import Side

app = typer.Typer(cls=ReportingGroup, help="Surgical planning from CT.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Surgical planning from CT (RAS+ millimetres throughout)."""


def _side(text: str) -> Side:
    if text == "left":
        return "left"
    if text == "right":
        return "right"
    raise InvalidInput("side", f"must be 'left' or 'right' (the patient's side), got {text!r}")


def _box(text: str) -> tuple[float, float, float, float, float, float]:
    x0, y0, z0, x1, y1, z1 = _numbers(text, 6, "tumour_box")
    return x0, y0, z0, x1, y1, z1


def _numbers(text: str, count: int, field: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.replace(" ", "").split(","))
    except ValueError:
        raise InvalidInput(field, f"expected {count} comma-separated numbers, got {text!r}") from None
    if len(values) != count:
        raise InvalidInput(field, f"expected {count} comma-separated numbers, got {len(values)} in {text!r}")
    return values


@app.command("pelvis")
def pelvis(
    ct: Path = typer.Option(..., "--ct", help="CT: a DICOM series folder or a NIfTI file."),
    side: str = typer.Option(..., "--side", help="Side of the tumour: the patient's left or right."),
    tumour_box: str | None = typer.Option(
        None, "--tumour-box", help='Tumour box in RAS mm: "x0,y0,z0,x1,y1,z1".'),
    tumour_mask: Path | None = typer.Option(None, "--tumour-mask", help="Tumour mask (NIfTI, any grid)."),
    margin_mm: float = typer.Option(20.0, "--margin-mm", help="Resection margin around the tumour, mm."),
    cut: list[str] = typer.Option(
        [], "--cut", help='Cutting plane "px,py,pz,nx,ny,nz" (RAS mm); the normal points to the removed part.'
    ),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    series_uid: str | None = typer.Option(
        None, "--series-uid", help="DICOM series to read (default: largest CT)."),
    no_report: bool = typer.Option(False, "--no-report", help="Skip report.html/report.pdf."),
) -> None:
    """CT-based pelvic resection plan and patient-specific implant template (RAS+ mm outputs)."""
    import numpy as np
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from rareonco.imaging.resection import CutPlane
    from rareonco.reports.plan_folder import run_pelvis_plan

    errors_as()
    checked_side = _side(side)
    if (tumour_box is None) == (tumour_mask is None):
        raise InvalidInput("tumour", "give exactly one of --tumour-box or --tumour-mask")
    box = _box(tumour_box) if tumour_box else None
    cuts = []
    for text in cut:
        v = _numbers(text, 6, "cut")
        cuts.append(CutPlane(np.asarray(v[:3]), np.asarray(v[3:])))
    with Progress(
        TextColumn("{task.description:<10}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(), transient=False,
    ) as bar:
        task = bar.add_task("load", total=1.0)
        written = run_pelvis_plan(
            ct, out, checked_side,
            tumour_box_mm=box,
            tumour_mask_path=tumour_mask,
            margin_mm=margin_mm,
            cuts=tuple(cuts),
            progress=lambda stage, fraction: bar.update(task, description=stage, completed=fraction),
            series_uid=series_uid,
            report=not no_report,
        )
    summary = written.summary
    typer.echo(
        json.dumps(
            {
                "out": str(out),
                "zones": summary.resection.zones,
                "resected_bone_ml": summary.resection.resected_bone_ml,
                "implant_ml": summary.implant.volume_ml,
                "watertight": summary.implant.watertight,
                "warnings": summary.warnings,
            }
        )
    )
