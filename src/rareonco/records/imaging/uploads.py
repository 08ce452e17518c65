"""Receiving a CT: one NIfTI file, one zip of DICOM files, or several DICOM files.

The type is judged by content, never by name: a NIfTI-1/2 header (plain or gzip), the DICOM
preamble (``DICM`` at byte 128), a zip whose members are all DICOM. Everything is streamed to a
staging folder under the data folder with a size limit per file and for the whole study
(unzipped bytes are counted as they are written, not taken from the zip's directory, so a zip
bomb stops at the limit). Zip member names are never used as paths: members are written as
``00001.dcm``, ``00002.dcm``... into one flat folder, which is also the layout the DICOM series
reader wants; a member with an absolute or ``..`` path, a link or encryption is refused outright.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import stat
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from rareonco.errors import InvalidInput

MAX_ZIP_MEMBERS = 20_000
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "DICOMDIR")
_ACCEPTED = "send one NIfTI file (.nii or .nii.gz), one zip of DICOM files, or several DICOM files"


@dataclass(frozen=True)
class StagedCt:
    """Files received and checked, waiting in `folder` to be moved to their final place.

    `path` is the NIfTI file or the folder of DICOM files inside `folder`; `sha256` is the
    file's digest, or for several files the digest of their sorted digests (order-free)."""

    folder: Path
    path: Path
    kind: str  # nifti | dicom | dicom_zip
    filename: str
    n_files: int
    size_bytes: int
    sha256: str


def _is_nifti_header(head: bytes) -> bool:
    if len(head) >= 348:
        for order in ("<", ">"):
            size = struct.unpack(order + "i", head[:4])[0]
            if size == 348 and head[344:348] in (b"n+1\x00",):
                return True
            if size == 540 and head[4:8] == b"n+2\x00":
                return True
    return False


def sniff(path: Path) -> str:
    """'nifti', 'nifti_gz', 'dicom', 'zip' or 'other' from the file's first bytes."""
    with path.open("rb") as f:
        head = f.read(544)
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as g:
                inner = g.read(544)
        except (OSError, EOFError):
            return "other"
        return "nifti_gz" if _is_nifti_header(inner) else "other"
    if _is_nifti_header(head):
        return "nifti"
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return "other"


def _copy_limited(src: IO[bytes], dst: Path, budget: list[int], max_file_bytes: int,
                  name: str) -> tuple[int, str]:
    """Copy a stream to `dst`; refuse a file over `max_file_bytes` or a study over the budget."""
    digest, size = hashlib.sha256(), 0
    with dst.open("wb") as out:
        while chunk := src.read(1 << 20):
            size += len(chunk)
            budget[0] -= len(chunk)
            if size > max_file_bytes:
                raise InvalidInput("file", f"{name}: larger than the limit of "
                                           f"{max_file_bytes // 2**20} MB per file")
            if budget[0] < 0:
                raise InvalidInput("file", "the CT is larger than the limit for one study")
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise InvalidInput("file", f"{name}: the file is empty")
    return size, digest.hexdigest()


def _unsafe_member(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or (parts and ":" in parts[0]) or ".." in parts:
        return f"unsafe path {info.filename!r} in the zip archive"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"link {info.filename!r} in the zip archive"
    if info.flag_bits & 0x1:
        return f"encrypted member {info.filename!r} in the zip archive"
    return None


def _extract_dicom_zip(archive: Path, dest: Path, budget: list[int], max_file_bytes: int) -> int:
    """Write the zip's DICOM members flat into `dest`; returns how many."""
    dest.mkdir()
    count = 0
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS:
                raise InvalidInput("file", f"the zip archive has more than {MAX_ZIP_MEMBERS} files")
            for info in members:
                problem = _unsafe_member(info)
                if problem:
                    raise InvalidInput("file", problem)
                base = PurePosixPath(info.filename.replace("\\", "/"))
                if info.filename.startswith(_JUNK[0]) or base.name.startswith(".") \
                        or base.name in _JUNK:
                    continue
                count += 1
                target = dest / f"{count:05d}.dcm"
                with zf.open(info) as src:
                    _copy_limited(src, target, budget, max_file_bytes, info.filename)
                if sniff(target) != "dicom":
                    raise InvalidInput("file", f"{info.filename!r} in the zip archive is not a "
                                               "DICOM file; a zip must hold only DICOM files")
    except zipfile.BadZipFile:
        raise InvalidInput("file", "the zip archive is damaged") from None
    except (RuntimeError, NotImplementedError) as exc:  # unsupported compression, encryption
        raise InvalidInput("file", f"the zip archive cannot be read: {exc}") from None
    if count == 0:
        raise InvalidInput("file", "the zip archive holds no DICOM files")
    return count


def stage_ct(root: Path, uploads: list[tuple[str, BinaryIO]], max_file_bytes: int,
             max_total_bytes: int) -> StagedCt:
    """Receive the uploaded files into a new staging folder under `root` and check their type.

    The caller moves `StagedCt.folder` to its final place, or deletes it (`discard`)."""
    if not uploads:
        raise InvalidInput("file", "no file received; " + _ACCEPTED)
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=root, prefix=".staging-"))
    try:
        return _stage(folder, uploads, max_file_bytes, max_total_bytes)
    except BaseException:
        discard(folder)
        raise


def _stage(folder: Path, uploads: list[tuple[str, BinaryIO]], max_file_bytes: int,
           max_total_bytes: int) -> StagedCt:
    budget = [max_total_bytes]
    raw = folder / "raw"
    raw.mkdir()
    received = []
    for n, (name, stream) in enumerate(uploads, start=1):
        safe = Path(name or "upload").name[:255] or "upload"
        path = raw / f"{n:05d}"
        size, sha = _copy_limited(stream, path, budget, max_file_bytes, safe)
        received.append((safe, path, size, sha, sniff(path)))
    first = received[0][0]
    total = sum(r[2] for r in received)
    if len(received) == 1:
        _, path, size, sha, kind = received[0]
        if kind in ("nifti", "nifti_gz"):
            final = folder / ("ct.nii.gz" if kind == "nifti_gz" else "ct.nii")
            os.replace(path, final)
            raw.rmdir()
            return StagedCt(folder, final, "nifti", first, 1, size, sha)
        if kind == "zip":
            count = _extract_dicom_zip(path, folder / "dicom", budget, max_file_bytes)
            shutil.rmtree(raw)
            return StagedCt(folder, folder / "dicom", "dicom_zip", first, count, size, sha)
    others = [r[0] for r in received if r[4] != "dicom"]
    if others:
        raise InvalidInput("file", f"{others[0]!r} is not a CT file we accept: " + _ACCEPTED)
    if len(received) == 1:
        raise InvalidInput("file", "a single DICOM file is one slice, not a CT volume: "
                                   "send every slice of the series, or a zip of them")
    os.replace(raw, folder / "dicom")
    for i, r in enumerate(received, start=1):
        os.replace(folder / "dicom" / r[1].name, folder / "dicom" / f"{i:05d}.dcm")
    digest = hashlib.sha256("\n".join(sorted(r[3] for r in received)).encode()).hexdigest()
    return StagedCt(folder, folder / "dicom", "dicom", first, len(received), total, digest)


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
