"""Benchmark of `rareonco plan pelvis` on the shared CT at 3 mm and resampled to 1 mm (~37 M voxels).

Prints the seconds of each stage, the peak memory (resident set) and, in the same run, the
surface extraction (`mesh.extract_surface`, best of 3) against VTK's vtkFlyingEdges3D on the same label
volume (best of 3, interleaved).
Goals: 1 mm end to end under 60 s on 2 cores, peak memory under 4 GB; surface extraction no slower
than 1.5 x vtkFlyingEdges3D.

Run: PYTHONPATH=src .venv/bin/python benchmarks/plan_pelvis.py [--only 3|1]
Each size runs in its own process so that the peak memory of one does not hide the other's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rareonco.example_data import get_example_file

REPO = Path(__file__).resolve().parents[1]
CT = get_example_file("ct/abdomen_pelvis_3mm.nii.gz")
BOX = (-90.0, 101.0, 184.0, -50.0, 141.0, 224.0)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _resample_1mm(path: Path) -> Path:
    """The shared CT resampled to 1 mm (linear), written as NIfTI int16."""
    import nibabel as nib
    from scipy import ndimage as ndi

    img = nib.load(str(path))
    arr = np.asarray(img.dataobj).astype(np.float32)
    out = ndi.zoom(arr, 3.0, order=1, grid_mode=True, mode="grid-constant", cval=-1024.0)
    aff = img.affine.copy()
    aff[:3, :3] /= 3.0
    aff[:3, 3] = img.affine[:3, 3] - img.affine[:3, :3] @ np.array([1.0, 1.0, 1.0]) / 3.0
    target = Path(tempfile.mkdtemp()) / "ct_1mm.nii.gz"
    nib.save(nib.Nifti1Image(np.rint(out).astype(np.int16), aff), str(target))
    return target


def _surface_vs_vtk(labels) -> dict[str, float]:
    from vtkmodules.util import numpy_support
    from vtkmodules.vtkCommonDataModel import vtkImageData
    from vtkmodules.vtkFiltersCore import vtkFlyingEdges3D

    from rareonco.imaging.mesh import extract_surface

    lab = labels.array
    pelvis = (lab >= 1) & (lab <= 3)

    def vtk_reference() -> int:
        data = np.asfortranarray(pelvis.astype(np.float32)).ravel(order="F")
        image = vtkImageData()
        image.SetDimensions(*pelvis.shape)
        image.GetPointData().SetScalars(numpy_support.numpy_to_vtk(data, deep=False))
        fe = vtkFlyingEdges3D()
        fe.SetInputData(image)
        fe.SetValue(0, 0.5)
        fe.ComputeNormalsOff()
        fe.ComputeGradientsOff()
        fe.ComputeScalarsOff()
        fe.Update()
        return int(fe.GetOutput().GetNumberOfPolys())

    # best of 3 for both, interleaved: at 3 mm each takes a few ms and one run is mostly noise
    ours = vtk_s = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        mesh = extract_surface(pelvis, labels)
        ours = min(ours, time.perf_counter() - t0)
        t0 = time.perf_counter()
        vtk_triangles = vtk_reference()
        vtk_s = min(vtk_s, time.perf_counter() - t0)
    return {
        "ours_s": round(ours, 3),
        "ours_triangles": mesh.triangles,
        "vtk_flying_edges_s": round(vtk_s, 3),
        "vtk_triangles": vtk_triangles,
        "ratio": round(ours / vtk_s, 2),
    }


def run_one(size: str) -> dict[str, object]:
    sys.path.insert(0, str(REPO / "src"))
    from rareonco.imaging import load_ct
    from rareonco.imaging.pipeline import PlanRequest, plan_pelvis

    path = CT if size == "3" else _resample_1mm(CT)
    t_start = time.perf_counter()
    t0 = time.perf_counter()
    ct = load_ct(path)
    load_s = time.perf_counter() - t0
    plan = plan_pelvis(ct, PlanRequest(side="left", tumour_box_mm=BOX))
    total = time.perf_counter() - t_start
    timings = {"load": round(load_s, 3), **{k: round(v, 3) for k, v in plan.timings_s.items()}}
    surface = _surface_vs_vtk(plan.labels)
    summary = plan.summary()
    return {
        "grid_mm": size,
        "voxels": int(np.prod(ct.shape)),
        "shape": list(ct.shape),
        "stages_s": timings,
        "total_s": round(total, 2),
        "peak_memory_mb": round(_peak_mb(), 0),
        "surface_vs_vtk": surface,
        "hip_left_ml": summary.segmentation.hip_left_ml,
        "hip_right_ml": summary.segmentation.hip_right_ml,
        "sacrum_ml": summary.segmentation.sacrum_ml,
        "zones": summary.resection.zones,
        "implant_watertight": summary.implant.watertight,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["3", "1"])
    parser.add_argument("--child", choices=["3", "1"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child)))
        return
    if not CT.exists():
        sys.exit(f"missing shared CT: {CT}")
    for size in [args.only] if args.only else ["3", "1"]:
        out = (
            subprocess.run(
                [sys.executable, __file__, "--child", size], capture_output=True, text=True, check=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        r = json.loads(out)
        print(f"== {size} mm grid: {r['shape']} = {r['voxels'] / 1e6:.1f} M voxels")
        for k, v in r["stages_s"].items():
            print(f"   {k:<10} {v:8.2f} s")
        print(f"   total      {r['total_s']:8.2f} s   (goal < 60 s at 1 mm)")
        print(f"   peak RSS   {r['peak_memory_mb']:8.0f} MB (goal < 4096 MB)")
        s = r["surface_vs_vtk"]
        print(
            f"   surface: ours {s['ours_s']:.3f} s ({s['ours_triangles']} tri) vs vtkFlyingEdges3D "
            f"{s['vtk_flying_edges_s']:.3f} s ({s['vtk_triangles']} tri): ratio {s['ratio']} (goal <= 1.5)"
        )
        print(
            f"   hips {r['hip_left_ml']} / {r['hip_right_ml']} ml, sacrum {r['sacrum_ml']} ml, "
            f"zones {r['zones']}, implant watertight {r['implant_watertight']}"
        )


if __name__ == "__main__":
    main()
