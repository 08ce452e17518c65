"""The hip joint centre: a sphere fitted to the femoral head's surface in the CT.

The femoral head is close to a sphere (adult radius 20-28 mm) sitting in the acetabular cup; in
CT its surface is where the HU drops from the head's subchondral bone to the joint space (or to
soft tissue where the cup does not cover it). The fit maximises, over centre and radius, the mean
of that drop along the sphere's normals, sampled in mm by trilinear interpolation, so the voxel
grid and its orientation do not matter. The centre of the fitted head is the centre of the
acetabulum, the reference of the Enneking-Dunham zones (see `resection`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from scipy import optimize

from .arrays import Floats
from .volume import Volume

HEAD_RADIUS_RANGE_MM = (19.0, 27.0)
EDGE_STEP_MM = 2.0


@dataclass(frozen=True)
class HeadFit:
    """A fitted femoral head: centre (RAS mm), radius (mm) and edge contrast (mean HU drop)."""

    centre_mm: np.ndarray
    radius_mm: float
    edge_hu: float


def _directions(n: int = 300) -> np.ndarray:
    """Nearly uniform unit vectors (Fibonacci sphere)."""
    k = np.arange(n) + 0.5
    z = 1.0 - 2.0 * k / n
    phi = np.pi * (1.0 + 5**0.5) * k
    r = np.sqrt(1.0 - z**2)
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), z])


def fit_femoral_head(hu: np.ndarray, grid: Volume, start_mm: np.ndarray, metal_hu: float = 2000.0) -> HeadFit:
    """Sphere of the femoral head within ~15 mm of `start_mm` (RAS mm) on a CT grid (HU).

    Maximises mean[HU(c + (r - 2 mm) n) - HU(c + (r + 2 mm) n)] over the directions n: a grid
    search over centre (every 3 mm) and radius (every 2 mm), then a Nelder-Mead refinement.
    Directions whose samples touch metal (above `metal_hu`, e.g. a prosthesis) are left out; a fit
    that loses a third of its directions to metal reports an edge of -inf (not to be trusted).
    """
    h = ndi.gaussian_filter(hu.astype(np.float32), 0.5)
    inv = np.linalg.inv(grid.affine)
    dirs = _directions()
    lo, hi = HEAD_RADIUS_RANGE_MM

    def edges(c: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Mean edge for candidates c (P, 3), r (P,); -inf where metal takes a third of the directions."""
        inner = c[:, None, :] + (r[:, None, None] - EDGE_STEP_MM) * dirs
        outer = c[:, None, :] + (r[:, None, None] + EDGE_STEP_MM) * dirs
        idx = np.stack([inner, outer]).reshape(-1, 3) @ inv[:3, :3].T + inv[:3, 3]
        v = ndi.map_coordinates(h, idx.T, order=1, mode="nearest").reshape(2, len(c), len(dirs))
        ok = v.max(axis=0) < metal_hu
        drop = np.where(ok, np.clip(v[0], -200.0, 1500.0) - np.clip(v[1], -200.0, 1500.0), 0.0)
        score = drop.sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
        return np.where(ok.mean(axis=1) >= 2.0 / 3.0, score, -np.inf)

    start = np.asarray(start_mm, float)
    offs = np.arange(-12.0, 12.1, 3.0)
    grid_c = start + np.stack(np.meshgrid(offs, offs, offs, indexing="ij"), axis=-1).reshape(-1, 3)
    radii = np.arange(lo + 1.0, hi, 2.0)
    cand_c = np.repeat(grid_c, len(radii), axis=0)
    cand_r = np.tile(radii, len(grid_c))
    scores = np.concatenate(
        [edges(cand_c[i : i + 400], cand_r[i : i + 400]) for i in range(0, len(cand_c), 400)]
    )
    k = int(np.argmax(scores))
    if not np.isfinite(scores[k]):
        return HeadFit(start, float(np.mean(HEAD_RADIUS_RANGE_MM)), -np.inf)

    def cost(x: np.ndarray) -> float:
        if not lo <= x[3] <= hi or np.linalg.norm(x[:3] - start) > 18.0:
            return 1e6
        e = edges(x[None, :3], x[3:4])[0]
        return -e if np.isfinite(e) else 1e6

    x0 = np.append(cand_c[k], cand_r[k])
    simplex = np.vstack([x0] + [x0 + step for step in np.diag([2.0, 2.0, 2.0, 1.5])])
    res = optimize.minimize(
        cost,
        x0,
        method="Nelder-Mead",
        options={"initial_simplex": simplex, "xatol": 0.2, "fatol": 0.5, "maxiter": 300},
    )
    x = res.x if res.fun <= -scores[k] else x0
    return HeadFit(x[:3].copy(), float(x[3]), float(edges(x[None, :3], x[3:4])[0]))


