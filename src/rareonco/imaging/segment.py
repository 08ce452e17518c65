"""Bone segmentation of the pelvis from CT: left and right hip bone, sacrum (+ spine, femora).

Label map of `segmentation.nii.gz` (`LABELS`):
0 background, 1 left hip bone, 2 right hip bone, 3 sacrum (with coccyx), 4 vertebral column above
the sacrum (lumbar, and lower thoracic where in the field of view), 5 left femur, 6 right femur.
"Left" is the patient's left: negative x in RAS.

Method (no atlas, nothing downloaded; every size in mm):

1-3. The whole-bone mask, cortex and marrow, with metal excluded (`wholebone`): thresholds,
   closing, cavity filling and the partial-volume peel run on an isotropic 1.5 mm grid anchored in
   patient coordinates (`workgrid`), whatever the scanner's spacing or storage order, so the same
   patient gives the same mask (and volumes) on 1 mm, 3 mm or 2.5 x 2 x 3.5 mm voxels.
4. Labelling on a 3 mm grid (2 x 2 x 2 blocks of the working grid), in named steps
   (`_label_bones`): a first symmetry plane of all bone gives the patient's left-right axis
   (`_bone_frame`); eroded bone cores (erosion radius raised until the largest core on each side
   no longer crosses the midline) seed the hip bones (`_hip_seeds`), midline posterior bone seeds
   the vertebral column (`_column_markers`), the femoral head (a sphere fitted to its surface,
   `acetabulum`, started from the thickest ball of bone lateral to the hip; a femoral neck must
   run below it) seeds each femur (`_femoral_heads`, `_agree_heads`, `_femur_markers`); a
   watershed on inverted HU then draws the borders along the joint spaces (sacroiliac, hip,
   pubic symphysis), which are darker than the cortex on either side. Anatomical limits then
   correct the floods (`_correct_floods`): a hip bone never crosses the midline, a femur is its
   head and what lies below and lateral to it. The acetabular centre is then refined by a sphere
   fitted to each hip bone's cup (`acetabulum.fit_acetabular_cup`), mirrored from the other side
   where a cup cannot be trusted (metal, a deformed joint). The column is split into sacrum and
   spine at the L5/S1 disc found in the image (`column`, `_split_sacrum_from_spine`); where no
   disc is seen, 10 mm above the top of the sacroiliac contact; where no vertebra lies above the
   sacrum, not at all.
5. The sacrum is completed (`sacrum`): its marrow behind a thin, gappy cortex (fatty, as dense
   as muscle in older patients, with foramina everywhere) is whatever lies between the sacrum's
   and the hip bones' walls along most lines through it, less fat, the sacral canal and other
   bones, so the sacrum too is the whole bone and not its cortical shell.
6. The labels are carried to the working grid by nearest label, then to the CT voxel centres by
   nearest neighbour; the voxel layers on either side of the bone's surface take bone where the
   CT voxel's own HU reaches the surface's half-maximum HU (`wholebone.half_maximum`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage as ndi

from . import morphology as morph
from .acetabulum import CupFit, fit_acetabular_cup, fit_femoral_head
from .arrays import Float32s, Floats, Labels32, Mask
from .column import Disc, find_lumbosacral_disc, has_vertebra_above, split_at_disc
from .label_map import (
    FEMUR_LEFT,
    FEMUR_RIGHT,
    HIP_LEFT,
    HIP_RIGHT,
    LABELS,
    SACRUM,
    SPINE,
)
from .sacrum import complete_sacrum
from .symmetry import Plane, anatomical_frame, fit_symmetry_plane
from .volume import Volume
from .wholebone import SegmentationParams, WholeBone, bone_mask, labels_on_ct
from .workgrid import block_affine

# adult femoral heads measure about 42-50 mm across
FEMORAL_HEAD_RADIUS_MM = 25.0
# the L5/S1 disc lies about at the top of the sacroiliac joints (the auricular surface spans S1-S3)
SACRUM_ABOVE_SI_MM = 10.0
# mean HU drop across a femoral head's surface below which the sphere fit is not trusted
MIN_HEAD_EDGE_HU = 150.0


@dataclass(frozen=True, eq=False)
class PelvisSegmentation:
    """Result of `segment_pelvis`.

    labels : uint8 Volume on the CT grid (see `LABELS`).
    volumes_ml : volume of each non-background label, ml.
    metal_ml : volume of voxels above the metal threshold, ml.
    acetabulum_mm : {"left"/"right": centre of the femoral head / acetabulum, RAS mm} where found.
    head_radius_mm : {"left"/"right": radius of the fitted femoral head, mm}, only where the head's
        surface was fitted (`acetabulum.fit_femoral_head`).
    cup_radius_mm : {"left"/"right": radius of the sphere fitted to the acetabular cup, mm}, where
        the cup fit (or the other side's, mirrored) gave the centre; a centre with neither radius
        is the thickest bone of the hip joint, a cruder estimate.
    approx_plane : the first symmetry plane (all bone), used to start the pelvic one.
    """

    labels: Volume
    volumes_ml: dict[str, float]
    metal_ml: float
    acetabulum_mm: dict[str, np.ndarray] = field(default_factory=dict)
    approx_plane: Plane | None = None
    head_radius_mm: dict[str, float] = field(default_factory=dict)
    cup_radius_mm: dict[str, float] = field(default_factory=dict)


def segment_pelvis(ct: Volume, params: SegmentationParams | None = None) -> PelvisSegmentation:
    """Label the pelvic bones of a canonical CT volume (HU). See the module docstring."""
    p = params or SegmentationParams()
    ct = ct.canonical()
    whole, metal = bone_mask(ct, p)
    labels = np.zeros(ct.shape, np.uint8)
    bones = BoneLabels(np.zeros((0, 0, 0), np.uint8))
    if whole is not None:
        # the anatomical rules run on blocks of the working grid, exactly `work_grid_mm`
        f = round(p.work_grid_mm / p.mask_grid_mm)
        factors = (f, f, f)
        grid_c = Volume(morph.block_mean(whole.mask, factors) >= 0.5, block_affine(whole.grid, f))
        hu_c = morph.block_mean(whole.hu, factors)
        bones = _label_bones(grid_c, hu_c, p)
        lab_c = bones.labels
        if lab_c.any():
            # nearest label over the whole coarse grid, carried to the working grid and from there
            # to the CT voxel centres (`wholebone.labels_on_ct`)
            _, idx = ndi.distance_transform_edt(lab_c == 0, sampling=grid_c.spacing_mm, return_indices=True)
            near = lab_c[idx[0], idx[1], idx[2]]
            del idx
            near_w = morph.upsample_nearest(near, factors, whole.mask.shape)
            del near
            whole, near_w = _with_whole_sacrum(whole, near_w, p)
            sl = tuple(slice(a, b) for a, b in zip(whole.lo, whole.hi, strict=True))
            labels[sl] = labels_on_ct(whole, near_w, ct.array[sl])
            labels[metal] = 0
    vox_ml = ct.voxel_volume_ml
    counts = np.bincount(labels.ravel(), minlength=len(LABELS))
    volumes = {LABELS[k]: round(float(counts[k]) * vox_ml, 2) for k in range(1, len(LABELS))}
    return PelvisSegmentation(
        labels=ct.with_array(labels),
        volumes_ml=volumes,
        metal_ml=round(float(metal.sum()) * vox_ml, 2),
        acetabulum_mm=bones.acetabulum_mm,
        approx_plane=bones.plane,
        head_radius_mm=bones.head_radius_mm,
        cup_radius_mm=bones.cup_radius_mm,
    )


def _with_whole_sacrum(
    whole: WholeBone, near: np.ndarray, p: SegmentationParams
) -> tuple[WholeBone, np.ndarray]:
    """The whole-bone mask with the sacrum's marrow added (`sacrum.complete_sacrum`) and the
    nearest labels with those voxels set to the sacrum. The added voxels and their neighbours
    leave the surface band (`WholeBone.band`): the old inner surface of the sacral cortex is no
    longer a surface, and the new surface runs through marrow, whose HU says nothing about it."""
    added = complete_sacrum(whole, near, p)
    if not added.any():
        return whole, near
    near = near.copy()
    near[added] = SACRUM
    band = None if whole.band is None else whole.band & ~ndi.binary_dilation(added)
    return replace(whole, mask=whole.mask | added, band=band), near


def surface_points(mask: np.ndarray, grid: Volume) -> np.ndarray:
    """RAS mm coordinates of the boundary voxels of a mask."""
    edge = mask & ~ndi.binary_erosion(mask)
    return grid.index_to_ras(np.argwhere(edge))


@dataclass(frozen=True)
class _Frame:
    """The bone of the labelling grid in the patient's own frame: the first symmetry plane (all
    bone), its anatomical frame (rows u, a, s), each voxel's (u, a, s) in mm (float32, shape
    (I, J, K, 3); u = signed distance from the plane, + toward the patient's right) and each bone
    voxel's distance to the background, mm."""

    plane: Plane
    frame: Floats
    coords: Float32s
    dist: Floats

    @property
    def u(self) -> Float32s:
        return self.coords[..., 0]

    @property
    def a(self) -> Float32s:
        return self.coords[..., 1]

    @property
    def s(self) -> Float32s:
        return self.coords[..., 2]


