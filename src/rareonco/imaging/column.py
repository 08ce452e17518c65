"""The sacrum and the lumbar spine: the border at the L5/S1 disc, found in the image.

The lumbosacral disc is a dark gap (disc tissue, 50-120 HU) between two bright vertebral bodies
(L5 above, S1 below), tilted by the sacral slope (typically 30-50 degrees to the horizontal,
Legaye J et al., Eur Spine J 1998;7(2):99-103, table 2). It is searched as the plane through the
vertebral bodies with the largest contrast between a disk of bone 7 mm above it, a disk 7 mm below
it and the disk in it (radius 14 mm, sampled in mm, so the voxel grid does not matter), near the
top of the sacroiliac contact (the auricular surface spans S1-S3, so the disc lies within a few
centimetres of its top). Of the dark gaps found there, the LOWEST is L5/S1: the sacrum below is
fused. The border is the disc plane in front of the vertebral bodies' posterior wall and the
horizontal plane through the disc's posterior edge behind it (see `split_at_disc`): pure geometry
in mm, so it does not move when the CT is resampled (a watershed band along the dark gaps,
`BAND_MM` > 0, follows the joints more closely but moved with the voxel grid in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import ndimage as ndi
from scipy import optimize

from .arrays import Floats, Labels32, Mask
from .symmetry import Plane
from .volume import Volume

DISC_RADIUS_MM = 14.0
BODY_OFFSET_MM = 7.0
# the lowest dark gap counts when it is at least this fraction of the strongest one in the window
MIN_RELATIVE_CONTRAST = 0.5
MIN_CONTRAST_HU = 30.0
# the vertebral body's posterior wall lies about half a body depth (35 mm) behind the disc centre
POSTERIOR_WALL_MM = 15.0
BAND_MM = 0.0
# a lumbar vertebra is 30-60 ml of bone; less above the sacrum means the scan stops there
MIN_VERTEBRA_ML = 15.0


@dataclass(frozen=True)
class Disc:
    """A disc plane in the anatomical frame (u right, a anterior, s superior; mm from the plane point)."""

    centre: np.ndarray
    normal: np.ndarray
    contrast_hu: float


def _disk(radius_mm: float, step_mm: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    r = np.arange(-radius_mm, radius_mm + 1e-6, step_mm)
    g1, g2 = np.meshgrid(r, r, indexing="ij")
    keep = g1**2 + g2**2 <= radius_mm**2
    return g1[keep], g2[keep]


def _normal(theta: float) -> np.ndarray:
    """Unit normal in the mid-sagittal plane, tilted by theta (radians) from superior toward anterior."""
    return np.array([0.0, np.sin(theta), np.cos(theta)])


class _Sampler:
    """Mean HU over the disc disk and the two body disks, for many candidate planes at once."""

    def __init__(self, hu: np.ndarray, grid: Volume, plane: Plane, frame: np.ndarray, u0: float) -> None:
        self.hu = ndi.gaussian_filter(hu.astype(np.float32), 0.5)
        to_index = np.linalg.inv(grid.affine)
        # anatomical frame (u, a, s) -> voxel index, one affine map
        self.m = to_index[:3, :3] @ frame.T
        self.o = to_index[:3, :3] @ plane.point_mm + to_index[:3, 3]
        self.u0 = u0
        self.e1, self.e2 = _disk(DISC_RADIUS_MM)

    def contrast(self, a0: ArrayLike, s0: ArrayLike, theta: ArrayLike) -> Floats:
        """min(body above, body below) - disc, HU, for planes (a0, s0, theta) broadcast together."""
        a0, s0, theta = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, float)) for v in (a0, s0, theta)))
        a0, s0, theta = a0.ravel(), s0.ravel(), theta.ravel()
        n = np.stack([np.zeros_like(theta), np.sin(theta), np.cos(theta)], axis=-1)  # (P, 3)
        v2 = np.stack([np.zeros_like(theta), np.cos(theta), -np.sin(theta)], axis=-1)  # n x (1, 0, 0)
        centre = np.stack([np.full_like(a0, self.u0), a0, s0], axis=-1)
        disk = (
            centre[:, None, :]
            + self.e1[None, :, None] * np.array([1.0, 0.0, 0.0])
            + self.e2[None, :, None] * v2[:, None, :]
        )
        offsets = np.array([0.0, BODY_OFFSET_MM, -BODY_OFFSET_MM])
        pts = disk[:, None, :, :] + offsets[None, :, None, None] * n[:, None, None, :]  # (P, 3, D, 3)
        idx = pts.reshape(-1, 3) @ self.m.T + self.o
        vals = (
            ndi.map_coordinates(self.hu, idx.T, order=1, mode="nearest").reshape(pts.shape[:3]).mean(axis=2)
        )
        contrast: Floats = np.minimum(vals[:, 1], vals[:, 2]) - vals[:, 0]
        return contrast


def has_vertebra_above(column_coords: np.ndarray, si_top_s: float | np.float32, voxel_ml: float) -> bool:
    """Whether the column holds a vertebra's worth of bone 25 mm above the sacroiliac contact.

    Without one (a scan cropped at the sacrum, a phantom), there is no lumbar spine to split off.
    """
    near = np.abs(column_coords[:, 0]) < 20.0
    return bool(
        np.count_nonzero(near & (column_coords[:, 2] > si_top_s + 25.0)) * voxel_ml >= MIN_VERTEBRA_ML
    )


def find_lumbosacral_disc(
    hu: np.ndarray,
    grid: Volume,
    plane: Plane,
    frame: np.ndarray,
    column_coords: np.ndarray,
    si_top_s: float | np.float32,
) -> Disc | None:
    """The L5/S1 disc plane, or None when there is no vertebra above the sacrum or no dark gap.

    column_coords : (N, 3) anatomical-frame coordinates (u, a, s; mm) of the vertebral column's
        bone voxels on `grid`.
    si_top_s : the top of the sacroiliac contact, s in mm.
    """
    if not has_vertebra_above(column_coords, si_top_s, grid.voxel_volume_ml):
        return None
    near = np.abs(column_coords[:, 0]) < 20.0
    pts = column_coords[near]
    sampler = _Sampler(hu, grid, plane, frame, float(np.median(pts[:, 0])))
    thetas = np.radians(np.arange(-10.0, 65.0, 5.0))
    levels = np.arange(si_top_s - 40.0, si_top_s + 25.0, 1.5)
    best = np.full(len(levels), -1e3)
    best_at = np.zeros((len(levels), 3))
    for n, s0 in enumerate(levels):
        sel = np.abs(pts[:, 2] - s0) < 3.0
        if np.count_nonzero(sel) < 5:
            continue
        # the vertebral body is the anterior part of the column: its centre lies 5-30 mm behind
        # the column's front
        front = float(pts[sel, 1].max())
        aa, tt = np.meshgrid(np.arange(front - 30.0, front - 4.0, 3.0), thetas, indexing="ij")
        c = sampler.contrast(aa, s0, tt)
        k = int(np.argmax(c))
        best[n], best_at[n] = c[k], (aa.ravel()[k], s0, tt.ravel()[k])
    if best.max() < MIN_CONTRAST_HU:
        return None
    floor = max(MIN_CONTRAST_HU, MIN_RELATIVE_CONTRAST * best.max())
    peaks = [
        n
        for n in range(len(best))
        if best[n] >= floor and best[n] >= best[max(n - 1, 0)] and best[n] >= best[min(n + 1, len(best) - 1)]
    ]
    n0 = min(peaks, key=lambda n: levels[n])
    start = best_at[n0]
    res = optimize.minimize(
        lambda x: -float(sampler.contrast(*x)[0]),
        start,
        method="Nelder-Mead",
        options={
            "initial_simplex": start + np.array([[0, 0, 0], [3, 0, 0], [0, 3, 0], [0, 0, 0.1]]),
            "xatol": 0.2,
            "fatol": 0.5,
            "maxiter": 200,
        },
    )
    a0, s0, th = res.x if abs(res.x[1] - start[1]) <= 6.0 else start  # else it wandered to another gap
    return Disc(np.array([sampler.u0, a0, s0]), _normal(th), float(sampler.contrast(a0, s0, th)[0]))


def split_at_disc(
    column: np.ndarray,
    coords: np.ndarray,
    disc: Disc,
    elevation: np.ndarray,
) -> np.ndarray:
    """The part of `column` above the L5/S1 disc (the lumbar spine), bool.

    The border surface is the disc plane in front of the vertebral bodies' posterior wall
    (`POSTERIOR_WALL_MM` behind the disc centre) and, behind it, the horizontal plane through the
    disc's posterior edge: the tilted disc plane continued backward would run under the L5 arch
    and give it to the sacrum, while the L5/S1 facet joints lie at about the height of the disc's
    posterior edge. Voxels more than `BAND_MM` from that surface are seeds of their side; a
    watershed on `elevation` (inverted, smoothed HU) settles the band along the dark disc and joints.
    """
    from skimage.segmentation import watershed

    rel = coords - disc.centre
    n_a, n_s = float(disc.normal[1]), float(disc.normal[2])
    tilted = rel @ disc.normal
    s_edge = POSTERIOR_WALL_MM * n_a / max(n_s, 0.2)  # height of the disc plane at the posterior wall
    behind = rel[..., 1] < -POSTERIOR_WALL_MM
    h = np.where(behind, (rel[..., 2] - s_edge) * n_s + (-POSTERIOR_WALL_MM - rel[..., 1]) * 0.0, tilted)
    if BAND_MM <= 0:
        above: Mask = column & (h > 0)
        return above
    markers = np.zeros(column.shape, np.int32)
    markers[column & (h < -BAND_MM)] = 1
    markers[column & (h > BAND_MM)] = 2
    flood: Callable[..., Labels32] = watershed  # scikit-image ships no annotations
    regions = flood(elevation, markers, mask=column)
    upper: Mask = regions == 2
    return upper
