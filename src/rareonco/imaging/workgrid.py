"""An isotropic working grid over part of a CT grid, and the maps between the two.

Thresholds and morphology change meaning with the voxel grid: a ball of 3 mm is one voxel step on
3 mm slices and three on 1 mm ones, a hole enclosed within a slice depends on how thick the slice
is, and one peeled voxel layer is 1 or 3.5 mm deep. Running them on one fixed isotropic grid,
whatever the scanner's spacing, makes the whole-bone mask a function of the anatomy and not of the
storage: the HU are sampled there by trilinear interpolation (the continuous image that the
scanner's samples stand for, as image registration tools resample; Thevenaz P, Blu T, Unser M,
"Interpolation revisited", IEEE Trans Med Imaging 2000;19(7):739-758) and the result is carried
back to the CT grid by nearest neighbour, so each CT voxel takes the value found at its centre.

The working grid shares the CT grid's axes (it is the CT grid with another step along each axis),
so both maps are separable, axis by axis, and cost no more than indexing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage as ndi

from .arrays import DT, Float32s, Floats, Ints
from .volume import Volume


@dataclass(frozen=True)
class WorkGrid:
    """An isotropic grid of `spacing_mm` over a CT volume, along the CT's axes.

    step_vox : working step in CT voxels along each CT axis (spacing_mm / CT spacing).
    origin_vox : CT index (fractional) of working voxel 0.
    shape : working grid shape; ct_shape : the CT volume's shape.
    affine : working index -> RAS mm.
    """

    spacing_mm: float
    step_vox: np.ndarray
    origin_vox: np.ndarray
    shape: tuple[int, int, int]
    ct_shape: tuple[int, int, int]
    affine: np.ndarray


def make_work_grid(ct: Volume, spacing_mm: float, anchor_mm: float) -> WorkGrid:
    """Working grid of `spacing_mm` (mm, isotropic) inside the voxel centres of `ct`.

    Its voxel 0 lies on the lattice of `anchor_mm` (a multiple of `spacing_mm`) along the CT's axes
    through the RAS origin: the working voxels sit at the same patient coordinates whatever the
    scanner's field of view, spacing or storage order (same axes up to flips), so the image is
    sampled at the same points and coarser blocks of `anchor_mm` have the same phase.
    """
    spacing = ct.spacing_mm
    step = spacing_mm / spacing
    direction = ct.affine[:3, :3] / spacing
    first = np.linalg.solve(direction, ct.affine[:3, 3])  # first centre along the axes, mm
    # canonical axes grow toward +x, +y, +z, so the lattice point at or after the first centre
    origin_mm = np.ceil(first / anchor_mm - 1e-6) * anchor_mm - first
    origin = origin_mm / spacing
    extent = np.array(ct.shape, float) - 1.0 - origin
    ni, nj, nk = (int(max(1, np.floor(e / st + 1e-6) + 1)) for e, st in zip(extent, step, strict=True))
    shape = (ni, nj, nk)
    affine = ct.affine.copy()
    affine[:3, :3] = ct.affine[:3, :3] * step
    affine[:3, 3] = ct.index_to_ras(origin)
    return WorkGrid(float(spacing_mm), step, origin, shape, ct.shape, affine)


def sample_linear(array: np.ndarray, grid: WorkGrid) -> np.ndarray:
    """Trilinear samples (float32) of a CT-grid array at the working voxel centres."""
    sampled: Float32s = ndi.affine_transform(
        array,
        grid.step_vox,
        offset=grid.origin_vox,
        output_shape=grid.shape,
        output=np.float32,
        order=1,
        mode="nearest",
    )
    return sampled


def _nearest(positions: Floats, size: int) -> Ints:
    nearest: Ints = np.clip(np.rint(positions).astype(np.intp), 0, size - 1)
    return nearest


def to_ct_grid(work: NDArray[DT], grid: WorkGrid) -> NDArray[DT]:
    """Nearest-neighbour values of a working-grid array at the CT voxel centres (CT shape)."""
    idx = [
        _nearest((np.arange(n) - o) / st, m)
        for n, o, st, m in zip(grid.ct_shape, grid.origin_vox, grid.step_vox, grid.shape, strict=True)
    ]
    return work[np.ix_(*idx)]


def from_ct_grid(array: NDArray[DT], grid: WorkGrid) -> NDArray[DT]:
    """Nearest-neighbour samples of a CT-grid array (a mask) at the working voxel centres."""
    idx = [
        _nearest(o + np.arange(m) * st, n)
        for n, o, st, m in zip(grid.ct_shape, grid.origin_vox, grid.step_vox, grid.shape, strict=True)
    ]
    return array[np.ix_(*idx)]


def block_affine(grid: WorkGrid, factor: int) -> np.ndarray:
    """Affine (index -> RAS mm) of the grid of `factor`-voxel blocks of the working grid, as
    `morphology.block_mean` makes them: block centre = mean of its voxel centres."""
    affine = grid.affine.copy()
    affine[:3, :3] = grid.affine[:3, :3] * factor
    affine[:3, 3] = grid.affine[:3, :3] @ np.full(3, (factor - 1) / 2.0) + grid.affine[:3, 3]
    return affine