@dataclass(frozen=True)
class _Head:
    """A femoral head candidate, in the frame's (u, a, s) mm: centre, radius (mm), quality
    (1 when the head's surface was fitted, else 0; then the fit's edge HU or the bone's
    thickness) and whether a femoral neck runs below it."""

    centre: Floats
    radius_mm: float
    quality: tuple[float, float]
    has_neck: bool


@dataclass(frozen=True)
class BoneLabels:
    """Result of the anatomical labelling on the labelling grid (`_label_bones`).

    labels : uint8, `LABELS` on the labelling grid.
    plane : the first symmetry plane (all bone), None when there is too little bone.
    acetabulum_mm, head_radius_mm, cup_radius_mm : per side ("left"/"right"), as in
        `PelvisSegmentation`.
    disc : the L5/S1 disc found, if any.
    """

    labels: NDArray[np.uint8]
    plane: Plane | None = None
    acetabulum_mm: dict[str, Floats] = field(default_factory=dict)
    head_radius_mm: dict[str, float] = field(default_factory=dict)
    cup_radius_mm: dict[str, float] = field(default_factory=dict)
    disc: Disc | None = None


def _label_bones(grid: Volume, hu: Float32s, p: SegmentationParams) -> BoneLabels:
    """Anatomical labelling on the labelling grid (step 4 of the module docstring): the patient's
    frame, hip seeds, femoral heads, column seeds, a watershed on inverted HU, the anatomical
    corrections, the cups and the sacrum/spine border."""
    bone: Mask = grid.array
    out = np.zeros(bone.shape, np.uint8)
    f = _bone_frame(grid)
    if f is None:
        return BoneLabels(out)
    hip_seed = _hip_seeds(f, grid.voxel_volume_ml, p)
    if len(hip_seed) < 2:
        return BoneLabels(out, plane=f.plane)
    # kept as NumPy scalars: float64 and float32 (comparisons with float32 arrays promote by them)
    hip_a = np.float64(np.mean([f.a[m].mean() for m in hip_seed.values()]))
    hip_top = np.float32(max(f.s[m].max() for m in hip_seed.values()))
    heads = _agree_heads(_femoral_heads(f, bone, hu, grid, hip_seed))
    acetabulum: dict[str, Floats] = {}
    head_radius: dict[str, float] = {}
    for side, head in heads.items():
        name = "left" if side == HIP_LEFT else "right"
        acetabulum[name] = f.plane.point_mm + head.centre @ f.frame
        if head.quality[0] > 0:
            head_radius[name] = round(head.radius_mm, 1)
    markers = np.zeros(bone.shape, np.int32)
    femur_allowed = _femur_markers(f, bone, heads, hip_seed, markers)
    for side, m in hip_seed.items():
        markers[m & (markers == 0)] = side
    _column_markers(f, bone, hip_a, hip_top, markers)
    elevation: Float32s = -ndi.gaussian_filter(hu.astype(np.float32), 0.7)
    regions = _flood(elevation, markers, bone)
    _correct_floods(f, regions, femur_allowed)
    cup_radius = _fit_cups(regions, grid, f.plane, f.frame, acetabulum)
    disc = _split_sacrum_from_spine(f, regions, grid, hu, elevation, hip_a, hip_top)
    out[:] = regions.astype(np.uint8)
    return BoneLabels(out, f.plane, acetabulum, head_radius, cup_radius, disc)


