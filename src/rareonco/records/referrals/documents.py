"""Documents attached to a referral: type checked by content (not by name), size limited,
stored outside the database under their SHA-256 so a stored file can be verified later."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from rareonco.errors import InvalidInput, NotFound
from rareonco.records.referrals.schemas import StoredDocumentOut
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.referrals import Document, Referral

KINDS = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg",
         "dicom": "application/dicom", "dicom_zip": "application/zip"}
TRANSLATION_STATUSES = ("not_needed", "needed", "in_progress", "done")


def sniff(head: bytes, path: Path) -> str:
    """The document kind from its first bytes; InvalidInput for anything else."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
                if not names:
                    raise InvalidInput("file", "the zip archive is empty")
                for name in names[:5]:
                    with zf.open(name) as member:
                        if member.read(132)[128:132] == b"DICM":
                            return "dicom_zip"
        except zipfile.BadZipFile:
            raise InvalidInput("file", "the zip archive is damaged") from None
        raise InvalidInput("file", "a zip archive is accepted only when it holds DICOM files")
    raise InvalidInput("file", "unsupported file type: PDF, PNG, JPEG, DICOM or a zip of DICOM")


@dataclass(frozen=True)
class StoredFile:
    """A file written under its SHA-256 (`save_file`), not yet recorded in the database."""

    filename: str
    kind: str
    content_type: str
    size_bytes: int
    sha256: str
    storage_key: str


def store(session: Session, actor: Actor, data_dir: Path, referral_id: int, filename: str,
          stream: BinaryIO, max_bytes: int, translation_status: str = "not_needed") -> Document:
    require(actor.role, Permission.REFERRAL_WRITE)
    ref = session.get(Referral, referral_id)
    if ref is None:
        raise NotFound(f"referral {referral_id} not found")
    if translation_status not in TRANSLATION_STATUSES:
        raise InvalidInput("translation_status", "one of " + ", ".join(TRANSLATION_STATUSES))
    f = save_file(data_dir, filename, stream, max_bytes)
    doc = Document(patient_id=ref.patient_id, referral_id=ref.id, filename=f.filename,
                   kind=f.kind, content_type=f.content_type, size_bytes=f.size_bytes,
                   sha256=f.sha256, storage_key=f.storage_key,
                   translation_status=translation_status, uploaded_by=actor.user_id)
    session.add(doc)
    session.flush()
    audit.record(session, actor, "upload", f"document/{doc.id}", f"referral/{ref.id};{f.sha256}")
    return doc


def save_file(data_dir: Path, filename: str, stream: BinaryIO, max_bytes: int) -> StoredFile:
    """Write `stream` under its SHA-256 below `data_dir`/documents, its type checked by
    content and its size by `max_bytes`."""
    safe_name = Path(filename or "upload").name[:255] or "upload"
    root = data_dir / "documents"
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidInput("file", f"larger than the limit of {max_bytes // 2**20} MB")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidInput("file", "the file is empty")
        with tmp.open("rb") as f:
            kind = sniff(f.read(132), tmp)
        sha = digest.hexdigest()
        key = f"{sha[:2]}/{sha}"
        final = root / key
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return StoredFile(safe_name, kind, KINDS[kind], size, sha, key)


def open_document(session: Session, actor: Actor, data_dir: Path,
                  document_id: int) -> tuple[Document, bytes]:
    require(actor.role, Permission.PATIENT_READ)
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"document {document_id} not found")
    content = (data_dir / "documents" / doc.storage_key).read_bytes()
    if hashlib.sha256(content).hexdigest() != doc.sha256:
        raise InvalidInput("document", "the stored file does not match its checksum")
    audit.record(session, actor, "read", f"document/{doc.id}", f"patient/{doc.patient_id}")
    return doc, content


def stored_view(doc: Document) -> StoredDocumentOut:
    """A document just stored, as the upload answers it."""
    return StoredDocumentOut.model_validate(doc)


__all__ = ["KINDS", "StoredFile", "open_document", "save_file", "sniff", "store", "stored_view"]
