"""The sacrum's completion (`imaging.sacrum`) on a synthetic sacrum with a thin, gappy cortex.

A sacrum-like ellipsoid between two hip-bone-like slabs: a 1.5 mm cortex of 450 HU cut by slots
(so its marrow is enclosed in no slice orientation, as in the osteoporotic sacrum of the shared
CT), marrow of soft-tissue density (45 HU, in muscle of 40 HU) with small fatty pockets, and a
fat-filled sacral canal and two foramina running through it. The whole-bone mask alone keeps
little more than the shell; the completion must give the whole bone, leave the canal and the
foramina open and take nothing outside the bone.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from rareonco.imaging.sacrum import complete_sacrum
from rareonco.imaging.volume import Volume
from rareonco.imaging.wholebone import SegmentationParams, bone_mask

CENTRE = np.array([0.0, -40.0, 0.0])
SEMI = np.array([42.0, 20.0, 38.0])  # lateral, anteroposterior, superoinferior, mm
CORTEX_MM = 1.5
CANAL = (np.array([0.0, -50.0]), 6.0)  # (x, y) of the axis along z, radius; posterior in the bone
FORAMINA = [(np.array([-22.0, 0.0]), 4.0), (np.array([22.0, 0.0]), 4.0)]  # (x, z) of axes along y
# the sacrum's flat lateral (auricular) faces, and the hip-bone slabs beyond a 2 mm joint space
SACRUM_HALF_WIDTH_MM = 36.0
HIP_X = (38.0, 58.0)
STEP_MM = 1.5


def _outline(x, y, z, shrink: float = 0.0):
    """Level of the sacrum's outline (<= 1 inside), shrunk by `shrink` mm: an ellipsoid cut by two
    flat lateral faces."""
    c = CENTRE
    a, b, d = SEMI - shrink
    q = ((x - c[0]) / a) ** 2 + ((y - c[1]) / b) ** 2 + ((z - c[2]) / d) ** 2
    return np.where(np.abs(x - c[0]) <= SACRUM_HALF_WIDTH_MM - shrink, q, 2.0)


def _scene(x, y, z):
    """HU of the scene at RAS points (broadcast arrays); also the true sacrum (bool)."""
    q = _outline(x, y, z)
    inner = _outline(x, y, z, CORTEX_MM)
    canal = np.hypot(x - CANAL[0][0], y - CANAL[0][1]) < CANAL[1]
    foramina = np.zeros(np.broadcast(x, y, z).shape, bool)
    for (fx, fz), r in FORAMINA:
        foramina |= np.hypot(x - fx, z - fz) < r
    holes = canal | foramina
    bone = (q <= 1.0) & ~holes
    hu = np.where((x / 150.0) ** 2 + ((y + 20.0) / 100.0) ** 2 <= 1.0, np.float32(40.0), np.float32(-1000.0))
    hu = hu + np.zeros(bone.shape, np.float32)
    # hip-bone slabs: 2 mm dense cortex around 60 HU marrow, closed, as the whole-bone mask fills them
    for sign in (-1.0, 1.0):
        u = sign * x
        slab = (u >= HIP_X[0]) & (u <= HIP_X[1]) & (np.abs(y - CENTRE[1]) < 30.0) & (np.abs(z) < 50.0)
        core = (u >= HIP_X[0] + 2) & (u <= HIP_X[1] - 2) & (np.abs(y - CENTRE[1]) < 28.0) & (np.abs(z) < 48.0)
        hu[slab] = 1000.0
        hu[core] = 60.0
    # the sacrum: thin cortex cut by 3 mm slots across x and across z, marrow of soft-tissue density
    slots = (np.abs(np.mod(x + 100.0, 24.0) - 12.0) < 1.5) | (np.abs(np.mod(z + 100.0, 20.0) - 10.0) < 1.5)
    hu[(q <= 1.0) & (inner > 1.0) & ~slots] = 450.0
    hu[(q <= 1.0) & (inner > 1.0) & slots] = 40.0
    hu[inner <= 1.0] = 45.0
    # fatty pockets (r 2 mm) in the marrow, fat in the canal and the foramina
    pockets = (
        (np.abs(np.mod(x + 100.0, 10.0) - 5.0) < 2.0)
        & (np.abs(np.mod(y + 100.0, 10.0) - 5.0) < 2.0)
        & (np.abs(np.mod(z + 100.0, 10.0) - 5.0) < 2.0)
    )
    hu[(inner <= 1.0) & pockets] = -80.0
    hu[(q <= 1.0) & holes] = -90.0
    return hu, bone


@pytest.fixture(scope="module")
def scan():
    """The scene blurred by the scanner (Gaussian, sigma 1 mm) on a 1.5 mm grid; (CT, true sacrum ml)."""
    axis = np.arange(-90.0, 90.0 + 1e-6, 0.5, dtype=np.float32)
    yaxis = np.arange(-90.0, 20.0 + 1e-6, 0.5, dtype=np.float32)
    zaxis = np.arange(-70.0, 70.0 + 1e-6, 0.5, dtype=np.float32)
    x, y, z = np.meshgrid(axis, yaxis, zaxis, indexing="ij", sparse=True)
    hu, bone = _scene(x, y, z)
    true_ml = float(bone.sum()) * 0.5**3 / 1000.0
    hu = ndi.gaussian_filter(hu, 1.0 / 0.5)[::3, ::3, ::3]
    affine = np.diag([STEP_MM, STEP_MM, STEP_MM, 1.0])
    affine[:3, 3] = (axis[0], yaxis[0], zaxis[0])
    return Volume(np.rint(hu).astype(np.int16), affine), true_ml


def _labels(whole):
    """Nearest-bone labels on the working grid by geometry: hip slabs lateral, sacrum between."""
    ijk = np.indices(whole.mask.shape, dtype=np.float32).reshape(3, -1)
    x = (whole.grid.affine[0, 0] * ijk[0] + whole.grid.affine[0, 3]).reshape(whole.mask.shape)
    edge = (SACRUM_HALF_WIDTH_MM + HIP_X[0]) / 2.0
    return np.where(x < -edge, 1, np.where(x > edge, 2, 3)).astype(np.uint8)


def test_whole_sacrum_behind_a_gappy_thin_cortex(scan):
    ct, true_ml = scan
    whole, _ = bone_mask(ct, SegmentationParams())
    assert whole is not None
    near = _labels(whole)
    shell = whole.mask & (near == 3)
    vox_ml = whole.grid.spacing_mm**3 / 1000.0
    # the whole-bone mask alone misses most of the marrow
    assert shell.sum() * vox_ml < 0.6 * true_ml
    added = complete_sacrum(whole, near)
    sacrum = shell | added
    # within 5 %: the half-maximum surface of a blurred cortex lies a little outside the true one
    # (as in test_workgrid), the blurred walls of the canal and foramina narrow them a little
    assert sacrum.sum() * vox_ml == pytest.approx(true_ml, rel=0.05)
    assert np.count_nonzero(added & whole.mask) == 0  # no bone of another label is taken
    # RAS coordinates of the working voxels
    ijk = np.indices(whole.mask.shape, dtype=np.float32).reshape(3, -1)
    ras = (whole.grid.affine[:3, :3] @ ijk + whole.grid.affine[:3, 3:4]).reshape(3, *whole.mask.shape)
    x, y, z = ras
    q = _outline(x, y, z)
    # nothing outside the bone (its surface lies within a voxel and a half of the true one)
    outside = _outline(x, y, z, -2.5) > 1.0
    assert np.count_nonzero(added & outside) == 0
    # the canal and the foramina stay open (their inner half, around the axis)
    canal_core = (np.hypot(x - CANAL[0][0], y - CANAL[0][1]) < CANAL[1] / 2) & (q < 1.0)
    assert canal_core.sum() > 100 and np.count_nonzero(sacrum & canal_core) == 0
    for (fx, fz), r in FORAMINA:
        core = (np.hypot(x - fx, z - fz) < r / 2) & (q < 0.8)
        assert core.sum() > 10 and np.count_nonzero(sacrum & core) == 0
