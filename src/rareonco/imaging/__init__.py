"""CT-based pelvic resection planning and patient-specific implant templates, in RAS+ mm.

Pure computation lives in `segment`, `symmetry`, `resection`, `implant`, `mesh` and `pipeline`;
files are read at the edge (`nifti_io`, `dicom_io`, `ct_io`); the plan folder (meshes, label
map, plan.json, report) is written above this package, by `rareonco.reports.plan_folder`.

Entry points:

* `plan_pelvis(ct, PlanRequest(...), progress)` -> `PelvisPlan` (pure; `plan.to_dict()` is plan.json)
* `load_ct(path)` reads a DICOM series folder or a NIfTI file as a canonical `Volume`
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .ct_io import load_ct
    from .label_map import LABELS
    from .pipeline import PelvisPlan, PlanRequest, ProgressCallback, plan_pelvis
    from .resection import CutPlane
    from .segment import segment_pelvis
    from .symmetry import Plane
    from .volume import Volume

#: public name -> the submodule defining it. Loaded on first use (PEP 562): the web app and
#: the CLI import `imaging.plan_summary` or `imaging.label_map` without the SciPy and
#: scikit-image stack the segmentation needs (about 75 MB and a second per process).
_EXPORTS = {
    "load_ct": "ct_io", "LABELS": "label_map", "PelvisPlan": "pipeline",
    "PlanRequest": "pipeline", "ProgressCallback": "pipeline", "plan_pelvis": "pipeline",
    "CutPlane": "resection", "segment_pelvis": "segment", "Plane": "symmetry",
    "Volume": "volume",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
