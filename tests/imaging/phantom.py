"""A synthetic pelvis: two mirror-image hip-bone-like shapes and a sacrum-like shape, known volumes.

Each bone is a union of ellipsoids with a 3 mm cortex (1200 HU) around marrow (60 HU, below any
bone threshold, so the marrow must be filled to get the volume). The body is soft tissue (40 HU)
in air, lying on a scanner table (a dense curved band, 600 HU, 15 mm below the body). The grid is
rotated against the patient axes (an oblique acquisition of a patient lying rotated), so the
anatomical plane is not an image plane. The true volumes come from the analytic shapes sampled
on a 0.5 mm grid, independent of the CT grid.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from scipy.spatial.transform import Rotation

from rareonco.imaging.volume import Volume

# (centre x, y, z, semi-axes a, b, c, rotation about y in degrees), RAS mm; right hip at +x
RIGHT_HIP = [
    (70.0, 0.0, 40.0, 12.0, 42.0, 45.0, -25.0),  # iliac wing
    (85.0, 10.0, -5.0, 22.0, 24.0, 24.0, 0.0),  # acetabular body
    (65.0, 25.0, -30.0, 10.0, 22.0, 12.0, 0.0),  # pubic part
]
SACRUM = [(0.0, -35.0, 25.0, 30.0, 16.0, 38.0, 0.0)]
CORTEX_MM = 3.0
TILT_DEG = 8.0  # the patient's true left-right axis, rotated about z from the scanner's


def _parts(side: str) -> list[tuple[float, ...]]:
    if side == "right":
        return RIGHT_HIP
    if side == "left":
        return [(-x, y, z, a, b, c, -rot) for x, y, z, a, b, c, rot in RIGHT_HIP]
    return SACRUM


def _inside(points_body: np.ndarray, parts, shrink: float = 0.0) -> np.ndarray:
    inside = np.zeros(points_body.shape[0], bool)
    for x, y, z, a, b, c, rot in parts:
        r = Rotation.from_euler("y", rot, degrees=True).as_matrix()
        q = (points_body - np.array([x, y, z])) @ r
        inside |= (
            (q[:, 0] / (a - shrink)) ** 2 + (q[:, 1] / (b - shrink)) ** 2 + (q[:, 2] / (c - shrink)) ** 2
        ) <= 1
    return inside


def patient_rotation() -> np.ndarray:
    """Patient (body) axes in RAS: the patient lies rotated by TILT_DEG about the table's long axis."""
    return Rotation.from_euler("z", TILT_DEG, degrees=True).as_matrix()


def true_volumes_ml(step_mm: float = 0.5) -> dict[str, float]:
    out = {}
    for name in ("left", "right", "sacrum"):
        parts = _parts(name)
        lo = np.min(
            [[x - max(a, b, c), y - max(a, b, c), z - max(a, b, c)] for x, y, z, a, b, c, _ in parts], axis=0
        )
        hi = np.max(
            [[x + max(a, b, c), y + max(a, b, c), z + max(a, b, c)] for x, y, z, a, b, c, _ in parts], axis=0
        )
        axes = [np.arange(lo_i, h, step_mm) + step_mm / 2 for lo_i, h in zip(lo, hi, strict=True)]
        total = 0
        for xv in axes[0]:
            yy, zz = np.meshgrid(axes[1], axes[2], indexing="ij")
            pts = np.column_stack([np.full(yy.size, xv), yy.ravel(), zz.ravel()])
            total += int(_inside(pts, parts).sum())
        out[name] = total * step_mm**3 / 1000.0
    return out


def make_phantom(
    spacing_mm: float = 2.0,
    grid_rotation_deg: float = 12.0,
    blur_sigma_mm: float = 0.0,
    padding_hu: float | None = None,
    fov_radius_mm: float = 150.0,
) -> Volume:
    """CT-like volume (HU) of the phantom on a grid rotated by `grid_rotation_deg` about x and z.

    blur_sigma_mm : Gaussian blur (the scanner's point-spread function) applied to the HU, mm;
        a blurred cortex crosses any fixed bone threshold outside its true surface.
    padding_hu : if given, voxels outside the reconstruction circle (radius `fov_radius_mm` about
        the table's long axis) get this value, as scanners pad (-1024, -2048, -3024 HU).
    """
    grid_rot = Rotation.from_euler("zx", [grid_rotation_deg, grid_rotation_deg / 2], degrees=True).as_matrix()
    shape = (150, 110, 90)
    centre_index = (np.array(shape) - 1) / 2.0
    affine = np.eye(4)
    affine[:3, :3] = grid_rot * spacing_mm
    affine[:3, 3] = np.array([0.0, -5.0, 10.0]) - affine[:3, :3] @ centre_index
    ijk = np.indices(shape, dtype=np.float32).reshape(3, -1).T
    ras = ijk @ affine[:3, :3].T + affine[:3, 3]
    body_pts = ras @ patient_rotation()  # RAS -> the patient's own axes
    hu = np.full(len(ras), -1000.0, np.float32)
    body = (body_pts[:, 0] / 140.0) ** 2 + ((body_pts[:, 1] + 5.0) / 95.0) ** 2 <= 1
    hu[body] = 40.0
    table = (np.hypot(body_pts[:, 0] / 2.5, body_pts[:, 1] - 400.0) < 515.0) & (
        np.hypot(body_pts[:, 0] / 2.5, body_pts[:, 1] - 400.0) > 505.0
    )
    hu[table & ~body] = 600.0
    for name in ("left", "right", "sacrum"):
        parts = _parts(name)
        bone = _inside(body_pts, parts)
        marrow = _inside(body_pts, parts, shrink=CORTEX_MM)
        hu[bone] = 1200.0
        hu[marrow] = 60.0
    hu = hu.reshape(shape)
    if blur_sigma_mm > 0:
        hu = ndi.gaussian_filter(hu, blur_sigma_mm / spacing_mm)
    if padding_hu is not None:
        hu[(np.hypot(ras[:, 0], ras[:, 1] + 5.0) > fov_radius_mm).reshape(shape)] = padding_hu
    return Volume(np.rint(hu).astype(np.int16), affine)
