"""Resection planning: tumour + margin within bone, cutting planes, side safety, Enneking-Dunham zones.

Zones after Enneking WF, Dunham WK. Resection of the pelvis. J Bone Joint Surg Am 1978;60(6):731-746
(classification of pelvic resections: I ilium, II periacetabular, III obturator ring (pubis and
ischium), IV sacrum with the sacroiliac joint, added by later authors for extension into the sacral
ala). Here, in the anatomical frame of the symmetry plane and around the centre of the acetabulum
(the sphere fitted to the acetabular cup of the hip-bone label, `acetabulum.fit_acetabular_cup`,
else to the femoral head, `acetabulum.fit_femoral_head`; a side with metal or an untrusted fit
takes the other side's centre mirrored across the symmetry plane):

* II: hip bone within the fitted femoral head's radius + `ACETABULAR_WALL_MM` of the centre, i.e.
  the cup, its walls and roof (where the head's own edge could not be fitted, within
  `PERIACETABULAR_RADIUS_MM` of the centre);
* IV: resected sacrum, and hip bone within `SI_JOINT_MM` of the sacrum (the iliac side of the
  sacroiliac joint);
* I: the rest of the hip bone above the acetabular centre (the ilium); III: the rest below it
  (pubis and ischium).

A zone counts when at least `MIN_ZONE_ML` of it is resected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from rareonco.errors import InvalidInput

from .arrays import Floats, Ints, Mask
from .label_map import HIP_LEFT, HIP_RIGHT, SACRUM, Side
from .symmetry import Plane, anatomical_frame
from .volume import Volume, bounding_box

PERIACETABULAR_RADIUS_MM = 22.0
# the acetabular wall and subchondral roof around the head, about 8-12 mm thick on CT
ACETABULAR_WALL_MM = 10.0
SI_JOINT_MM = 10.0
MIN_ZONE_ML = 2.0


@dataclass(frozen=True)
class CutPlane:
    """A surgeon's osteotomy plane. The normal points toward the part that is removed."""

    point_mm: np.ndarray
    normal: np.ndarray

    def __post_init__(self) -> None:
        n = np.asarray(self.normal, float)
        if np.linalg.norm(n) < 1e-9:
            raise InvalidInput("cut", "the normal of a cutting plane must not be zero")
        object.__setattr__(self, "normal", n / np.linalg.norm(n))
        object.__setattr__(self, "point_mm", np.asarray(self.point_mm, float))


@dataclass(frozen=True, eq=False)
class Resection:
    """Result of `plan_resection`; masks are bool arrays on the CT grid."""

    mask: np.ndarray
    envelope: np.ndarray
    tumour: np.ndarray
    zones: list[str]
    zone_volumes_ml: dict[str, float]
    resected_bone_ml: float
    min_margin_mm: float | None
    tumour_side: Side
    tumour_offset_mm: float
    warnings: list[str]


def tumour_side(tumour: np.ndarray, grid: Volume, plane: Plane, side: Side) -> tuple[Side, float]:
    """Check that the tumour lies wholly on `side` of the symmetry plane.

    Returns (side, centroid offset from the plane in mm, + toward the patient's right).
    Raises InvalidInput(field="side") naming both sides when it lies on the other side or
    straddles the midline: a mirrored plan is a wrong-side operation.
    """
    idx = np.argwhere(tumour)
    if len(idx) == 0:
        raise InvalidInput("tumour", "the tumour is empty on the CT grid (outside the field of view?)")
    d = plane.signed_distance_mm(grid.index_to_ras(idx))
    centroid = float(d.mean())
    found: Side = "right" if centroid > 0 else "left"
    if d.min() < 0 < d.max():
        raise InvalidInput(
            "side",
            f"tumour straddles the midline (from {d.min():+.0f} to {d.max():+.0f} mm across the symmetry "
            f"plane, centroid {centroid:+.0f} mm, + = patient's RIGHT): it lies on both the patient's LEFT "
            f"and RIGHT, so a mirror-image plan for --side {side} is refused",
        )
    if found != side:
        raise InvalidInput(
            "side",
            f"tumour lies on the patient's {found.upper()} (centroid x={centroid:+.0f} mm from the symmetry "
            f"plane) but --side {side} was given; the patient's {side.upper()} is "
            f"{'negative' if side == 'left' else 'positive'} x in RAS. Refusing to plan the wrong side",
        )
    return found, centroid