# the cup's articular surface lies on a sphere of the head's radius plus the cartilage (2-3 mm);
# adult acetabular radii are about 22-30 mm
CUP_RADIUS_RANGE_MM = (19.0, 32.0)
CUP_SEARCH_MM = 45.0
# a cup fit is trusted when it sits on a fair share of a hemisphere with a small residual
MIN_CUP_COVERAGE = 0.25
MAX_CUP_RMS_MM = 3.0


@dataclass(frozen=True)
class CupFit:
    """A sphere fitted to the acetabular cup: centre (RAS mm), radius (mm), RMS residual (mm) and
    the fraction of the sphere's directions that the fitted surface points cover."""

    centre_mm: np.ndarray
    radius_mm: float
    rms_mm: float
    coverage: float

    @property
    def trusted(self) -> bool:
        return self.rms_mm <= MAX_CUP_RMS_MM and self.coverage >= MIN_CUP_COVERAGE


def fit_acetabular_cup(hip: np.ndarray, grid: Volume, start_mm: np.ndarray) -> CupFit | None:
    """Sphere of the acetabular cup of a hip-bone mask (bool, on `grid`) near `start_mm` (RAS mm).

    The cup is the concave face of the hip bone that holds the femoral head: the bone's surface
    points within `CUP_SEARCH_MM` of the start whose outward normal (from the smoothed mask)
    points toward the start. A sphere is fitted to them by robust least squares (soft-L1 loss,
    so the rim and the fossa count less), with the radius bounded to `CUP_RADIUS_RANGE_MM`. It
    uses the segmentation, not the HU at the head's edge, so a faint joint space or metal in the
    femur (a prosthesis) does not matter as long as the cup itself is bone.
    """
    from scipy.optimize import least_squares

    from .volume import bounding_box

    if not hip.any():
        return None
    sp = grid.spacing_mm
    centre_idx = grid.ras_to_index(np.asarray(start_mm, float))
    half = np.ceil((CUP_SEARCH_MM + 3 * sp.max()) / sp).astype(int)
    lo = np.maximum(np.floor(centre_idx).astype(int) - half, 0)
    hi = np.minimum(np.ceil(centre_idx).astype(int) + half + 1, hip.shape)
    if np.any(hi <= lo):
        return None
    sub = hip[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
    if bounding_box(sub) is None:
        return None
    surface = sub & ~ndi.binary_erosion(sub, border_value=1)
    idx = np.argwhere(surface)
    if len(idx) < 30:
        return None
    smooth = ndi.gaussian_filter(sub.astype(np.float32), 1.0)
    grads = np.stack([ndi.map_coordinates(g, idx.T, order=1) for g in np.gradient(smooth)], axis=1)
    # index-space gradient -> RAS direction (the inverse transpose of the affine's linear part)
    outward = -(grads @ np.linalg.inv(grid.affine[:3, :3]))
    pts = grid.index_to_ras(idx + lo)
    to_start = np.asarray(start_mm, float) - pts
    dist = np.linalg.norm(to_start, axis=1)
    norm = np.linalg.norm(outward, axis=1)
    facing = (outward * to_start).sum(axis=1) > 0.5 * norm * np.maximum(dist, 1e-6)
    keep = facing & (dist < CUP_SEARCH_MM) & (norm > 1e-3)
    pts = pts[keep]
    if len(pts) < 30:
        return None
    lo_r, hi_r = CUP_RADIUS_RANGE_MM

    def residual(x: Floats) -> Floats:
        r: Floats = np.linalg.norm(pts - x[:3], axis=1) - x[3]
        return r

    x0 = np.append(np.asarray(start_mm, float), np.clip(np.median(dist[keep]), lo_r + 0.5, hi_r - 0.5))
    bounds = (np.append(x0[:3] - 20.0, lo_r), np.append(x0[:3] + 20.0, hi_r))
    res = least_squares(residual, x0, bounds=bounds, loss="soft_l1", f_scale=2.0)
    centre, radius = res.x[:3], float(res.x[3])
    r = residual(res.x)
    on = np.abs(r) < 3.0
    if np.count_nonzero(on) < 30:
        return CupFit(centre, radius, float("inf"), 0.0)
    dirs = (pts[on] - centre) / np.linalg.norm(pts[on] - centre, axis=1, keepdims=True)
    sphere = _directions(200)
    covered = np.zeros(len(sphere), bool)
    covered[np.argmax(dirs @ sphere.T, axis=1)] = True
    return CupFit(centre, radius, float(np.sqrt(np.mean(r[on] ** 2))), float(covered.mean()))
