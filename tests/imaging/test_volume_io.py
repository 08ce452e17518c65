"""Loading CT: NIfTI in any storage order, DICOM series (order, gaps, duplicates, LPS round trip)."""

from __future__ import annotations

import random
import shutil

import numpy as np
import pydicom
import pytest

from rareonco.errors import InvalidInput
from rareonco.imaging.dicom_io import load_dicom_series, write_dicom_series
from rareonco.imaging.nifti_io import load_nifti, save_nifti
from rareonco.imaging.volume import Volume


def _copy_shuffled(src, dst, names=None):
    """Copy the series under random file names (so neither name nor directory order sorts it)."""
    dst.mkdir()
    files = sorted(p for p in src.iterdir() if p.is_file())
    random.Random(7).shuffle(files)
    for n, path in enumerate(files):
        shutil.copy(path, dst / f"{(names or 'f')}{(n * 7919) % 1000:04d}")
    return files


def test_dicom_shuffled_order_loads_identically(shared_dicom_dir, tmp_path):
    ref = load_dicom_series(shared_dicom_dir)
    _copy_shuffled(shared_dicom_dir, tmp_path / "s")
    other = load_dicom_series(tmp_path / "s")
    assert ref.shape == other.shape == (512, 512, 20)
    np.testing.assert_array_equal(ref.array, other.array)
    np.testing.assert_allclose(ref.affine, other.affine)
    assert ref.axis_codes() == ("R", "A", "S")
    np.testing.assert_allclose(ref.spacing_mm, [0.9765625, 0.9765625, 2.0])
    assert ref.array.min() >= -1024 and ref.array.max() > 500  # HU: intercept applied
    # LPS (-249.5, -437.5, z) of the first stored pixel is RAS (+249.5, +437.5, z): the patient's right
    corner = ref.index_to_ras(np.array([ref.shape[0] - 1, ref.shape[1] - 1, 0]))
    np.testing.assert_allclose(corner[:2], [249.51171875, 437.51171875], atol=1e-3)
    assert corner[2] == pytest.approx(-804.5)


def test_dicom_missing_slice_refused(shared_dicom_dir, tmp_path):
    files = sorted(shared_dicom_dir.iterdir())
    folder = tmp_path / "gap"
    folder.mkdir()
    for n, path in enumerate(files):
        if n != 9:
            shutil.copy(path, folder / path.name)
    with pytest.raises(InvalidInput, match="missing slice") as err:
        load_dicom_series(folder)
    assert err.value.field == "ct"


def test_dicom_duplicate_slice_refused(shared_dicom_dir, tmp_path):
    folder = tmp_path / "dup"
    shutil.copytree(shared_dicom_dir, folder)
    first = sorted(folder.iterdir())[4]
    shutil.copy(first, folder / "copy_of_slice")
    with pytest.raises(InvalidInput, match="duplicate slice"):
        load_dicom_series(folder)


def test_dicom_gantry_tilt_refused(tmp_path):
    vol = Volume(np.zeros((8, 8, 5), np.int16), np.diag([1.0, 1.0, 2.0, 1.0]))
    write_dicom_series(vol, tmp_path / "t")
    for n, path in enumerate(sorted((tmp_path / "t").iterdir())):
        ds = pydicom.dcmread(path)
        x, y, z = (float(v) for v in ds.ImagePositionPatient)
        ds.ImagePositionPatient = [x, y + 0.5 * n, z]
        ds.save_as(path)
    with pytest.raises(InvalidInput, match="gantry tilt"):
        load_dicom_series(tmp_path / "t")


def test_non_ct_and_series_choice(tmp_path):
    vol = Volume(np.arange(8 * 8 * 3, dtype=np.int16).reshape(8, 8, 3), np.eye(4))
    write_dicom_series(vol, tmp_path / "mix", series_uid="1.2.3.1")
    big = Volume(np.zeros((8, 8, 4), np.int16), np.eye(4))
    write_dicom_series(big, tmp_path / "big", series_uid="1.2.3.2")
    for p in (tmp_path / "big").iterdir():
        shutil.copy(p, tmp_path / "mix" / ("b_" + p.name))
    assert load_dicom_series(tmp_path / "mix").shape[2] == 4  # the largest CT series by default
    assert load_dicom_series(tmp_path / "mix", series_uid="1.2.3.1").shape[2] == 3
    for p in (tmp_path / "big").iterdir():
        ds = pydicom.dcmread(p)
        ds.Modality = "MR"
        ds.save_as(p)
    with pytest.raises(InvalidInput, match=r"not CT|no CT"):
        load_dicom_series(tmp_path / "big")


def test_shared_ct_dicom_round_trip(shared_ct, tmp_path):
    """The shared CT written as an LPS+ DICOM series and read back: same RAS geometry, left at -x."""
    paths = write_dicom_series(shared_ct, tmp_path / "ct")
    ds = pydicom.dcmread(paths[0])
    assert [round(float(v)) for v in ds.ImageOrientationPatient] == [1, 0, 0, 0, 1, 0]  # LPS storage
    back = load_dicom_series(tmp_path / "ct")
    np.testing.assert_allclose(back.affine, shared_ct.affine, atol=1e-3)
    np.testing.assert_array_equal(back.array, shared_ct.array)
    left_voxel = back.index_to_ras(np.array([10.0, 50.0, 50.0]))  # low i = patient's left
    assert left_voxel[0] < 0


def test_nifti_any_storage_order_is_canonical(shared_ct, tmp_path):
    flipped = shared_ct.reoriented(("L", "S", "P"))
    assert flipped.axis_codes() == ("L", "S", "P")
    save_nifti(flipped, tmp_path / "f.nii.gz")
    back = load_nifti(tmp_path / "f.nii.gz")
    assert back.axis_codes() == ("R", "A", "S")
    np.testing.assert_array_equal(back.array, shared_ct.array)
    np.testing.assert_allclose(back.affine, shared_ct.affine, atol=1e-4)


def test_missing_nifti_is_invalid_input(tmp_path):
    with pytest.raises(InvalidInput):
        load_nifti(tmp_path / "nope.nii.gz")


def test_slicer_stl_header(tmp_path):
    from rareonco.imaging.mesh import extract_surface, read_stl, write_3mf, write_stl

    g = np.indices((20, 20, 20))
    m = ((g - 10) ** 2).sum(axis=0) < 36
    mesh = extract_surface(m, Volume(m, np.diag([-2.0, 2.0, 2.0, 1.0])))  # a mirroring affine
    assert mesh.is_watertight() and mesh.volume_ml > 0
    write_stl(mesh, tmp_path / "a.stl")
    header, back = read_stl(tmp_path / "a.stl")
    assert header.startswith(b"SPACE=RAS")
    assert back.is_watertight()
    write_3mf(mesh, tmp_path / "a.3mf")
    import zipfile

    assert "3D/3dmodel.model" in zipfile.ZipFile(tmp_path / "a.3mf").namelist()
