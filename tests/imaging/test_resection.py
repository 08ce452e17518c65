"""Resection on the synthetic pelvis: Enneking-Dunham zones, cutting planes, tumour masks on other grids.

The phantom's right hip bone has an iliac wing (zone I), an acetabular body whose sphere is fitted
as the femoral head (zone II) and a pubic part (zone III); see tests/imaging/phantom.py. Boxes are
given in the patient's own axes and turned into RAS (the phantom lies rotated by TILT_DEG).
"""

from __future__ import annotations

import numpy as np
import pytest

from rareonco.imaging.nifti_io import load_nifti, save_nifti
from rareonco.imaging.pipeline import PlanRequest, tumour_mask_for
from rareonco.imaging.resection import CutPlane, box_mask, plan_resection
from rareonco.imaging.volume import Volume

from .phantom import RIGHT_HIP, patient_rotation


def _ras(p_body) -> np.ndarray:
    return patient_rotation() @ np.asarray(p_body, float)


def _box_around(p_body, half_mm: float) -> tuple[float, ...]:
    c = _ras(p_body)
    return tuple(np.concatenate([c - half_mm, c + half_mm]).round(1))


def _resect(phantom_segmented, box, margin_mm=3.0, cuts=()):
    ct, seg, plane = phantom_segmented
    tumour = box_mask(ct, box)
    return plan_resection(
        seg.labels,
        tumour,
        plane,
        "right",
        seg.acetabulum_mm,
        margin_mm=margin_mm,
        cuts=cuts,
        head_radius_mm=seg.head_radius_mm,
    )


def test_acetabulum_is_the_fitted_sphere(phantom_segmented):
    _, seg, _ = phantom_segmented
    x, y, z, _a, _b, _c, _ = RIGHT_HIP[1]  # the acetabular body, a near-sphere of radius 22-24 mm
    assert np.linalg.norm(seg.acetabulum_mm["right"] - _ras((x, y, z))) < 3.0
    assert np.linalg.norm(seg.acetabulum_mm["left"] - _ras((-x, y, z))) < 3.0
    assert 21.0 < seg.head_radius_mm["right"] < 26.0


def test_iliac_wing_is_zone_i(phantom_segmented):
    res = _resect(phantom_segmented, _box_around((70.0, 0.0, 55.0), 8.0))
    assert res.zones == ["I"]


def test_pubis_far_from_the_cup_is_zone_iii(phantom_segmented):
    res = _resect(phantom_segmented, _box_around((62.0, 44.0, -30.0), 5.0), margin_mm=6.0)
    assert res.zones == ["III"]


def test_periacetabular_box_includes_zone_ii(phantom_segmented):
    res = _resect(phantom_segmented, _box_around((100.0, 10.0, -5.0), 6.0))
    assert "II" in res.zones
    assert res.zone_volumes_ml["II"] >= max(res.zone_volumes_ml["I"], res.zone_volumes_ml["III"])


def test_resection_reaching_the_sacrum_is_zone_iv(phantom_segmented):
    _, _seg, _ = phantom_segmented
    # between the iliac wing and the sacrum, posteriorly: the margin reaches the sacrum
    res = _resect(phantom_segmented, _box_around((40.0, -30.0, 30.0), 6.0), margin_mm=15.0)
    assert "IV" in res.zones


def test_cut_plane_bounds_the_resection(phantom_segmented):
    ct, _, _ = phantom_segmented
    box = _box_around((70.0, 0.0, 45.0), 8.0)
    free = _resect(phantom_segmented, box, margin_mm=15.0)
    # an osteotomy 5 mm below the tumour, horizontal in the patient, removing what lies above
    cut = CutPlane(_ras((70.0, 0.0, 45.0 - 8.0 - 5.0)), _ras((0.0, 0.0, 1.0)))
    cut_res = _resect(phantom_segmented, box, margin_mm=15.0, cuts=(cut,))
    assert 0 < cut_res.resected_bone_ml < free.resected_bone_ml
    pts = ct.index_to_ras(np.argwhere(cut_res.mask))
    assert ((pts - cut.point_mm) @ cut.normal).min() >= -1e-6  # nothing removed on the kept side
    assert not cut_res.warnings or all("passes through the tumour" not in w for w in cut_res.warnings)
    assert cut_res.min_margin_mm is not None and cut_res.min_margin_mm <= 15.0


def test_cut_plane_through_the_tumour_is_flagged(phantom_segmented):
    box = _box_around((70.0, 0.0, 45.0), 8.0)
    cut = CutPlane(_ras((70.0, 0.0, 45.0)), _ras((0.0, 0.0, 1.0)))
    res = _resect(phantom_segmented, box, margin_mm=15.0, cuts=(cut,))
    assert any("intralesional" in w for w in res.warnings)


def test_zero_normal_cut_is_refused():
    from rareonco.errors import InvalidInput

    with pytest.raises(InvalidInput):
        CutPlane(np.zeros(3), np.zeros(3))


def test_tumour_mask_on_another_grid(phantom_segmented, tmp_path):
    """A tumour mask stored LPS on a 1.5 mm grid lands on the same voxels as the box it was drawn from."""
    ct, _, _ = phantom_segmented
    box = _box_around((70.0, 0.0, 45.0), 8.0)
    lo, hi = np.array(box[:3]), np.array(box[3:])
    shape = (60, 60, 40)
    affine = np.diag([-1.5, -1.5, 1.5, 1.0])  # LPS axes as DICOM-derived NIfTI files have them
    affine[:3, 3] = (lo + hi) / 2 - affine[:3, :3] @ ((np.array(shape) - 1) / 2.0)
    grid = Volume(np.zeros(shape, np.uint8), affine)
    ras = grid.index_to_ras(np.indices(shape).reshape(3, -1).T)
    inside = np.all((ras >= lo) & (ras <= hi), axis=1).reshape(shape)
    save_nifti(grid.with_array(inside.astype(np.uint8)), tmp_path / "tumour.nii.gz")
    mask_volume = load_nifti(tmp_path / "tumour.nii.gz", field="tumour_mask")
    from_mask = tumour_mask_for(PlanRequest(side="right", tumour_mask=mask_volume), ct)
    from_box = tumour_mask_for(PlanRequest(side="right", tumour_box_mm=box), ct)
    # nearest-neighbour resampling moves the border by up to a voxel; a mirrored or shifted mask
    # (LPS read as RAS) would not overlap at all
    overlap = np.count_nonzero(from_mask & from_box) / np.count_nonzero(from_box)
    assert overlap > 0.75
    assert np.count_nonzero(from_mask) == pytest.approx(np.count_nonzero(from_box), rel=0.2)
    centre = ct.index_to_ras(np.argwhere(from_mask).mean(axis=0))
    assert np.linalg.norm(centre - (lo + hi) / 2) < 1.5
    a = _resect(phantom_segmented, box, margin_mm=10.0)
    _ct, seg, plane = phantom_segmented
    b = plan_resection(
        seg.labels,
        from_mask,
        plane,
        "right",
        seg.acetabulum_mm,
        margin_mm=10.0,
        head_radius_mm=seg.head_radius_mm,
    )
    assert b.resected_bone_ml == pytest.approx(a.resected_bone_ml, rel=0.1)
    assert b.zones == a.zones