def _bone_frame(grid: Volume) -> _Frame | None:
    """The patient's frame from a first symmetry plane of all bone; None with too little bone."""
    bone: Mask = grid.array
    pts = surface_points(bone, grid)
    if len(pts) < 50:
        return None
    init = Plane(np.median(pts, axis=0), np.array([1.0, 0.0, 0.0]))
    plane = fit_symmetry_plane(pts, init, trim=0.7, max_points=4000)
    frame = anatomical_frame(plane)
    ijk = np.indices(bone.shape, dtype=np.float32).reshape(3, -1).T
    ras = grid.index_to_ras(ijk)
    del ijk
    coords = ((ras - plane.point_mm) @ frame.T).reshape(*bone.shape, 3).astype(np.float32)
    del ras
    dist: Floats = ndi.distance_transform_edt(bone, sampling=grid.spacing_mm)
    return _Frame(plane, frame, coords, dist)


def _hip_seeds(f: _Frame, vox_ml: float, p: SegmentationParams) -> dict[int, Mask]:
    """The largest eroded bone core on each side, the erosion raised until the two stand apart
    (neither crossing the midline by more than 3 % of its volume); {} when none is found."""
    u = f.u
    for r in (3.5, 5.0, 6.5, 8.0, 10.0):
        lab, n = ndi.label(f.dist > r)
        if n == 0:
            break
        sizes = np.bincount(lab.ravel()) * vox_ml
        sizes[0] = 0
        cand = {}
        for side, sign in ((HIP_LEFT, -1.0), (HIP_RIGHT, 1.0)):
            on_side = np.bincount(lab[(sign * u > 30.0)].ravel(), minlength=n + 1) * vox_ml
            on_side[0] = 0
            best = int(np.argmax(on_side))
            if on_side[best] >= p.min_hip_ml:
                cand[side] = best
        if len(cand) < 2 or cand[HIP_LEFT] == cand[HIP_RIGHT]:
            continue
        crossing = [
            np.count_nonzero((lab == c) & (np.abs(u) < 15.0)) * vox_ml / sizes[c] for c in cand.values()
        ]
        if max(crossing) > 0.03 and r < 10.0:
            continue
        both = (lab == cand[HIP_LEFT]) | (lab == cand[HIP_RIGHT])
        return {side: both & (sign * u > 15.0) for side, sign in ((HIP_LEFT, -1.0), (HIP_RIGHT, 1.0))}
    return {}


