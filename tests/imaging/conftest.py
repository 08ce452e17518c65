"""Shared fixtures of the imaging tests: the real CT (required, never skipped) and one plan run on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rareonco.example_data import example_data_dir

SHARED_DATA = example_data_dir() or Path("../shared/data")  # missing: `require` fails naming it
SHARED_CT = SHARED_DATA / "ct" / "abdomen_pelvis_3mm.nii.gz"
SHARED_DICOM = SHARED_DATA / "ct" / "upper_abdomen_dicom"
EXAMPLE_BOX = "-90,101,184,-50,141,224"


def require(path: Path) -> Path:
    """The shared test data must be there: a missing file fails the test, naming the path."""
    if not path.exists():
        pytest.fail(
            f"shared test data missing: {path} (expected at ../shared/data relative to the repo root)"
        )
    return path


@pytest.fixture(scope="session")
def shared_ct_path() -> Path:
    return require(SHARED_CT)


@pytest.fixture(scope="session")
def shared_dicom_dir() -> Path:
    return require(SHARED_DICOM)


@pytest.fixture(scope="session")
def shared_ct(shared_ct_path):
    from rareonco.imaging.nifti_io import load_nifti

    return load_nifti(shared_ct_path)


@pytest.fixture(scope="session")
def example_run(shared_ct_path, tmp_path_factory):
    """The example plan (left ilium box) run once through the CLI; (out_dir, plan.json dict, stdout)."""
    from typer.testing import CliRunner

    from .cli_app import root

    out = tmp_path_factory.mktemp("plan_example")
    result = CliRunner().invoke(
        root,
        [
            "plan",
            "pelvis",
            "--ct",
            str(shared_ct_path),
            "--side",
            "left",
            "--tumour-box",
            EXAMPLE_BOX,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "plan.json").read_text()), result.output


@pytest.fixture(scope="session")
def phantom_segmented():
    """The synthetic pelvis (tests/imaging/phantom.py) segmented once: (ct, segmentation, symmetry plane)."""
    from rareonco.imaging.pipeline import pelvic_symmetry_plane
    from rareonco.imaging.segment import segment_pelvis

    from .phantom import make_phantom

    ct = make_phantom()
    seg = segment_pelvis(ct)
    return ct, seg, pelvic_symmetry_plane(seg)
