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
    scores = np.concatenate([edges(cand_c[i : i + 400], cand_r[i : i + 400]) for i in range(0, len(cand_c), 400)])
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
    res = optimize.minimize(cost, x0, method="Nelder-Mead",
                            options={"initial_simplex": simplex, "xatol": 0.2, "fatol": 0.5, "maxiter": 300})
    x = res.x if res.fun <= -scores[k] else x0
    return HeadFit(x[:3].copy(), float(x[3]), float(edges(x[None, :3], x[3:4])[0]))