def _femoral_heads(
    f: _Frame, bone: Mask, hu: Float32s, grid: Volume, hip_seed: dict[int, Mask]
) -> dict[int, _Head]:
    """Each side's femoral head: the thickest bone lateral to the midline (below the middle of
    the hip seed), refined by a sphere fitted to the head's surface where its edge is clear."""
    u, s = f.u, f.s
    vox_ml = grid.voxel_volume_ml
    found: dict[int, _Head] = {}
    for side, sign in ((HIP_LEFT, -1.0), (HIP_RIGHT, 1.0)):
        region = bone & (sign * u > 40.0) & (s < np.median(s[hip_seed[side]]))
        if not region.any():
            continue
        d = np.where(region, f.dist, 0)
        k = np.unravel_index(int(np.argmax(d)), d.shape)
        if float(d[k]) < 10.0:
            continue
        has_neck = np.count_nonzero(bone & (s < s[k] - 30.0) & (sign * u > abs(u[k]) - 15.0)) * vox_ml >= 3.0
        # the thickest bone is the head and the cup fused by the closing: it starts the sphere fit
        fit = fit_femoral_head(hu, grid, f.plane.point_mm + f.coords[k].astype(float) @ f.frame)
        if fit.edge_hu >= MIN_HEAD_EDGE_HU:
            centre: Floats = (fit.centre_mm - f.plane.point_mm) @ f.frame.T
            found[side] = _Head(centre, fit.radius_mm, (1.0, fit.edge_hu), bool(has_neck))
        else:  # head surface not resolved (thin joint space, osteoporotic head): thickest bone
            found[side] = _Head(f.coords[k].astype(float), float(d[k]), (0.0, float(d[k])), bool(has_neck))
    return found


