"""DICOM CT series reading (pydicom), and writing a volume back as a series for round-trip tests.

Reading rules (each failure is an `InvalidInput` on field "ct" with the reason):

* every file in the folder (not sub-folders) is tried; non-DICOM files are ignored;
* series are told apart by SeriesInstanceUID; with several, the one asked for by `series_uid`
  is read, otherwise the CT series with the most slices (the choice is recorded in the result);
* a series whose Modality is not CT is refused;
* slices are ordered by the projection of ImagePositionPatient on the slice normal
  (row x column direction of ImageOrientationPatient), never by file name or InstanceNumber;
* two slices at the same position (a duplicate) are refused;
* a missing slice (a gap larger than 1.5 x the median step) is refused, as is any step that
  differs from the median by more than 1 % (non-uniform spacing);
* gantry tilt (slice positions not moving along the slice normal, or a non-zero
  GantryDetectorTilt) is refused: resample the series first (e.g. 3D Slicer);
* RescaleSlope / RescaleIntercept are applied per slice; PixelPaddingValue becomes -1024 HU
  (air); values are stored as int16 HU (rounded).

The DICOM patient frame is LPS+; the returned volume's affine is RAS+ (x and y negated).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from pydicom.errors import InvalidDicomError

from rareonco.errors import InvalidInput

from .volume import Volume

LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


@dataclass(frozen=True)
class _Slice:
    path: Path
    position_mm: np.ndarray  # ImagePositionPatient, LPS
    orientation: np.ndarray  # ImageOrientationPatient (6,)


def _read_headers(folder: Path) -> dict[str, list[tuple[Path, pydicom.Dataset]]]:
    series: dict[str, list[tuple[Path, pydicom.Dataset]]] = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        try:
            ds = pydicom.dcmread(str(path), stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError, TypeError, AttributeError):
            continue
        if "ImagePositionPatient" not in ds and "Modality" not in ds:
            continue
        uid = str(ds.get("SeriesInstanceUID", "") or "")
        series.setdefault(uid, []).append((path, ds))
    return series


def list_series(folder: str | Path) -> list[dict[str, object]]:
    """The series in a folder: uid, modality, description and number of files."""
    out = []
    for uid, items in _read_headers(Path(folder)).items():
        ds = items[0][1]
        out.append(
            {
                "series_uid": uid,
                "modality": str(ds.get("Modality", "")),
                "description": str(ds.get("SeriesDescription", "")),
                "files": len(items),
            }
        )
    return out


def load_dicom_series(folder: str | Path, series_uid: str | None = None) -> Volume:
    """Read one CT series from a folder as a canonical (R, A, S) `Volume` in HU."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput("ct", f"not a folder: {folder}")
    series = _read_headers(folder)
    if not series:
        raise InvalidInput("ct", f"no DICOM files in {folder}")
    if series_uid is not None:
        if series_uid not in series:
            raise InvalidInput("ct", f"series {series_uid!r} not in {folder}; found {sorted(series)}")
        items = series[series_uid]
    else:
        ct = {uid: it for uid, it in series.items() if str(it[0][1].get("Modality", "")) == "CT"}
        if not ct:
            found = sorted({str(it[0][1].get("Modality", "?")) for it in series.values()})
            raise InvalidInput("ct", f"no CT series in {folder} (modalities found: {', '.join(found)})")
        items = max(ct.values(), key=len)
    modality = str(items[0][1].get("Modality", ""))
    if modality != "CT":
        raise InvalidInput("ct", f"series modality is {modality or 'unknown'}, not CT")
    slices = _ordered_slices(items)
    return _assemble(slices)


def _ordered_slices(items: list[tuple[Path, pydicom.Dataset]]) -> list[tuple[_Slice, pydicom.Dataset]]:
    if len(items) < 2:
        raise InvalidInput("ct", "a CT series needs at least 2 slices")
    parsed = []
    for path, ds in items:
        if "ImagePositionPatient" not in ds or "ImageOrientationPatient" not in ds:
            raise InvalidInput("ct", f"{path.name}: no ImagePositionPatient/ImageOrientationPatient")
        parsed.append(
            (
                _Slice(
                    path,
                    np.asarray([float(v) for v in ds.ImagePositionPatient]),
                    np.asarray([float(v) for v in ds.ImageOrientationPatient]),
                ),
                ds,
            )
        )
    iop = parsed[0][0].orientation
    for sl, _ in parsed:
        if not np.allclose(sl.orientation, iop, atol=1e-4):
            raise InvalidInput("ct", "slices of the series have different ImageOrientationPatient")
    normal = np.cross(iop[:3], iop[3:])
    normal /= np.linalg.norm(normal)
    parsed.sort(key=lambda item: float(item[0].position_mm @ normal))
    positions = np.array([float(sl.position_mm @ normal) for sl, _ in parsed])
    steps = np.diff(positions)
    if np.any(steps < 1e-3):
        where = positions[1:][steps < 1e-3][0]
        raise InvalidInput(
            "ct", f"duplicate slice: two slices at position {where:.2f} mm along the slice normal"
        )
    step = float(np.median(steps))
    if np.any(steps > 1.5 * step):
        k = int(np.argmax(steps > 1.5 * step))
        raise InvalidInput(
            "ct",
            f"missing slice(s): gap of {steps[k]:.2f} mm between positions {positions[k]:.2f} and "
            f"{positions[k + 1]:.2f} mm (slice step {step:.2f} mm)",
        )
    if np.any(np.abs(steps - step) > max(0.01 * step, 0.01)):
        raise InvalidInput(
            "ct", f"non-uniform slice spacing: steps from {steps.min():.3f} to {steps.max():.3f} mm"
        )
    tilt = float(parsed[0][1].get("GantryDetectorTilt", 0) or 0)
    drift = parsed[-1][0].position_mm - parsed[0][0].position_mm
    off_normal = np.linalg.norm(drift - (drift @ normal) * normal)
    if abs(tilt) > 0.01 or off_normal > 0.01 * np.linalg.norm(drift) + 0.05:
        angle = np.degrees(np.arctan2(off_normal, abs(drift @ normal)))
        raise InvalidInput(
            "ct",
            f"gantry tilt (GantryDetectorTilt {tilt:g} deg, slice positions {angle:.1f} deg off the normal) "
            "is not supported: resample the series to an orthogonal grid first",
        )
    return parsed


