"""CT-based pelvic resection planning and patient-specific implant templates, in RAS+ mm.

Pure computation lives in `segment`, `symmetry`, `resection`, `implant`, `mesh` and `pipeline`;
files are read and written at the edge (`nifti_io`, `dicom_io`, `outputs`).

Entry points:

* `plan_pelvis(ct, PlanRequest(...), progress)` -> `PelvisPlan` (pure; `plan.to_dict()` is plan.json)
* `run_pelvis_plan(ct_path, out_dir, side, ...)` loads, plans and writes every output file
* `load_ct(path)` reads a DICOM series folder or a NIfTI file as a canonical `Volume`
"""

from .outputs import load_ct, run_pelvis_plan
from .pipeline import PelvisPlan, PlanRequest, ProgressCallback, plan_pelvis
from .resection import CutPlane
from .segment import LABELS, segment_pelvis
from .symmetry import Plane
from .volume import Volume

__all__ = [
    "LABELS",
    "CutPlane",
    "PelvisPlan",
    "Plane",
    "PlanRequest",
    "ProgressCallback",
    "Volume",
    "load_ct",
    "plan_pelvis",
    "run_pelvis_plan",
    "segment_pelvis",
]
