"""The label map of `segmentation.nii.gz`: one value per bone (documented in `segment`), and the
patient's sides the labels and plans name."""

from __future__ import annotations

from typing import Literal

#: the patient's side (patient-left is negative x in RAS+)
Side = Literal["left", "right"]

LABELS: dict[int, str] = {
    0: "background",
    1: "hip_left",
    2: "hip_right",
    3: "sacrum",
    4: "spine",
    5: "femur_left",
    6: "femur_right",
}
HIP_LEFT, HIP_RIGHT, SACRUM, SPINE, FEMUR_LEFT, FEMUR_RIGHT = 1, 2, 3, 4, 5, 6
