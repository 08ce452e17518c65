"""A volume in patient coordinates: a voxel array plus the affine that places it in RAS+ mm.

RAS+ is the frame of NIfTI, nibabel and 3D Slicer: +x toward the patient's RIGHT, +y anterior,
+z superior, millimetres. DICOM stores LPS+ (+x toward the patient's left); the DICOM reader
converts. Every algorithm in `rareonco.imaging` receives volumes in *canonical* voxel order
(`Volume.canonical()`): axis 0 grows toward the patient's right, axis 1 anterior, axis 2 superior,
so that a flipped or permuted storage order gives the same array. The affine keeps any rotation
that a permutation cannot remove (an oblique acquisition), so nothing is resampled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from nibabel import orientations as nio
from numpy.typing import NDArray

from .arrays import Floats

# nibabel's orientation helpers, with the types they take and give (nibabel ships no annotations);
# an orientation is an (N, 2) float array of (axis, flip) rows
_aff2axcodes: Callable[[Floats], Sequence[str]] = nio.aff2axcodes
_io_orientation: Callable[[Floats], Floats] = nio.io_orientation
_axcodes2ornt: Callable[[Sequence[str]], Floats] = nio.axcodes2ornt
_ornt_transform: Callable[[Floats, Floats], Floats] = nio.ornt_transform
_apply_orientation: Callable[[NDArray[Any], Floats], NDArray[Any]] = nio.apply_orientation
_inv_ornt_aff: Callable[[Floats, tuple[int, ...]], Floats] = nio.inv_ornt_aff


@dataclass(frozen=True, eq=False)
class Volume:
    """A 3-D voxel array and its voxel-to-RAS affine.

    Attributes
    ----------
    array : ndarray, shape (I, J, K)
        Voxel values (Hounsfield units for CT, labels for a segmentation, bool for a mask).
    affine : ndarray, shape (4, 4)
        Maps voxel indices (i, j, k, 1) to RAS+ millimetres.
    """

    array: np.ndarray
    affine: np.ndarray

    def __post_init__(self) -> None:
        if self.array.ndim != 3:
            raise ValueError(f"a volume is 3-D, got shape {self.array.shape}")
        aff = np.asarray(self.affine, dtype=float)
        if aff.shape != (4, 4) or abs(np.linalg.det(aff[:3, :3])) < 1e-9:
            raise ValueError("affine must be an invertible 4x4 matrix")
        object.__setattr__(self, "affine", aff)

    @property
    def shape(self) -> tuple[int, int, int]:
        i, j, k = self.array.shape
        return int(i), int(j), int(k)

    @property
    def spacing_mm(self) -> np.ndarray:
        """Voxel edge lengths along the three array axes, mm."""
        squares: Floats = (self.affine[:3, :3] ** 2).sum(axis=0)
        return np.sqrt(squares)

    @property
    def voxel_volume_ml(self) -> float:
        return float(abs(np.linalg.det(self.affine[:3, :3]))) / 1000.0

    def with_array(self, array: np.ndarray) -> Volume:
        """The same grid holding other values (a mask, a label map)."""
        if array.shape != self.array.shape:
            raise ValueError(f"shape {array.shape} does not match the grid {self.array.shape}")
        return Volume(array, self.affine)

    def index_to_ras(self, ijk: np.ndarray) -> np.ndarray:
        """Voxel indices (..., 3) to RAS mm (..., 3)."""
        ras: Floats = np.asarray(ijk, dtype=float) @ self.affine[:3, :3].T + self.affine[:3, 3]
        return ras

    def ras_to_index(self, xyz: np.ndarray) -> np.ndarray:
        """RAS mm (..., 3) to fractional voxel indices (..., 3)."""
        inv = np.linalg.inv(self.affine)
        xyz = np.asarray(xyz, dtype=float)
        return xyz @ inv[:3, :3].T + inv[:3, 3]

    def axis_codes(self) -> tuple[str, ...]:
        """Anatomical direction each array axis grows toward, e.g. ('R', 'A', 'S')."""
        return tuple(_aff2axcodes(self.affine))

    def canonical(self) -> Volume:
        """The same voxels reordered (flips and axis permutations only) to R, A, S axes."""
        return self.reoriented(("R", "A", "S"))

    def reoriented(self, codes: tuple[str, str, str]) -> Volume:
        """The same voxels reordered so that the array axes grow toward `codes`, e.g. ('L', 'P', 'S')."""
        ornt = _io_orientation(self.affine)
        target = _axcodes2ornt(codes)
        transform = _ornt_transform(ornt, target)
        if np.array_equal(transform, [[0, 1], [1, 1], [2, 1]]):
            return self
        array = np.ascontiguousarray(_apply_orientation(self.array, transform))
        affine = self.affine @ _inv_ornt_aff(transform, self.array.shape)
        return Volume(array, affine)

    def crop(self, lo: np.ndarray, hi: np.ndarray) -> Volume:
        """The sub-volume [lo, hi) in voxel indices, with its affine shifted to match."""
        lo = np.maximum(np.asarray(lo, int), 0)
        hi = np.minimum(np.asarray(hi, int), self.array.shape)
        sub = self.array[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
        affine = self.affine.copy()
        affine[:3, 3] = self.index_to_ras(lo)
        return Volume(sub, affine)


def bounding_box(mask: np.ndarray, pad: int | np.ndarray = 0) -> tuple[np.ndarray, np.ndarray] | None:
    """Index bounds [lo, hi) of the True voxels of `mask`, grown by `pad` voxels; None if empty."""
    if not mask.any():
        return None
    lo = []
    hi = []
    for axis in range(mask.ndim):
        other = tuple(a for a in range(mask.ndim) if a != axis)
        present = np.flatnonzero(mask.any(axis=other))
        lo.append(present[0])
        hi.append(present[-1] + 1)
    pad_arr = np.broadcast_to(np.asarray(pad, int), (mask.ndim,))
    lo_arr = np.maximum(np.array(lo) - pad_arr, 0)
    hi_arr = np.minimum(np.array(hi) + pad_arr, mask.shape)
    return lo_arr, hi_arr


def resample_mask_to(mask: Volume, grid: Volume) -> np.ndarray:
    """A mask on another grid resampled (nearest neighbour) onto `grid`; bool array of grid's shape.

    Voxels of `grid` that fall outside the mask's field of view are False.
    """
    from scipy import ndimage as ndi

    src = np.asarray(mask.array) > 0
    if mask.shape == grid.shape and np.allclose(mask.affine, grid.affine, atol=1e-4):
        return src
    # voxel of grid -> RAS -> voxel of mask
    matrix = np.linalg.inv(mask.affine) @ grid.affine
    out: NDArray[np.uint8] = ndi.affine_transform(
        src.astype(np.uint8),
        matrix[:3, :3],
        offset=matrix[:3, 3],
        output_shape=grid.shape,
        order=0,
        mode="constant",
        cval=0,
    )
    return out.astype(bool)
