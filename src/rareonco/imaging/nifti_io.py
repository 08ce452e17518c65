"""NIfTI reading and writing (nibabel). The file edge of `rareonco.imaging`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import nibabel as nib
import numpy as np
from nibabel.analyze import AnalyzeHeader
from nibabel.spatialimages import SpatialImage
from numpy.typing import NDArray

from rareonco.errors import InvalidInput

from .arrays import Floats
from .volume import Volume


class _NiftiHeader(Protocol):
    def set_xyzt_units(self, xyz: str) -> None: ...


class _NiftiImage(Protocol):
    """What `save_nifti` uses of a `nibabel.Nifti1Image` (nibabel ships no annotations)."""

    @property
    def header(self) -> _NiftiHeader: ...

    def set_qform(self, affine: Floats, code: int) -> None: ...

    def set_sform(self, affine: Floats, code: int) -> None: ...

    def to_filename(self, filename: str) -> None: ...


_new_nifti: Callable[[NDArray[Any], Floats], _NiftiImage] = nib.Nifti1Image


def load_nifti(path: str | Path, field: str = "ct") -> Volume:
    """Read a NIfTI file as a canonical (R, A, S) `Volume`.

    Integer data without scaling stay integer (int16 where the range allows) to keep
    37 M-voxel volumes small; scaled data become float32.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidInput(field, f"file not found: {path}")
    try:
        img = nib.load(str(path))
    except Exception as exc:  # nibabel raises several unrelated types for bad files
        raise InvalidInput(field, f"not a readable NIfTI file: {path} ({exc})") from exc
    if not isinstance(img, SpatialImage):
        raise InvalidInput(field, f"not an image volume: {path}")
    if len(img.shape) == 4 and img.shape[3] == 1:
        img = img.slicer[..., 0]
    if len(img.shape) != 3:
        raise InvalidInput(field, f"expected a 3-D volume, got shape {img.shape}")
    slope: float | None = None
    inter: float | None = None
    if isinstance(img.header, AnalyzeHeader):  # NIfTI's is one; nibabel gives it no annotations
        slope_inter: Callable[[], tuple[float | None, float | None]] = img.header.get_slope_inter
        slope, inter = slope_inter()
    raw_dtype = img.get_data_dtype()
    if (slope in (None, 1.0)) and (inter in (None, 0.0)) and np.issubdtype(raw_dtype, np.integer):
        array = np.asanyarray(img.dataobj)
        if array.dtype.itemsize > 2 and array.size:
            lo, hi = int(array.min()), int(array.max())
            if lo >= -32768 and hi <= 32767:
                array = array.astype(np.int16)
    else:
        array = np.asanyarray(img.dataobj).astype(np.float32)
    return Volume(np.asarray(array), img.affine).canonical()


def save_nifti(volume: Volume, path: str | Path) -> None:
    """Write a volume as NIfTI with its RAS affine in both qform and sform."""
    img = _new_nifti(np.asarray(volume.array), volume.affine)
    img.set_qform(volume.affine, code=1)
    img.set_sform(volume.affine, code=1)
    img.header.set_xyzt_units("mm")
    img.to_filename(str(path))  # what nib.save does for a .nii or .nii.gz name
