"""The whole-bone mask of a CT (cortex and marrow), made on an isotropic working grid.

Method (every size in mm; all of it on the working grid of `mask_grid_mm`, see `workgrid`):

1. Body: soft tissue (> -400 HU) opened by 6 mm, largest component, holes filled per axial
   slice; drops the scanner table and anything outside the patient (on the CT grid, ~4 mm steps).
2. The HU are sampled on a grid of 1.5 mm whose voxels sit on a fixed lattice in patient
   coordinates: the same points for a 1 mm, a 3 mm or a 2.5 x 2 x 3.5 mm scan of the same patient.
   1.5 mm is half the 3 mm labelling grid (so its blocks are whole working voxels), no coarser
   than the thickest common slices resampled at half their step, and fine enough that one peeled
   layer is thinner than the cortex of the ilium; a finer grid costs time without steadier results.
3. Metal: > 2500 HU grown by 6 mm (partial volume and streaks) is never bone.
4. Bone: > 120 HU (after a 0.75 mm Gaussian that every grid shares), closed by 3.5 mm (the
   thickest slices in routine use: a cortical gap as wide as a slice is bridged), cavities
   filled (3-D holes plus voxels enclosed in at least two of the three slice orientations: marrow,
   not foramina or canals), so each bone is the whole bone with a closed surface.
5. Partial volume: the outer voxel layers (up to 3 mm) darker than the local half-maximum between
   cortex and soft tissue are peeled; the layers just inside and outside that surface are decided
   again at each CT voxel centre from the CT's own HU (`segment.segment_pelvis`), so the surface is
   placed at the CT's resolution and not at the working grid's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from . import morphology as morph
from .arrays import Float32s
from .volume import Volume, bounding_box
from .workgrid import WorkGrid, from_ct_grid, make_work_grid, sample_linear, to_ct_grid

# margin of the working grid around the thresholded bone: the closing and the peel window reach 3.5 mm
BOX_PAD_MM = 8.0


@dataclass(frozen=True)
class SegmentationParams:
    """Thresholds (HU) and sizes (mm) of the segmentation.

    mask_grid_mm : step of the isotropic working grid of the whole-bone mask (`workgrid`).
    presmooth_mm : Gaussian sigma applied to the working-grid HU before the bone threshold.
    work_grid_mm : step of the labelling grid (a whole multiple of `mask_grid_mm`).
    pv_window_mm : half-width of the window of the local maximum and minimum (`half_maximum`).
    pv_depth_mm : deepest partial-volume layer peeled (`partial_volume_rim`).
    """

    body_hu: float = -400.0
    body_opening_mm: float = 6.0
    bone_hu: float = 120.0
    metal_hu: float = 2500.0
    metal_margin_mm: float = 6.0
    closing_mm: float = 3.5
    mask_grid_mm: float = 1.5
    presmooth_mm: float = 0.75
    work_grid_mm: float = 3.0
    min_hip_ml: float = 20.0
    pv_window_mm: float = 3.0
    pv_depth_mm: float = 3.0


def _body_mask(hu: np.ndarray, spacing: np.ndarray, p: SegmentationParams) -> np.ndarray:
    si, sj, sk = (int(max(1, round(4.0 / s))) for s in spacing)
    step = (si, sj, sk)
    coarse = hu[:: step[0], :: step[1], :: step[2]] > p.body_hu
    sp_c = spacing * np.array(step)
    body = morph.open_mm(coarse, p.body_opening_mm, sp_c)
    body = morph.largest_component(body)
    body |= morph.planar_holes(body, axis=2)
    body = morph.dilate_mm(body, 1.5 * float(sp_c.max()), sp_c)
    return morph.upsample_nearest(body, step, hu.shape)


@dataclass(frozen=True, eq=False)
class WholeBone:
    """The whole-bone mask on the isotropic working grid (`workgrid`), with the HU sampled there.

    grid : the working grid; lo, hi : the CT index box [lo, hi) it covers.
    mask : bool, grid.shape, bone (cortex and marrow) outside the metal zone.
    hu : float32, grid.shape, trilinear HU.
    band : bool, grid.shape, the voxel layers just inside and just outside the peeled surface.
    half_hu : float32, grid.shape, the HU of the bone's surface (`half_maximum`).
    """

    grid: WorkGrid
    lo: np.ndarray
    hi: np.ndarray
    mask: np.ndarray
    hu: np.ndarray
    band: np.ndarray | None
    half_hu: np.ndarray | None


def bone_mask(ct: Volume, params: SegmentationParams | None = None) -> tuple[WholeBone | None, np.ndarray]:
    """Whole-bone mask (cortex and marrow) on the working grid (None without bone) and the metal
    mask (bool, CT grid).

    Threshold, metal zone, closing, cavity filling and the partial-volume peel all run on one
    isotropic grid of `mask_grid_mm` whatever the scanner's spacing (see `workgrid`), so every
    radius and every slice-wise hole means the same anatomy on 1 mm, 3 mm or 2.5 x 2 x 3.5 mm voxels.
    """
    p = params or SegmentationParams()
    hu = ct.array
    spacing = ct.spacing_mm
    metal = hu > p.metal_hu
    body = _body_mask(hu, spacing, p)
    box = bounding_box((hu > p.bone_hu) & body, pad=np.ceil(BOX_PAD_MM / spacing).astype(int) + 1)
    if box is None:
        return None, metal
    lo, hi = box
    sl = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
    grid = make_work_grid(ct.crop(lo, hi), p.mask_grid_mm, p.work_grid_mm)
    hu_w = sample_linear(hu[sl], grid)
    sp = np.full(3, p.mask_grid_mm)
    body_w = from_ct_grid(body[sl], grid)
    # partial volume and streaks around metal are never bone; a metal voxel thinner than the
    # working step still counts through its nearest working voxel
    metal_w = (hu_w > p.metal_hu) | from_ct_grid(metal[sl], grid)
    metal_zone = morph.dilate_mm(metal_w, p.metal_margin_mm, sp)
    # one extra blur for every grid: blurs add in quadrature, so the differences of effective
    # resolution between grids shrink before thresholding (Joshi A et al., NeuroImage 2009;46(1):
    # 154-159, smoothing scanners to a common resolution); the peel below uses the unsmoothed HU
    smooth = ndi.gaussian_filter(hu_w, p.presmooth_mm / p.mask_grid_mm) if p.presmooth_mm > 0 else hu_w
    bone = (smooth > p.bone_hu) & body_w & ~metal_zone
    del smooth, body_w, metal_w
    closed = morph.close_mm(bone, p.closing_mm, sp)
    whole = morph.fill_enclosed(closed)
    del closed, bone
    whole &= ~metal_zone
    if p.pv_window_mm <= 0:
        return WholeBone(grid, lo, hi, whole, hu_w, None, None), metal
    half = half_maximum(hu_w, sp, p, metal_zone)
    peeled = whole & ~partial_volume_rim(whole, hu_w < half, sp, p)
    # the surface layer on either side of the peeled surface: decided again at each CT voxel centre
    core = ndi.binary_erosion(peeled)
    band = (peeled & ~core & ndi.binary_dilation(core)) | (whole & ~peeled & ndi.binary_dilation(peeled))
    return WholeBone(grid, lo, hi, peeled, hu_w, band, half), metal


def half_maximum(
    hu: np.ndarray, spacing: np.ndarray, p: SegmentationParams, metal_zone: np.ndarray | None = None
) -> np.ndarray:
    """HU of the bone's surface at each voxel, float32: halfway between the cortex next to it (local
    maximum within `pv_window_mm`) and the soft tissue outside (local minimum, clipped to the
    soft-tissue range), the full-width-at-half-maximum rule (Prevrhal S et al., Phys Med Biol
    1999;44(3):751-764). Metal (`metal_zone`) is not cortex and does not raise the maximum."""
    size = tuple(int(2 * max(1, round(p.pv_window_mm / s)) + 1) for s in spacing)
    h = hu.astype(np.float32)
    cortex = h if metal_zone is None else np.where(metal_zone, np.float32(p.bone_hu), h)
    highest: Float32s = ndi.maximum_filter(cortex, size=size)
    lowest: Float32s = ndi.minimum_filter(h, size=size)
    return 0.5 * (highest + np.clip(lowest, -100.0, 60.0))


def partial_volume_rim(
    mask: np.ndarray, below: np.ndarray, spacing: np.ndarray, p: SegmentationParams
) -> np.ndarray:
    """Outer-surface voxels of `mask` that lie outside the bone's half-maximum edge, bool.

    A blurred edge (scanner point-spread function, a few mm wide) crosses the 120 HU threshold
    well outside the true surface of dense cortex; `below` marks the voxels darker than the
    surface's HU (`half_maximum`). Only voxels on the surface of a part that is at least three
    voxels thick are trimmed, so a thin plate whose cortex is all partial volume keeps its voxels
    and never opens a hole.
    """
    trimmed = np.zeros(mask.shape, bool)
    current = mask
    # the blur reaches about pv_depth_mm outside the surface: peel voxel layers that lie that close
    # to the outside (the first layer always), so the depth trimmed is in mm, not in voxels
    shallow = ndi.distance_transform_edt(mask, sampling=spacing) <= p.pv_depth_mm + 1e-3
    for n in range(4):
        core = ndi.binary_erosion(current)
        rim = current & ~core & ndi.binary_dilation(core) & below & (shallow if n else True)
        if not rim.any():
            break
        trimmed |= rim
        current = current & ~rim
    return trimmed


def labels_on_ct(whole: WholeBone, near: np.ndarray, hu: np.ndarray) -> np.ndarray:
    """Labels (uint8) at the CT voxel centres of the box [whole.lo, whole.hi).

    near : uint8, working-grid shape, a label at every working voxel (the nearest bone's).
    hu : the CT's HU over the same box.
    Nearest neighbour of the working mask, except in the voxel layers on either side of the
    bone's surface (`WholeBone.band`): there a CT voxel is bone where its own HU reaches the
    surface's HU, so the surface is placed at the CT voxel centres (a point sample of the
    half-maximum surface, as the peel decides it) rather than at the working voxels'.
    """
    fine = to_ct_grid(np.where(whole.mask, near, 0).astype(np.uint8), whole.grid)
    if whole.band is None or whole.half_hu is None:
        return fine
    band = to_ct_grid(whole.band, whole.grid)
    inside = hu >= to_ct_grid(whole.half_hu, whole.grid)
    return np.where(band, np.where(inside, to_ct_grid(near, whole.grid), 0), fine).astype(np.uint8)