@dataclass(frozen=True)
class _Envelope:
    """The tumour grown by the margin and bounded by the cuts, inside the index box `sl` (which
    starts at CT index `lo`): the tumour's distance map there (mm) and the envelope (bool)."""

    sl: tuple[slice, ...]
    lo: Ints
    dist_tumour_mm: Floats
    envelope: Mask


def plan_resection(
    labels: Volume,
    tumour: Mask,
    plane: Plane,
    side: Side,
    acetabulum_mm: dict[str, Floats],
    margin_mm: float = 20.0,
    cuts: tuple[CutPlane, ...] = (),
    head_radius_mm: dict[str, float] | None = None,
) -> Resection:
    """Resect the pelvic bone (labels 1-3) within `margin_mm` of the tumour, bounded by `cuts`.

    `head_radius_mm` gives the fitted femoral head radius per side (see the module docstring for
    the zones); without it zone II is judged from `PERIACETABULAR_RADIUS_MM`. Steps: the side
    check (`tumour_side`), the envelope (`_envelope`), the resected bone and the margin at the
    cut surface (`_cut_surface_margin`), the Enneking-Dunham zones (`_zone_volumes`).
    """
    if margin_mm < 0:
        raise InvalidInput("margin_mm", "the margin must not be negative")
    found, offset = tumour_side(tumour, labels, plane, side)
    lab = labels.array
    pelvis = (lab == HIP_LEFT) | (lab == HIP_RIGHT) | (lab == SACRUM)
    warnings: list[str] = []
    env = _envelope(labels, tumour, margin_mm, cuts, warnings)
    sl = env.sl
    sub_pelvis = pelvis[sl]
    resected_sub = env.envelope & sub_pelvis
    mask = np.zeros(lab.shape, bool)
    mask[sl] = resected_sub
    envelope = np.zeros(lab.shape, bool)
    envelope[sl] = env.envelope
    min_margin = _cut_surface_margin(env.dist_tumour_mm, resected_sub, sub_pelvis & ~resected_sub)
    if min_margin is None:
        warnings.append("the resection takes the whole bone near the tumour: no cut surface")
    if not resected_sub.any():
        warnings.append("the tumour with its margin touches no pelvic bone")
    zone_ml = _zone_volumes(
        labels, env, resected_sub, mask, plane, side, acetabulum_mm, head_radius_mm or {}, warnings
    )
    vox_ml = labels.voxel_volume_ml
    zones = [z for z in ("I", "II", "III", "IV") if zone_ml[z] >= MIN_ZONE_ML]
    return Resection(
        mask=mask,
        envelope=envelope,
        tumour=tumour,
        zones=zones,
        zone_volumes_ml={k: round(v, 2) for k, v in zone_ml.items()},
        resected_bone_ml=round(float(mask.sum()) * vox_ml, 2),
        min_margin_mm=min_margin,
        tumour_side=found,
        tumour_offset_mm=round(offset, 1),
        warnings=warnings,
    )


def _envelope(
    labels: Volume, tumour: Mask, margin_mm: float, cuts: tuple[CutPlane, ...], warnings: list[str]
) -> _Envelope:
    """Voxels within `margin_mm` of the tumour (exact Euclidean distance, mm) on the kept side of
    every cut, in a box around the tumour; a cut through the tumour adds a warning."""
    spacing = labels.spacing_mm
    pad = np.ceil((margin_mm + 3 * spacing.max()) / spacing).astype(int) + 2
    box = bounding_box(tumour, pad=pad)
    assert box is not None
    lo, hi = box
    sl = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
    dist_tumour: Floats = ndi.distance_transform_edt(~tumour[sl], sampling=spacing)
    envelope_sub = dist_tumour <= margin_mm
    if cuts:
        ijk = np.indices(envelope_sub.shape).reshape(3, -1).T + lo
        ras = labels.index_to_ras(ijk).reshape(*envelope_sub.shape, 3)
        for cut in cuts:
            keep = (ras - cut.point_mm) @ cut.normal >= 0
            if np.any(tumour[sl] & ~keep):
                warnings.append(
                    f"cutting plane at {np.round(cut.point_mm, 1).tolist()} passes through the tumour "
                    "(intralesional margin)"
                )
            envelope_sub &= keep
    return _Envelope(sl, lo, dist_tumour, envelope_sub)


def _cut_surface_margin(dist_tumour_mm: Floats, resected: Mask, remaining: Mask) -> float | None:
    """The least tumour-to-cut distance, mm (0.1 mm): the mean of the least distances on the two
    faces of the cut (resected bone touching remaining bone, and the reverse); None without a
    cut surface."""
    cut_face = resected & ndi.binary_dilation(remaining)
    kept_face = remaining & ndi.binary_dilation(resected)
    if not (cut_face.any() and kept_face.any()):
        return None
    return round(float(0.5 * (dist_tumour_mm[cut_face].min() + dist_tumour_mm[kept_face].min())), 1)