def _assemble(parsed: list[tuple[_Slice, pydicom.Dataset]]) -> Volume:
    first_ds = parsed[0][1]
    rows, cols = int(first_ds.Rows), int(first_ds.Columns)
    row_mm, col_mm = (float(v) for v in first_ds.PixelSpacing)  # between rows, between columns
    array = np.empty((cols, rows, len(parsed)), dtype=np.int16)
    for k, (sl, _) in enumerate(parsed):
        ds = pydicom.dcmread(str(sl.path))
        if int(ds.Rows) != rows or int(ds.Columns) != cols:
            raise InvalidInput("ct", f"{sl.path.name}: slice size differs from the series")
        pixels = ds.pixel_array.astype(np.float32)
        padding = ds.get("PixelPaddingValue")
        slope = float(ds.get("RescaleSlope", 1) or 1)
        intercept = float(ds.get("RescaleIntercept", 0) or 0)
        hu = pixels * slope + intercept
        if padding is not None:
            hu[pixels == float(padding)] = -1024.0
        array[:, :, k] = np.clip(np.rint(hu), -32768, 32767).astype(np.int16).T
    iop = parsed[0][0].orientation
    row_dir, col_dir = iop[:3], iop[3:]  # direction of increasing column index, of increasing row index
    first, last = parsed[0][0].position_mm, parsed[-1][0].position_mm
    slice_vec = (last - first) / (len(parsed) - 1)
    affine_lps = np.eye(4)
    affine_lps[:3, 0] = row_dir * col_mm
    affine_lps[:3, 1] = col_dir * row_mm
    affine_lps[:3, 2] = slice_vec
    affine_lps[:3, 3] = first
    return Volume(array, LPS_TO_RAS @ affine_lps).canonical()


def write_dicom_series(volume: Volume, folder: str | Path, series_uid: str | None = None) -> list[Path]:
    """Write a volume (HU) as an uncompressed axial CT series in LPS+, one file per slice.

    Meant for tests and for handing a derived volume to a PACS; the affine must have its third
    axis along the slice normal (any canonical volume does).
    """
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    volume = volume.reoriented(("L", "P", "S"))  # the usual scanner order: IOP close to [1,0,0,0,1,0]
    affine_lps = LPS_TO_RAS @ volume.affine
    spacing = volume.spacing_mm
    row_dir = affine_lps[:3, 0] / spacing[0]
    col_dir = affine_lps[:3, 1] / spacing[1]
    series_uid = series_uid or generate_uid()
    study_uid, frame_uid = generate_uid(), generate_uid()
    data = np.asarray(volume.array)
    intercept = float(min(-1024, int(np.floor(data.min())) if data.size else -1024))
    stored = np.clip(np.rint(data - intercept), 0, 65535).astype(np.uint16)
    now = _dt.datetime.now()
    paths = []
    for k in range(data.shape[2]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = pydicom.Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.Modality = "CT"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study_uid, series_uid, frame_uid
        ds.StudyDate = now.strftime("%Y%m%d")
        ds.PatientName, ds.PatientID = "Anonymous", "ANON"
        ds.InstanceNumber = k + 1
        position = affine_lps[:3, :3] @ np.array([0.0, 0.0, k]) + affine_lps[:3, 3]
        ds.ImagePositionPatient = [f"{v:.6f}" for v in position]
        ds.ImageOrientationPatient = [f"{v:.6f}" for v in (*row_dir, *col_dir)]
        ds.PixelSpacing = [f"{spacing[1]:.6f}", f"{spacing[0]:.6f}"]
        ds.SliceThickness = f"{spacing[2]:.6f}"
        ds.Rows, ds.Columns = data.shape[1], data.shape[0]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = f"{intercept:g}", "1", "HU"
        ds.PixelData = np.ascontiguousarray(stored[:, :, k].T).tobytes()
        path = folder / f"slice_{k:04d}.dcm"
        ds.save_as(str(path), enforce_file_format=True)
        paths.append(path)
    return paths
