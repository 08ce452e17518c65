"""CT-based pelvic resection planning and patient-specific implant templates, in RAS+ mm.

Pure computation lives in `segment`, `symmetry`, `resection`, `implant`, `mesh` and `pipeline`;
files are read at the edge (`nifti_io`, `dicom_io`, `ct_io`); the plan folder (meshes, label
map, plan.json, report) is written above this package, by `rareonco.reports.plan_folder`.

Entry points:

* `plan_pelvis(ct, PlanRequest(...), progress)` -> `PelvisPlan` (pure; `plan.to_dict()` is plan.json)
* `load_ct(path)` reads a DICOM series folder or a NIfTI file as a canonical `Volume`
"""

from .ct_io import load_ct
from .label_map import LABELS
from .pipeline import PelvisPlan, PlanRequest, ProgressCallback, plan_pelvis
from .resection import CutPlane
from .segment import segment_pelvis
from .symmetry import Plane
from .volume import Volume

__all__ = [
    "LABELS",
    "CutPlane",
    "PelvisPlan",
    "PlanRequest",
    "Plane",
    "ProgressCallback",
    "Volume",
    "load_ct",
    "plan_pelvis",
    "segment_pelvis",
]
