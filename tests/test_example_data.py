"""The example-data helper finds the shared CTs, honours its variable and names what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from rareonco import example_data


def test_finds_the_shared_ct() -> None:
    path = example_data.get_example_file("ct/abdomen_pelvis_3mm.nii.gz")
    assert path.is_file() and path.stat().st_size > 1_000_000


def test_the_variable_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ct").mkdir()
    (tmp_path / "ct" / "x.nii.gz").write_bytes(b"x")
    monkeypatch.setenv(example_data.ENV, str(tmp_path))
    assert example_data.example_data_dir() == tmp_path
    assert example_data.get_example_file("ct/x.nii.gz") == tmp_path / "ct" / "x.nii.gz"


def test_a_missing_file_is_named() -> None:
    with pytest.raises(FileNotFoundError, match=r"ct/nothing-here\.nii\.gz"):
        example_data.get_example_file("ct/nothing-here.nii.gz")
