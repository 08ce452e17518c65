"""Referrals and their documents."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from fastapi.responses import Response

from rareonco.records.referrals import documents
from rareonco.records.referrals import service as referrals
from rareonco.records.referrals.schemas import ReferralOut, StoredDocumentOut
from rareonco.web.deps import SessionDep, UserDep

router = APIRouter(tags=["referrals"])

_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get("/referrals/{referral_id}")
def read_referral(referral_id: int, session: SessionDep, user: UserDep) -> ReferralOut:
    return referrals.view(referrals.get(session, user.actor, referral_id))


@router.post("/referrals/{referral_id}/documents", status_code=status.HTTP_201_CREATED,
             responses={201: {"description": "the document stored"}})
def upload_document(referral_id: int, request: Request, session: SessionDep, user: UserDep,
                    file: UploadFile = File(...),
                    translation_status: str = Form("not_needed")) -> StoredDocumentOut:
    """Attach a PDF, PNG, JPEG, DICOM file or a zip of DICOM files (type checked by content)."""
    settings = request.app.state.settings
    return documents.stored_view(documents.store(
        session, user.actor, settings.ensure_data_dir(), referral_id, file.filename or "upload",
        file.file, settings.max_upload_mb * 2**20, translation_status))


@router.get("/documents/{document_id}", response_class=Response, responses={200: {
    "content": {media_type: _BINARY for media_type in documents.KINDS.values()},
    "description": "the document as uploaded (checked against its SHA-256), as an attachment"}})
def download_document(document_id: int, request: Request, session: SessionDep,
                      user: UserDep) -> Response:
    doc, content = documents.open_document(session, user.actor,
                                           request.app.state.settings.ensure_data_dir(),
                                           document_id)
    return Response(content, media_type=doc.content_type, headers={
        "Content-Disposition": f'attachment; filename="{doc.filename}"'})
