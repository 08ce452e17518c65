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
4. Labelling on a 3 mm grid (2 x 2 x 2 blocks of the working grid): a first symmetry plane of all bone gives the patient's left-right
   axis; eroded bone cores (erosion radius raised until the largest core on each side no longer
   crosses the midline) seed the hip bones, midline posterior bone seeds the vertebral column, the
   femoral head (a sphere fitted to its surface, `acetabulum`, started from the thickest ball of
   bone lateral to the hip; a femoral neck must run below it) seeds each femur; a watershed on inverted HU then draws the borders along the joint spaces
   (sacroiliac, hip, pubic symphysis), which are darker than the cortex on either side. Anatomical
   limits then correct the floods: a hip bone never crosses the midline, a femur is its head and
   what lies below and lateral to it. The acetabular centre is then refined by a sphere fitted to
   each hip bone's cup (`acetabulum.fit_acetabular_cup`), mirrored from the other side where a
   cup cannot be trusted (metal, a deformed joint). The column is split into sacrum and spine at the L5/S1 disc
   found in the image (`column`); where no disc is seen, 10 mm above the top of the sacroiliac
   contact; where no vertebra lies above the sacrum, not at all.
5. The sacrum is completed (`sacrum`): its marrow behind a thin, gappy cortex (fatty, as dense
   as muscle in older patients, with foramina everywhere) is whatever lies between the sacrum's
   and the hip bones' walls along most lines through it, less fat, the sacral canal and other
   bones, so the sacrum too is the whole bone and not its cortical shell.
