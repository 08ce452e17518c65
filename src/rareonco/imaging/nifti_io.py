"""NIfTI reading and writing (nibabel). The file edge of `rareonco.imaging`."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np

from rareonco.errors import InvalidInput

from .volume import Volume


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
    if len(img.shape) == 4 and img.shape[3] == 1:
        img = img.slicer[..., 0]
    if len(img.shape) != 3:
        raise InvalidInput(field, f"expected a 3-D volume, got shape {img.shape}")
    slope, inter = img.header.get_slope_inter()
    raw_dtype = img.get_data_dtype()
    if (slope in (None, 1.0)) and (inter in (None, 0.0)) and np.issubdtype(raw_dtype, np.integer):
        array = np.asanyarray(img.dataobj)
        if array.dtype.itemsize > 2 and array.size:
            lo, hi = int(array.min()), int(array.max())
            if -32768 <= lo and hi <= 32767:
                array = array.astype(np.int16)
    else:
        array = np.asanyarray(img.dataobj).astype(np.float32)
    return Volume(np.asarray(array), img.affine).canonical()


def save_nifti(volume: Volume, path: str | Path) -> None:
    """Write a volume as NIfTI with its RAS affine in both qform and sform."""
    img = nib.Nifti1Image(np.asarray(volume.array), volume.affine)
    img.set_qform(volume.affine, code=1)
    img.set_sform(volume.affine, code=1)
    img.header.set_xyzt_units("mm")
    nib.save(img, str(path))
