"""Inquiry bodies and small document files of each accepted type."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DICOM = b"\x00" * 128 + b"DICM" + b"\x00" * 64


def dicom_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("series/IM0001.dcm", DICOM)
    return buf.getvalue()


def inquiry_body(**over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "family_name": "Каримова", "given_names": "Нилуфар", "birth_date": "2001-06-02",
        "sex": "female", "citizenship": "UZ", "residence_country": "UZ",
        "preferred_language": "uz", "passport_number": "FA 9988776", "email": "n.k@example.org",
        "diagnosis_text": "Ewing sarcoma of the right femur suspected on MRI",
        "message": "Please review the MRI and the biopsy report"}
    body.update(over)
    return body


def submit_public(client, body=None, files=None):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    files = files if files is not None else [("files", ("mri.zip", dicom_zip(), "application/zip")),
                                             ("files", ("biopsy.pdf", PDF, "application/pdf"))]
    return client.post("/api/v1/public/inquiries",
                       data={"inquiry": json.dumps(body or inquiry_body())}, files=files)


@pytest.fixture
def inquiry(anon, clients):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    r = submit_public(anon)
    assert r.status_code == 201, r.text
    ref = r.json()["reference"]
    rows = clients["coordinator"].get("/api/v1/desk/inquiries").json()
    return next(i for i in rows if i["reference"] == ref)