def _agree_heads(found: dict[int, _Head]) -> dict[int, _Head]:
    """The two heads must be mirror images (within 15 mm): else the better-defined one wins and
    the other side takes its mirror image (the other may hold a prosthesis). Each side keeps
    its own femoral neck."""
    if len(found) < 2:
        return found
    left, right = found[HIP_LEFT], found[HIP_RIGHT]
    flip = np.array([-1.0, 1.0, 1.0])
    mirrored = right.centre * flip
    if not np.linalg.norm(left.centre - mirrored) > 15.0:
        return found
    if left.quality >= right.quality:
        return {HIP_LEFT: left, HIP_RIGHT: replace(left, centre=left.centre * flip, has_neck=right.has_neck)}
    return {HIP_LEFT: replace(right, centre=mirrored, has_neck=left.has_neck), HIP_RIGHT: right}


def _femur_markers(
    f: _Frame, bone: Mask, heads: dict[int, _Head], hip_seed: dict[int, Mask], markers: Labels32
) -> dict[int, Mask]:
    """Mark each femur (in `markers`) by its head's core and its neck, take the head out of the
    hip seed (in place), and return where each femur may extend: its head and what runs below
    and lateral to it."""
    u, s, coords = f.u, f.s, f.coords
    femur_allowed: dict[int, Mask] = {}
    for side, sign, femur in ((HIP_LEFT, -1.0, FEMUR_LEFT), (HIP_RIGHT, 1.0, FEMUR_RIGHT)):
        head = heads.get(side)
        if head is None or not head.has_neck:
            continue
        cent, radius = head.centre, head.radius_mm
        cu, cs = float(cent[0]), float(cent[2])
        r2 = ((coords - cent.astype(np.float32)) ** 2).sum(axis=-1)
        head_core = bone & (r2 < (0.6 * radius) ** 2)
        neck = bone & (s < cs - 30.0) & (sign * u > abs(cu) - 15.0)
        hip_seed[side] &= r2 > FEMORAL_HEAD_RADIUS_MM**2
        markers[head_core | neck] = femur
        femur_allowed[femur] = (r2 <= (FEMORAL_HEAD_RADIUS_MM + 2.0) ** 2) | (
            (s < cs - 25.0) & (sign * u > abs(cu) - 10.0)
        )
    return femur_allowed


def _column_markers(f: _Frame, bone: Mask, hip_a: np.float64, hip_top: np.float32, markers: Labels32) -> None:
    """Mark the vertebral column (as `SACRUM`, in `markers`): midline bone posterior to the hip
    bones or above them."""
    slab = bone & (np.abs(f.u) < 8.0)
    lab, n = ndi.label(slab)
    if n:
        idx = np.arange(1, n + 1)
        mean_a = ndi.mean(f.a, lab, idx)
        max_s = ndi.maximum(f.s, lab, idx)
        keep = np.zeros(n + 1, bool)
        keep[1:] = (mean_a < hip_a) | (max_s > hip_top + 10.0)
        markers[keep[lab] & (markers == 0)] = SACRUM


def _flood(elevation: Float32s, markers: Labels32, bone: Mask) -> Labels32:
    """Watershed of `elevation` from `markers` within `bone` (scikit-image): int32 labels."""
    from skimage.segmentation import watershed

    flood: Callable[..., Labels32] = watershed  # scikit-image ships no annotations
    return flood(elevation, markers, mask=bone)


