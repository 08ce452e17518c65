"""The whole sacrum: its marrow behind a thin, gappy cortex, found by enclosure between bone walls.

The sacrum of an adult, and above all of an older patient, has a cortex often thinner than a
voxel and marrow that fatty involution brings down to the HU of muscle or below (0-100 HU, with
fatty pockets near -100 HU); its lateral masses are riddled with foramina, so the cavity filling
of `wholebone` (cavities enclosed in at least two slice orientations) finds no closed cavity and
labels only the cortical shell and the S1 body. The sacrum is, however, wedged between bone on
nearly every side: its own cortex and the hip bones at the sacroiliac joints. Method, on the
isotropic working grid of `wholebone` (every size in mm), in a box around the sacrum's label:

1. Walls: the sacrum's and the hip bones' voxels of the whole-bone mask, plus thin cortex that
   missed the bone threshold (`thin_cortex`: a ridge above `THIN_CORTEX_HU` after a 1.5 mm blur,
   raised above the surrounding soft tissue where the muscles are dense, e.g. with contrast).
2. Enclosure (`enclosing_lines`): a voxel lies between walls along a line if a wall lies within
   `REACH_MM` on both sides; it is inside the sacrum if that holds along at least `MIN_LINES` of
   the 13 lines of the 26-neighbourhood (averaged over 1.5 mm). A cortical gap or a foramen
   opens only the few lines that run through it, while soft tissue beside the bone (presacral
   space, rectum, piriformis, the back muscles) sees open space along every line with a
   component away from the bone (9 of the 13), so at most 4 lines are closed by the bone.
3. Not marrow: fat (pelvic and epidural fat, the foramina and the lower sacral canal: below
   `FAT_HU` after a 1.5 mm blur, in blobs of at least `FAT_OPENING_MM` radius, so that fatty
   pockets inside the marrow stay), any bone of another label, voxels lateral to a hip bone, the
   territory of the spine and the femora, and the sacral canal (`sacral_canal`: cerebrospinal
   fluid and the dural sac are as dense as marrow).
4. The enclosed voxels connected to the sacrum, with their 3-D holes filled and the cortical gaps
   next to them closed (3 mm), are added to the sacrum (`complete_sacrum`).

Every step runs on the working grid anchored in patient space (`workgrid`), on HU blurred by
1.5 mm and with thresholds well away from the blurred peaks, so the added volume holds across
grids (the shared CT: the sacrum within 1.5 % between 3 mm, 1 mm and 2.5 x 2 x 3.5 mm storage;
a threshold of 100 HU for the thin cortex, closer to its peak, gave 7-8 % between them).
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import ndimage as ndi

from . import morphology as morph
from .arrays import Reals
from .label_map import FEMUR_LEFT, FEMUR_RIGHT, HIP_LEFT, HIP_RIGHT, SACRUM, SPINE
from .wholebone import SegmentationParams, WholeBone

# thin sacral cortex, partial-volumed below the bone threshold, stays above this after a blur of
# WALL_BLUR_MM: a threshold well below the cortex's blurred peak finds the same walls on sharp and
# on soft (thick-slice, resampled) scans; where the soft tissue is denser (muscle with contrast),
# the threshold is raised to SOFT_TISSUE_MARGIN_HU above its most common HU, so muscle never walls
THIN_CORTEX_HU = 70.0
SOFT_TISSUE_MARGIN_HU = 50.0
WALL_BLUR_MM = 1.5
# soft tissue is sampled this far from any bone
SOFT_TISSUE_AWAY_MM = 6.0
# half the thickness of the thickest part of the sacrum (S1 and its lateral masses, 50-60 mm deep)
# plus a gap: a wall within this distance on both sides of a voxel encloses it along that line
REACH_MM = 40.0
# of the 13 lines; soft tissue beside a flat bone surface has at most 4, marrow behind a gappy
# cortex most of the 13
MIN_LINES = 8
# the count of enclosing lines is averaged (over free voxels) with this Gaussian before MIN_LINES
# applies, so that single wall voxels found on one grid and not on another do not flip the voxels
# behind them
LINES_BLUR_MM = 1.5
# fat: below half-way between fat (about -100 HU) and marrow or muscle (40-60 HU) after a 1.5 mm
# blur, in blobs at least FAT_OPENING_MM in radius (a foramen or the canal; a fatty pocket of
# marrow is smaller)
FAT_HU = -20.0
FAT_OPENING_MM = 2.0
FAT_BLUR_MM = 1.5
# the sacral canal is searched within this distance of the sacrum's mid-sagittal plane
CANAL_HALF_WIDTH_MM = 20.0
CLOSING_MM = 3.0
# margin of the box around the sacrum's label: the marrow lies within the label's extent, the
# margin holds the walls beside it (the hip bones at the joints, thin cortex)
BOX_MARGIN_MM = 21.0
# the lumbar canal above the sacrum, where the sacral canal is continued from
CANAL_ABOVE_MM = 30.0
# the 13 lines through a voxel of the 26-neighbourhood, one direction of each
LINES: tuple[tuple[int, int, int], ...] = tuple(
    (i, j, k) for i, j, k in itertools.product((-1, 0, 1), repeat=3) if (i, j, k) > (0, 0, 0)
)


def _shifted(mask: np.ndarray, step: tuple[int, ...], n: int) -> np.ndarray:
    """out[x] = mask[x + n * step], False beyond the array."""
    out = np.zeros_like(mask)
    src, dst = [], []
    for c in step:
        k = c * n
        src.append(slice(k, None) if k > 0 else slice(0, k if k < 0 else None))
        dst.append(slice(0, -k) if k > 0 else slice(-k, None))
    out[tuple(dst)] = mask[tuple(src)]
    return out


def wall_within(wall: np.ndarray, step: tuple[int, ...], n: int) -> np.ndarray:
    """Whether `wall` lies within 1..n voxel steps of `step` from each voxel, bool (log2(n) shifts)."""
    acc = _shifted(wall, step, 1)
    span = 1
    while span < n:
        k = min(span, n - span)
        acc |= _shifted(acc, step, k)
        span += k
    return acc


def enclosing_lines(wall: np.ndarray, reach_mm: float, spacing_mm: float) -> np.ndarray:
    """Number of the 13 lines of the 26-neighbourhood (uint8) along which `wall` lies within
    `reach_mm` on both sides of each voxel (isotropic voxels of `spacing_mm`)."""
    count = np.zeros(wall.shape, np.uint8)
    for step in LINES:
        n = max(1, int(reach_mm / (spacing_mm * float(np.linalg.norm(step)))))
        back = tuple(-c for c in step)
        count += wall_within(wall, step, n) & wall_within(wall, back, n)
    return count


def soft_tissue_hu(blurred: np.ndarray, bone: np.ndarray, spacing_mm: float) -> float:
    """Most common HU (5 HU bins, 0-150 HU) of the voxels at least `SOFT_TISSUE_AWAY_MM` from
    bone: the muscle around the bone; 40 HU when there is none."""
    away = ndi.distance_transform_edt(~bone) * spacing_mm >= SOFT_TISSUE_AWAY_MM
    counts, edges = np.histogram(blurred[away], bins=np.arange(0.0, 155.0, 5.0))
    return float(edges[int(np.argmax(counts))] + 2.5) if counts.any() else 40.0


def thin_cortex(hu: np.ndarray, bone: np.ndarray, sigma_vox: float, spacing_mm: float) -> np.ndarray:
    """Thin cortex below the bone threshold, bool: above `THIN_CORTEX_HU` (or
    `SOFT_TISSUE_MARGIN_HU` above the soft tissue, `soft_tissue_hu`) after a Gaussian of
    `sigma_vox` and on a ridge of it (negative Laplacian of the same Gaussian: brighter than its
    surroundings). The blurred halo just outside a bone's surface is above the threshold too but
    lies on the convex tail of the edge (positive Laplacian): taken as a wall, it would enclose the
    partial-volume layer that `wholebone` peels off and add it back."""
    blurred: Reals = ndi.gaussian_filter(hu, sigma_vox)
    level = max(THIN_CORTEX_HU, soft_tissue_hu(blurred, bone, spacing_mm) + SOFT_TISSUE_MARGIN_HU)
    laplacian: Reals = ndi.gaussian_laplace(hu, sigma_vox)
    return (blurred > level) & (laplacian < 0)


def sacral_canal(column: np.ndarray, spine_side: np.ndarray, x_mid: float, spacing_mm: float) -> np.ndarray:
    """The spinal canal running on into the sacrum, bool: voxels enclosed by the column's bone in
    their axial slice, within `CANAL_HALF_WIDTH_MM` of the midline, connected to such voxels of
    the lumbar spine (`spine_side`)."""
    holes = morph.planar_holes(column, 2)
    x = np.arange(column.shape[0], dtype=np.float32)
    holes &= (np.abs(x - x_mid) * spacing_mm < CANAL_HALF_WIDTH_MM)[:, None, None]
    lab, n = ndi.label(holes)
    if n == 0:
        return holes
    top = np.unique(lab[holes & spine_side])
    return np.isin(lab, top[top > 0])


def complete_sacrum(whole: WholeBone, near: np.ndarray, p: SegmentationParams | None = None) -> np.ndarray:
    """Working-grid voxels (bool, `whole.mask.shape`) to add to the sacrum: its marrow and the
    gaps of its cortex that the whole-bone mask left out. See the module docstring.

    near : uint8, the label of the nearest bone at each working voxel (`segment.LABELS`).
    """
    p = p or SegmentationParams()
    added = np.zeros(whole.mask.shape, bool)
    labels = np.where(whole.mask, near, 0).astype(np.uint8)
    sacrum_all = labels == SACRUM
    if not sacrum_all.any():
        return added
    step = p.mask_grid_mm
    sp = np.full(3, step)
    idx = np.argwhere(sacrum_all)
    margin = int(np.ceil(BOX_MARGIN_MM / step))
    lo = np.maximum(idx.min(axis=0) - margin, 0)
    hi = np.minimum(idx.max(axis=0) + margin + 1, sacrum_all.shape)
    # the canal is continued from the lumbar spine just above the sacrum (axis 2 is superior)
    hi[2] = min(int(idx[:, 2].max()) + int(np.ceil(CANAL_ABOVE_MM / step)) + 1, sacrum_all.shape[2])
    box = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
    lab = labels[box]
    nr = near[box]
    sacrum = lab == SACRUM
    left, right = lab == HIP_LEFT, lab == HIP_RIGHT
    # lateral to a hip bone: a hip voxel lies between it and the midline along the left-right axis
    # (axis 0 of the canonical grid points to the patient's right)
    lateral = np.flip(np.logical_or.accumulate(np.flip(left, 0), 0), 0) | np.logical_or.accumulate(right, 0)
    free = (lab == 0) & ~lateral & ~np.isin(nr, (SPINE, FEMUR_LEFT, FEMUR_RIGHT))
    hu = whole.hu[box]
    wall = sacrum | left | right | (free & thin_cortex(hu, lab > 0, WALL_BLUR_MM / step, step))
    # the count averaged over the free voxels only: the bone's own count (13) must not spill out
    weight = free.astype(np.float32)
    lines = enclosing_lines(wall, REACH_MM, step).astype(np.float32) * weight
    sigma = LINES_BLUR_MM / step
    mean_lines = ndi.gaussian_filter(lines, sigma) / np.maximum(ndi.gaussian_filter(weight, sigma), 1e-3)
    inside = free & (mean_lines >= MIN_LINES)
    del lines, weight, mean_lines
    fat = morph.open_mm(ndi.gaussian_filter(hu, FAT_BLUR_MM / step) < FAT_HU, FAT_OPENING_MM, sp)
    x_mid = float(np.argwhere(sacrum)[:, 0].mean())
    canal = sacral_canal(sacrum | (lab == SPINE) | wall, nr == SPINE, x_mid, step) & (nr != SPINE)
    keep = free & ~fat & ~canal
    marrow = inside & keep
    comp, n = ndi.label(marrow | sacrum)
    if n == 0:
        return added
    touching = np.unique(comp[sacrum])
    marrow &= np.isin(comp, touching[touching > 0])
    if not marrow.any():
        return added
    filled = ndi.binary_fill_holes(marrow | sacrum)
    # cortical gaps next to the marrow found are closed; the rest of the surface is left as it is
    near_marrow = morph.dilate_mm(filled & ~sacrum, CLOSING_MM, sp)
    added[box] = (filled | (morph.close_mm(filled, CLOSING_MM, sp) & near_marrow)) & keep
    return added
