"""Read a CT from disk: a DICOM series folder or a NIfTI file, as a canonical `Volume`."""

from __future__ import annotations

from pathlib import Path

from .dicom_io import load_dicom_series
from .nifti_io import load_nifti
from .volume import Volume


def load_ct(path: str | Path, series_uid: str | None = None) -> Volume:
    """A CT from a DICOM series folder or a NIfTI file, canonical (R, A, S), HU."""
    path = Path(path)
    if path.is_dir():
        return load_dicom_series(path, series_uid=series_uid)
    return load_nifti(path, field="ct")