def _correct_floods(f: _Frame, regions: Labels32, femur_allowed: dict[int, Mask]) -> None:
    """Anatomical limits on the watershed's floods (in place): a femur is its head and what runs
    below and lateral to it (a flood across a bridged hip joint goes back to the hip bone), and
    a hip bone never crosses the midline (the pubic symphysis is split by the symmetry plane)."""
    for femur, hip in ((FEMUR_LEFT, HIP_LEFT), (FEMUR_RIGHT, HIP_RIGHT)):
        if femur in femur_allowed:
            regions[(regions == femur) & ~femur_allowed[femur]] = hip
    u = f.u
    regions[(regions == HIP_RIGHT) & (u < 0.0)] = HIP_LEFT
    regions[(regions == HIP_LEFT) & (u > 0.0)] = HIP_RIGHT


def _split_sacrum_from_spine(
    f: _Frame,
    regions: Labels32,
    grid: Volume,
    hu: Float32s,
    elevation: Float32s,
    hip_a: np.float64,
    hip_top: np.float32,
) -> Disc | None:
    """Sacrum versus the spine above (in place): the L5/S1 disc found in the image (see
    `column`); without a visible disc, `SACRUM_ABOVE_SI_MM` above the top of the sacroiliac
    contact; no split without a vertebra above. Ribs reached through the costovertebral joints
    are not spine. Returns the disc found, if any."""
    sp = grid.spacing_mm
    a, s = f.a, f.s
    column = regions == SACRUM
    hips = (regions == HIP_LEFT) | (regions == HIP_RIGHT)
    near_hips = morph.dilate_mm(hips, 1.5 * float(sp.max()), sp)
    contact = column & near_hips & (a < hip_a)
    si_top = float(np.percentile(s[contact], 95)) if np.count_nonzero(contact) >= 3 else hip_top - 30.0
    column_coords = f.coords[column]
    disc = None
    if has_vertebra_above(column_coords, si_top, grid.voxel_volume_ml):
        disc = find_lumbosacral_disc(hu, grid, f.plane, f.frame, column_coords, si_top)
        if disc is not None:
            regions[split_at_disc(column, f.coords, disc, elevation)] = SPINE
        else:
            regions[column & (s > si_top + SACRUM_ABOVE_SI_MM)] = SPINE
    regions[(regions == SPINE) & (np.abs(f.u) > 50.0)] = 0
    return disc


def _fit_cups(
    regions: np.ndarray, grid: Volume, plane: Plane, frame: np.ndarray, acetabulum: dict[str, np.ndarray]
) -> dict[str, float]:
    """Refine the acetabular centres (in place) by a sphere fitted to each hip bone's cup.

    Starts from the femoral-head centres found before (fitted head or thickest bone). A side
    whose cup fit is not trusted (metal, a deformed or resected cup) takes the other side's cup
    mirrored across the symmetry plane; when both are trusted but are not mirror images within
    15 mm, the better fit (smaller residual per coverage) wins. Returns the cup radius per side, mm.
    """
    fits: dict[str, CupFit] = {}
    for name, label in (("left", HIP_LEFT), ("right", HIP_RIGHT)):
        if name in acetabulum:
            fit = fit_acetabular_cup(regions == label, grid, acetabulum[name])
            if fit is not None and fit.trusted:
                fits[name] = fit
    if len(fits) == 2:
        mirrored = plane.reflect(fits["right"].centre_mm)
        if np.linalg.norm(fits["left"].centre_mm - mirrored) > 15.0:
            worse = max(fits, key=lambda n: fits[n].rms_mm / fits[n].coverage)
            del fits[worse]
    radius: dict[str, float] = {}
    for name, other in (("left", "right"), ("right", "left")):
        if name in fits:
            acetabulum[name] = fits[name].centre_mm
            radius[name] = round(fits[name].radius_mm, 1)
        elif other in fits:
            acetabulum[name] = plane.reflect(fits[other].centre_mm)
            radius[name] = round(fits[other].radius_mm, 1)
    return radius
