"""Binary morphology in physical millimetres (Euclidean distance transforms, any voxel spacing).

Structuring elements given in voxels change meaning with the scanner's spacing; these take a
radius in mm and build the exact Euclidean ball through `distance_transform_edt(sampling=...)`,
which also costs the same whatever the radius (a 10 mm ball on 1 mm voxels would be slow as an
explicit structuring element).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from .arrays import Floats, Labels32, Mask


def dilate_mm(mask: np.ndarray, radius_mm: float, spacing_mm: np.ndarray) -> np.ndarray:
    if radius_mm <= 0 or not mask.any():
        return mask.copy()
    dist: Floats = ndi.distance_transform_edt(~mask, sampling=spacing_mm)
    return dist <= radius_mm


def erode_mm(mask: np.ndarray, radius_mm: float, spacing_mm: np.ndarray) -> np.ndarray:
    if radius_mm <= 0:
        return mask.copy()
    dist: Floats = ndi.distance_transform_edt(mask, sampling=spacing_mm)
    return dist > radius_mm


def close_mm(mask: np.ndarray, radius_mm: float, spacing_mm: np.ndarray) -> np.ndarray:
    """Closing with a ball; the array is padded so that the border does not erode."""
    if radius_mm <= 0:
        return mask.copy()
    pad = np.ceil(radius_mm / np.asarray(spacing_mm)).astype(int) + 1
    padded = np.pad(mask, [(p, p) for p in pad])
    closed = erode_mm(dilate_mm(padded, radius_mm, spacing_mm), radius_mm, spacing_mm)
    return closed[pad[0] : -pad[0], pad[1] : -pad[1], pad[2] : -pad[2]]


def open_mm(mask: np.ndarray, radius_mm: float, spacing_mm: np.ndarray) -> np.ndarray:
    return dilate_mm(erode_mm(mask, radius_mm, spacing_mm), radius_mm, spacing_mm)


def planar_holes(mask: np.ndarray, axis: int) -> np.ndarray:
    """Background voxels enclosed by `mask` within their own slice perpendicular to `axis`.

    One labelling call with a structuring element that connects only within a slice, so all
    slices are done at once; a background region is a hole if it touches no edge of its slice.
    """
    s2 = ndi.generate_binary_structure(2, 1)
    plane = np.expand_dims(s2, axis)
    structure = np.concatenate([np.zeros_like(plane), plane, np.zeros_like(plane)], axis=axis)
    lab: Labels32
    n: int
    lab, n = ndi.label(~mask, structure=structure)
    border = np.zeros(n + 1, bool)
    border[0] = True
    for ax in range(3):
        if ax == axis:
            continue
        border[np.unique(np.take(lab, 0, axis=ax))] = True
        border[np.unique(np.take(lab, -1, axis=ax))] = True
    return ~border[lab]


def fill_enclosed(mask: np.ndarray, min_votes: int = 2) -> np.ndarray:
    """Fill cavities: 3-D holes, plus voxels enclosed in at least `min_votes` of the 3 slice orientations.

    Marrow is enclosed by cortex whatever the slice orientation, while a through-hole (the
    obturator foramen, the spinal canal, the pelvic inlet) is enclosed only in slices across its
    axis; two votes out of three keep the holes and fill the marrow where the cortex, thinned by
    partial volume, leaks in one orientation.
    """
    votes = np.zeros(mask.shape, np.uint8)
    for axis in range(3):
        votes += planar_holes(mask, axis)
    filled: Mask = ndi.binary_fill_holes(mask | (votes >= min_votes))
    return filled


def largest_component(mask: Mask) -> Mask:
    lab: Labels32
    n: int
    lab, n = ndi.label(mask)
    if n == 0:
        return mask.copy()
    sizes = np.bincount(lab.ravel())
    sizes[0] = 0
    largest: Mask = lab == int(np.argmax(sizes))
    return largest


def block_mean(array: np.ndarray, factors: tuple[int, int, int]) -> np.ndarray:
    """Mean over blocks of `factors` voxels (edge blocks padded by edge values); float32."""
    if factors == (1, 1, 1):
        return array.astype(np.float32)
    pads = [(0, (-s) % f) for s, f in zip(array.shape, factors, strict=True)]
    a = np.pad(array, pads, mode="edge") if any(p[1] for p in pads) else array
    shp = []
    for s, f in zip(a.shape, factors, strict=True):
        shp += [s // f, f]
    out = np.zeros((a.shape[0] // factors[0], a.shape[1] // factors[1], a.shape[2] // factors[2]), np.float32)
    # accumulate slab by slab along the last axis to keep the temporary small
    for dk in range(factors[2]):
        sub = a[:, :, dk :: factors[2]].astype(np.float32)
        out += sub.reshape(shp[0], shp[1], shp[2], shp[3], shp[4]).sum(axis=(1, 3))
    return out / float(np.prod(factors))


def upsample_nearest(coarse: np.ndarray, factors: tuple[int, int, int], shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of the block grid: each fine voxel takes its block's value."""
    idx = [np.minimum(np.arange(s) // f, c - 1) for s, f, c in zip(shape, factors, coarse.shape, strict=True)]
    return coarse[np.ix_(*idx)]
