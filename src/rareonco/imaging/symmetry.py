"""The mid-sagittal symmetry plane of the pelvis, found from the anatomy, not the image axes.

The plane is the reflection that best maps the bone surface onto itself: reflect the surface
points across a candidate plane, measure the distance of each reflected point to the nearest
original point, and minimise a trimmed mean of those distances (trimming ignores genuinely
asymmetric parts: a tumour, metal, a missing femur) over the plane's normal direction and offset.
The starting plane only needs to lie within ~15 degrees, which the patient's RAS axes from the
affine always give; a volume stored with other axes is made canonical first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize
from scipy.spatial import cKDTree

from .arrays import Floats


@dataclass(frozen=True)
class Plane:
    """A plane in RAS mm: a point on it and a unit normal."""

    point_mm: Floats
    normal: Floats

    def __post_init__(self) -> None:
        n = np.asarray(self.normal, dtype=float)
        object.__setattr__(self, "normal", n / np.linalg.norm(n))
        object.__setattr__(self, "point_mm", np.asarray(self.point_mm, dtype=float))

    def signed_distance_mm(self, points_mm: ArrayLike) -> Floats:
        d: Floats = (np.asarray(points_mm, float) - self.point_mm) @ self.normal
        return d

    def reflect(self, points_mm: ArrayLike) -> Floats:
        points = np.asarray(points_mm, float)
        d: Floats = (points - self.point_mm) @ self.normal
        return points - 2.0 * d[..., None] * self.normal

    def reflection_matrix(self) -> np.ndarray:
        """4x4 homogeneous matrix of the reflection across the plane."""
        n = self.normal
        m = np.eye(4)
        m[:3, :3] -= 2.0 * np.outer(n, n)
        m[:3, 3] = 2.0 * (self.point_mm @ n) * n
        return m

    def angle_to_deg(self, direction: np.ndarray) -> float:
        """Angle between the normal and a direction, sign ignored (0..90 degrees)."""
        d = np.asarray(direction, float)
        c = abs(float(self.normal @ d)) / float(np.linalg.norm(d))
        return float(np.degrees(np.arccos(min(1.0, c))))

    def to_dict(self) -> dict[str, list[float]]:
        return {
            "point_mm": [round(float(v), 2) for v in self.point_mm],
            "normal": [round(float(v), 5) for v in self.normal],
        }


def _subsample(points: np.ndarray, max_points: int, seed: int = 0) -> np.ndarray:
    if len(points) <= max_points:
        return points
    rng = np.random.default_rng(seed)
    return points[rng.choice(len(points), max_points, replace=False)]


def fit_symmetry_plane(
    points_mm: np.ndarray,
    initial: Plane,
    trim: float = 0.8,
    max_points: int = 6000,
) -> Plane:
    """Plane of best reflective symmetry of a point cloud (RAS mm).

    Parameters
    ----------
    points_mm : (N, 3) surface points in RAS mm.
    initial : starting plane, within ~15 degrees and ~30 mm of the answer.
    trim : fraction of the smallest nearest-neighbour distances averaged (robust to asymmetry).

    Returns the plane with its normal oriented toward +x (the patient's right in RAS).
    """
    points = np.asarray(points_mm, float)
    target = _subsample(points, max_points * 3, seed=1)
    tree = cKDTree(target)
    moving = _subsample(points, max_points, seed=2)
    n0 = initial.normal / np.linalg.norm(initial.normal)
    # an orthonormal basis around the initial normal: the normal is tilted by (a, b) radians
    helper = np.array([0.0, 0.0, 1.0]) if abs(n0[2]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(n0, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(n0, e1)
    centre = initial.point_mm

    def plane_of(params: np.ndarray) -> Plane:
        a, b, d = params
        n = n0 + np.tan(a) * e1 + np.tan(b) * e2
        n /= np.linalg.norm(n)
        return Plane(centre + d * n0, n)

    def cost(params: np.ndarray, pts: np.ndarray, cap: float) -> float:
        reflected = plane_of(params).reflect(pts)
        dist, _ = tree.query(reflected, distance_upper_bound=cap)
        dist = np.minimum(dist, cap)
        k = max(1, int(trim * len(dist)))
        return float(np.partition(dist, k - 1)[:k].mean())

    x0 = np.zeros(3)
    # coarse pass on fewer points with a wide capture distance, then a fine pass
    coarse = _subsample(moving, max(500, max_points // 4), seed=3)
    for pts, cap, step in ((coarse, 40.0, (0.08, 0.08, 10.0)), (moving, 15.0, (0.02, 0.02, 2.0))):
        dx, dy, dz = np.diag(step)
        simplex = np.vstack([x0, x0 + dx, x0 + dy, x0 + dz])
        res = optimize.minimize(
            cost,
            x0,
            args=(pts, cap),
            method="Nelder-Mead",
            options={"initial_simplex": simplex, "xatol": 1e-4, "fatol": 1e-4, "maxiter": 400},
        )
        x0 = res.x
    plane = plane_of(x0)
    # put the point at the foot of the perpendicular from the cloud's centroid: a stable, central point
    centroid = points.mean(axis=0)
    point = centroid - plane.signed_distance_mm(centroid) * plane.normal
    normal = plane.normal if plane.normal[0] >= 0 else -plane.normal
    return Plane(point, normal)


def anatomical_frame(plane: Plane) -> np.ndarray:
    """Rows: unit vectors toward the patient's right (plane normal), anterior and superior.

    The superior axis is RAS +z made orthogonal to the normal; anterior completes the frame.
    """
    e_r = plane.normal / np.linalg.norm(plane.normal)
    z = np.array([0.0, 0.0, 1.0])
    e_s = z - (z @ e_r) * e_r
    e_s /= np.linalg.norm(e_s)
    e_a = np.cross(e_s, e_r)
    return np.vstack([e_r, e_a, e_s])