def _zone_volumes(
    labels: Volume,
    env: _Envelope,
    resected_sub: Mask,
    mask: Mask,
    plane: Plane,
    side: Side,
    acetabulum_mm: dict[str, Floats],
    radii: dict[str, float],
    warnings: list[str],
) -> dict[str, float]:
    """Resected bone per Enneking-Dunham zone, ml (see the module docstring): on the hip bone,
    II around the acetabulum (the femoral head's radius plus `ACETABULAR_WALL_MM`, or
    `PERIACETABULAR_RADIUS_MM`), IV within `SI_JOINT_MM` of the sacrum, I above and III below
    the acetabulum otherwise; all resected sacrum is IV."""
    lab = labels.array
    sl, lo = env.sl, env.lo
    vox_ml = labels.voxel_volume_ml
    zone_ml = {"I": 0.0, "II": 0.0, "III": 0.0, "IV": 0.0}
    hip_label = HIP_LEFT if side == "left" else HIP_RIGHT
    hip_resected = resected_sub & ((lab[sl] == HIP_LEFT) | (lab[sl] == HIP_RIGHT))
    sacrum_sub = lab[sl] == SACRUM
    if hip_resected.any():
        idx = np.argwhere(hip_resected)
        pts = labels.index_to_ras(idx + lo)
        centre = acetabulum_mm.get(side)
        radius = radii.get(side)
        other_side = "right" if side == "left" else "left"
        if centre is None and acetabulum_mm.get(other_side) is not None:
            centre = plane.reflect(acetabulum_mm[other_side])
            radius = radii.get(other_side)
        if centre is None:
            warnings.append("acetabulum not found: hip-bone zones judged from the bone's mid-height")
            centre = pts.mean(axis=0)
        peri_mm = radius + ACETABULAR_WALL_MM if radius is not None else PERIACETABULAR_RADIUS_MM
        frame = anatomical_frame(plane)
        rel = pts - centre
        if sacrum_sub.any():
            to_sacrum: Floats = ndi.distance_transform_edt(~sacrum_sub, sampling=labels.spacing_mm)
            near_sacrum = to_sacrum[tuple(idx.T)] <= SI_JOINT_MM
        else:
            near_sacrum = np.zeros(len(idx), bool)
        peri = (np.linalg.norm(rel, axis=1) <= peri_mm) & ~near_sacrum
        sup = rel @ frame[2] > 0
        zone_ml["II"] = float(peri.sum()) * vox_ml
        zone_ml["I"] = float((~peri & ~near_sacrum & sup).sum()) * vox_ml
        zone_ml["III"] = float((~peri & ~near_sacrum & ~sup).sum()) * vox_ml
        zone_ml["IV"] = float(near_sacrum.sum()) * vox_ml
        other_hip = np.count_nonzero(mask & (lab != hip_label) & (lab != SACRUM))
        if other_hip:
            warnings.append("the resection reaches the contralateral hip bone")
    zone_ml["IV"] += float(np.count_nonzero(mask & (lab == SACRUM))) * vox_ml
    return zone_ml


def box_mask(grid: Volume, box_mm: tuple[float, float, float, float, float, float]) -> np.ndarray:
    """Voxels of `grid` whose centres lie in the RAS box (x0, y0, z0, x1, y1, z1), mm."""
    b = np.asarray(box_mm, float)
    lo_mm, hi_mm = np.minimum(b[:3], b[3:]), np.maximum(b[:3], b[3:])
    corners = np.array(
        [[x, y, z] for x in (lo_mm[0], hi_mm[0]) for y in (lo_mm[1], hi_mm[1]) for z in (lo_mm[2], hi_mm[2])]
    )
    ijk = grid.ras_to_index(corners)
    lo = np.maximum(np.floor(ijk.min(axis=0)).astype(int) - 1, 0)
    hi = np.minimum(np.ceil(ijk.max(axis=0)).astype(int) + 2, grid.shape)
    mask = np.zeros(grid.shape, bool)
    if np.any(hi <= lo):
        return mask
    sub = np.indices(tuple(hi - lo)).reshape(3, -1).T + lo
    ras = grid.index_to_ras(sub)
    inside = np.all((ras >= lo_mm - 1e-6) & (ras <= hi_mm + 1e-6), axis=1)
    mask[tuple(sub[inside].T)] = True
    return mask