6. The labels are carried to the working grid by nearest label, then to the CT voxel centres by
   nearest neighbour; the voxel layers on either side of the bone's surface take bone where the
   CT voxel's own HU reaches the surface's half-maximum HU (`wholebone.half_maximum`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy import ndimage as ndi

from . import morphology as morph
from .acetabulum import CupFit, fit_acetabular_cup, fit_femoral_head
from .column import find_lumbosacral_disc, has_vertebra_above, split_at_disc
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
    result_extra: dict[str, object] = {}
    if whole is not None:
        # the anatomical rules run on blocks of the working grid, exactly `work_grid_mm`
        f = round(p.work_grid_mm / p.mask_grid_mm)
        factors = (f, f, f)
        grid_c = Volume(morph.block_mean(whole.mask, factors) >= 0.5, block_affine(whole.grid, f))
        hu_c = morph.block_mean(whole.hu, factors)
        lab_c, result_extra = _label_bones(grid_c, hu_c, p)
        if lab_c.any():
            # nearest label over the whole coarse grid, carried to the working grid and from there
            # to the CT voxel centres (`wholebone.labels_on_ct`)
            _, idx = ndi.distance_transform_edt(lab_c == 0, sampling=grid_c.spacing_mm, return_indices=True)
            near = lab_c[idx[0], idx[1], idx[2]]
            del idx
            near_w = morph.upsample_nearest(near, factors, whole.mask.shape)
            del near
            whole, near_w = _with_whole_sacrum(whole, near_w, p)
            sl = tuple(slice(a, b) for a, b in zip(whole.lo, whole.hi))
            labels[sl] = labels_on_ct(whole, near_w, ct.array[sl])
            labels[metal] = 0
    vox_ml = ct.voxel_volume_ml
    counts = np.bincount(labels.ravel(), minlength=len(LABELS))
    volumes = {LABELS[k]: round(float(counts[k]) * vox_ml, 2) for k in range(1, len(LABELS))}
    return PelvisSegmentation(
        labels=ct.with_array(labels),
        volumes_ml=volumes,
        metal_ml=round(float(metal.sum()) * vox_ml, 2),
        acetabulum_mm=result_extra.get("acetabulum", {}),  # type: ignore[arg-type]
        approx_plane=result_extra.get("plane"),  # type: ignore[arg-type]
        head_radius_mm=result_extra.get("head_radius", {}),  # type: ignore[arg-type]
        cup_radius_mm=result_extra.get("cup_radius", {}),  # type: ignore[arg-type]
    )


def _with_whole_sacrum(whole: WholeBone, near: np.ndarray, p: SegmentationParams) -> tuple[WholeBone, np.ndarray]:
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


def _label_bones(grid: Volume, hu: np.ndarray, p: SegmentationParams) -> tuple[np.ndarray, dict[str, object]]:
    """Anatomical labelling on the working grid; returns labels and {plane, acetabulum}."""
    from skimage.segmentation import watershed

    bone = grid.array
    sp = grid.spacing_mm
    vox_ml = grid.voxel_volume_ml
    out = np.zeros(bone.shape, np.uint8)
    pts = surface_points(bone, grid)
    if len(pts) < 50:
        return out, {}
    init = Plane(np.median(pts, axis=0), np.array([1.0, 0.0, 0.0]))
    plane = fit_symmetry_plane(pts, init, trim=0.7, max_points=4000)
    frame = anatomical_frame(plane)
    ijk = np.indices(bone.shape, dtype=np.float32).reshape(3, -1).T
    ras = grid.index_to_ras(ijk)
    del ijk
    coords = ((ras - plane.point_mm) @ frame.T).reshape(*bone.shape, 3).astype(np.float32)
    del ras
    u, a, s = coords[..., 0], coords[..., 1], coords[..., 2]
    dist = ndi.distance_transform_edt(bone, sampling=sp)

    # hip seeds: the largest eroded core on each side, raising the erosion until they stand apart
    hip_seed: dict[int, np.ndarray] = {}
    for r in (3.5, 5.0, 6.5, 8.0, 10.0):
        lab, n = ndi.label(dist > r)
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
        for side, sign in ((HIP_LEFT, -1.0), (HIP_RIGHT, 1.0)):
            hip_seed[side] = both & (sign * u > 15.0)
        break
    if len(hip_seed) < 2:
        return out, {"plane": plane}

    markers = np.zeros(bone.shape, np.int32)
    hip_a = np.mean([a[m].mean() for m in hip_seed.values()])
    hip_top = max(s[m].max() for m in hip_seed.values())

    # femoral heads: thickest bone lateral to the midline with a femoral neck running below;
    # the two must be mirror images, else the thicker one (the other may hold a prosthesis) wins
    found: dict[int, tuple[np.ndarray, float, bool]] = {}
    for side, sign in ((HIP_LEFT, -1.0), (HIP_RIGHT, 1.0)):
        region = bone & (sign * u > 40.0) & (s < np.median(s[hip_seed[side]]))
        if not region.any():
            continue
        d = np.where(region, dist, 0)
        k = np.unravel_index(int(np.argmax(d)), d.shape)
        if float(d[k]) < 10.0:
            continue
        has_neck = np.count_nonzero(bone & (s < s[k] - 30.0) & (sign * u > abs(u[k]) - 15.0)) * vox_ml >= 3.0
        # the thickest bone is the head and the cup fused by the closing: it starts the sphere fit
        fit = fit_femoral_head(hu, grid, plane.point_mm + coords[k].astype(float) @ frame)
        if fit.edge_hu >= MIN_HEAD_EDGE_HU:
            centre = (fit.centre_mm - plane.point_mm) @ frame.T
            found[side] = (centre, fit.radius_mm, (1.0, fit.edge_hu), bool(has_neck))
        else:  # head surface not resolved (thin joint space, osteoporotic head): thickest bone
            found[side] = (coords[k].astype(float), float(d[k]), (0.0, float(d[k])), bool(has_neck))
    if len(found) == 2:
        (cl, rl, ql, nl), (cr, rr, qr, nr) = found[HIP_LEFT], found[HIP_RIGHT]
        mirrored = cr * np.array([-1.0, 1.0, 1.0])
        if np.linalg.norm(cl - mirrored) > 15.0:  # not mirror images: trust the better-defined head
            if ql >= qr:
                found[HIP_RIGHT] = (cl * np.array([-1.0, 1.0, 1.0]), rl, ql, nr)
            else:
                found[HIP_LEFT] = (mirrored, rr, qr, nl)
    acetabulum: dict[str, np.ndarray] = {}
    head_radius: dict[str, float] = {}
    heads: dict[int, tuple[np.ndarray, float]] = {}
    for side, (c, radius, quality, has_neck) in found.items():
        name = "left" if side == HIP_LEFT else "right"
        acetabulum[name] = plane.point_mm + c @ frame
        if quality[0] > 0:
            head_radius[name] = round(radius, 1)
        if has_neck:
            heads[side] = (c, radius)
    femur_allowed: dict[int, np.ndarray] = {}
    for side, sign, femur in ((HIP_LEFT, -1.0, FEMUR_LEFT), (HIP_RIGHT, 1.0, FEMUR_RIGHT)):
        if side not in heads:
            continue
        cent, radius = heads[side]
        cu, cs = float(cent[0]), float(cent[2])
        r2 = ((coords - cent.astype(np.float32)) ** 2).sum(axis=-1)
        head_core = bone & (r2 < (0.6 * radius) ** 2)
        neck = bone & (s < cs - 30.0) & (sign * u > abs(cu) - 15.0)
        hip_seed[side] &= r2 > FEMORAL_HEAD_RADIUS_MM**2
        markers[head_core | neck] = femur
        femur_allowed[femur] = (r2 <= (FEMORAL_HEAD_RADIUS_MM + 2.0) ** 2) | (
            (s < cs - 25.0) & (sign * u > abs(cu) - 10.0)
        )
    for side, m in hip_seed.items():
        markers[m & (markers == 0)] = side

    # vertebral column seeds: midline bone, posterior to the hip bones or above them
    slab = bone & (np.abs(u) < 8.0)
    lab, n = ndi.label(slab)
    if n:
        idx = np.arange(1, n + 1)
        mean_a = ndi.mean(a, lab, idx)
        max_s = ndi.maximum(s, lab, idx)
        keep = np.zeros(n + 1, bool)
        keep[1:] = (mean_a < hip_a) | (max_s > hip_top + 10.0)
        markers[keep[lab] & (markers == 0)] = SACRUM
    elevation = -ndi.gaussian_filter(hu.astype(np.float32), 0.7)
    regions = watershed(elevation, markers, mask=bone)

    # a femur is its head (in the acetabulum) and what runs below and lateral to it; a flood that
    # crossed a bridged hip joint into the acetabulum or the ilium goes back to the hip bone
    for femur, hip in ((FEMUR_LEFT, HIP_LEFT), (FEMUR_RIGHT, HIP_RIGHT)):
        if femur in femur_allowed:
            regions[(regions == femur) & ~femur_allowed[femur]] = hip
    # a hip bone never crosses the midline: the pubic symphysis is split by the symmetry plane
    regions[(regions == HIP_RIGHT) & (u < 0.0)] = HIP_LEFT
    regions[(regions == HIP_LEFT) & (u > 0.0)] = HIP_RIGHT
    cup_radius = _fit_cups(regions, grid, plane, frame, acetabulum)

    # sacrum versus the spine above: the L5/S1 disc found in the image (see `column`); without a
    # visible disc, the border falls back to 10 mm above the top of the sacroiliac contact
    column = regions == SACRUM
    hips = (regions == HIP_LEFT) | (regions == HIP_RIGHT)
    near_hips = morph.dilate_mm(hips, 1.5 * float(sp.max()), sp)
    contact = column & near_hips & (a < hip_a)
    si_top = float(np.percentile(s[contact], 95)) if np.count_nonzero(contact) >= 3 else hip_top - 30.0
    column_coords = coords[column]
    disc = None
    if has_vertebra_above(column_coords, si_top, vox_ml):
        disc = find_lumbosacral_disc(hu, grid, plane, frame, column_coords, si_top)
        if disc is not None:
            regions[split_at_disc(column, coords, disc, elevation)] = SPINE
        else:
            regions[column & (s > si_top + SACRUM_ABOVE_SI_MM)] = SPINE
    # ribs reached through the costovertebral joints are not spine
    regions[(regions == SPINE) & (np.abs(u) > 50.0)] = 0
    out[:] = regions.astype(np.uint8)
    return out, {"plane": plane, "acetabulum": acetabulum, "head_radius": head_radius, "cup_radius": cup_radius,
                 "disc": disc}


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
