"""International desk: public inquiries, coordinator entry, remote review, visit logistics,
invitation letter, dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from rareonco.errors import TooManyRequests
from rareonco.records.desk import dashboard as desk_dashboard
from rareonco.records.desk import identity as desk_identity
from rareonco.records.desk import inquiries as desk
from rareonco.records.desk import review as desk_review
from rareonco.records.desk.schemas import (
    ArrivalIn,
    AssignIn,
    CloseIn,
    DashboardOut,
    IdentityChoiceIn,
    InquiryIn,
    InquiryOut,
    InquiryReceiptOut,
    OpinionIn,
    TranslationIn,
    TranslationOut,
    VisitIn,
)
from rareonco.web.deps import SessionDep, UserDep, client_address
from rareonco.web.ratelimit import inquiry_limiter

router = APIRouter(tags=["desk"])

PDF: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    "description": "The invitation letter (PDF), in Russian or English."}}


def _uploads(files: list[UploadFile]) -> list[desk.Upload]:
    return [desk.Upload(f.filename or "upload", f.file) for f in files if f.filename]


def _limits(request: Request) -> tuple[Path, int]:
    s = request.app.state.settings
    return s.ensure_data_dir(), s.max_upload_mb * 2**20


@router.post("/public/inquiries", status_code=status.HTTP_201_CREATED,
             response_model=InquiryReceiptOut)
def public_inquiry(request: Request, session: SessionDep,
                   inquiry: Annotated[str, Form(description="InquiryIn as JSON")],
                   files: Annotated[list[UploadFile] | None, File()] = None) -> InquiryReceiptOut:
    """No login: an inquiry from abroad with its documents; 5 per hour per client address."""
    ok, retry = inquiry_limiter(request.app).allow(client_address(request))
    if not ok:
        raise TooManyRequests("too many inquiries from this address; try later", retry)
    try:
        data = InquiryIn.model_validate_json(inquiry)
    except ValidationError as exc:  # the JSON inside a form field: a 422 like any request body
        raise RequestValidationError(exc.errors()) from None
    data_dir, max_bytes = _limits(request)
    row = desk.submit(session, desk.public_actor(client_address(request)), data,
                      _uploads(files or []), data_dir, max_bytes)
    return InquiryReceiptOut(reference=row.reference)


@router.post("/desk/inquiries", status_code=status.HTTP_201_CREATED, response_model=InquiryOut)
def enter_inquiry(body: InquiryIn, request: Request, session: SessionDep,
                  user: UserDep) -> InquiryOut:
    """Coordinator entry (documents follow with POST .../documents)."""
    data_dir, max_bytes = _limits(request)
    row = desk.submit(session, user.actor, body, [], data_dir, max_bytes, source="coordinator")
    return desk.view(row, user.actor)


@router.get("/desk/inquiries", response_model=list[InquiryOut])
def list_inquiries(session: SessionDep, user: UserDep, status_: str | None = Query(
        None, alias="status"), country: str | None = None,
        open_only: bool = False) -> list[InquiryOut]:
    return [desk.view(r, user.actor)
            for r in desk.search(session, user.actor, status_, country, open_only)]


@router.get("/desk/inquiries/{inquiry_id}", response_model=InquiryOut)
def read_inquiry(inquiry_id: int, session: SessionDep, user: UserDep) -> InquiryOut:
    return desk.view(desk.get(session, user.actor, inquiry_id), user.actor)


@router.post("/desk/inquiries/{inquiry_id}/documents", status_code=status.HTTP_201_CREATED,
             response_model=InquiryOut)
def add_documents(inquiry_id: int, request: Request, session: SessionDep, user: UserDep,
                  files: Annotated[list[UploadFile], File()],
                  translation_status: Annotated[str, Form()] = "not_needed") -> InquiryOut:
    data_dir, max_bytes = _limits(request)
    row = desk.add_documents(session, user.actor, inquiry_id, _uploads(files), data_dir,
                             max_bytes, translation_status)
    return desk.view(row, user.actor)


@router.post("/desk/inquiries/{inquiry_id}/assign", response_model=InquiryOut)
def assign(inquiry_id: int, body: AssignIn, session: SessionDep,
           user: UserDep) -> InquiryOut:
    """Give the inquiry to a specialist; the case moves to remote_review."""
    return desk.view(desk_review.assign(session, user.actor, inquiry_id, body), user.actor)


@router.post("/desk/inquiries/{inquiry_id}/identity", response_model=InquiryOut)
def resolve_identity(inquiry_id: int, body: IdentityChoiceIn, session: SessionDep,
                     user: UserDep) -> InquiryOut:
    """Settle an inquiry the identity matcher put in review: the patient on file it is
    (``patient_id``), or a new person (no ``patient_id``, a ``reason``); the referral, the
    case and the documents are then opened on that patient."""
    return desk.view(desk_identity.resolve(session, user.actor, inquiry_id, body), user.actor)


@router.post("/desk/inquiries/{inquiry_id}/relink", response_model=InquiryOut)
def relink(inquiry_id: int, body: IdentityChoiceIn, session: SessionDep,
           user: UserDep) -> InquiryOut:
    """Unlink an inquiry from the wrong patient: its case, referral and documents move to the
    patient given (``patient_id``) or to a new patient from the inquiry; ``reason`` required."""
    return desk.view(desk_identity.relink(session, user.actor, inquiry_id, body), user.actor)


@router.post("/desk/inquiries/{inquiry_id}/close", response_model=InquiryOut)
def close(inquiry_id: int, body: CloseIn, session: SessionDep,
          user: UserDep) -> InquiryOut:
    """Close an open inquiry as spam, a duplicate, withdrawn or for another stated reason."""
    return desk.view(desk_review.close(session, user.actor, inquiry_id, body), user.actor)


@router.post("/desk/inquiries/{inquiry_id}/opinion", status_code=status.HTTP_201_CREATED,
             response_model=InquiryOut)
def opinion(inquiry_id: int, body: OpinionIn, session: SessionDep,
            user: UserDep) -> InquiryOut:
    """The assigned specialist's opinion: accept, more_data (with missing_items) or decline."""
    desk_review.write_opinion(session, user.actor, inquiry_id, body)
    return desk.view(desk.get(session, user.actor, inquiry_id), user.actor)


@router.put("/desk/documents/{document_id}/translation", response_model=TranslationOut)
def translation(document_id: int, body: TranslationIn, session: SessionDep,
                user: UserDep) -> TranslationOut:
    return TranslationOut.model_validate(
        desk_review.set_translation(session, user.actor, document_id, body))


@router.put("/desk/inquiries/{inquiry_id}/visit", response_model=InquiryOut)
def plan_visit(inquiry_id: int, body: VisitIn, session: SessionDep,
               user: UserDep) -> InquiryOut:
    return desk.view(desk_review.plan_visit(session, user.actor, inquiry_id, body), user.actor)


@router.get("/desk/inquiries/{inquiry_id}/invitation.pdf", response_class=Response,
            responses=PDF)
def invitation(inquiry_id: int, session: SessionDep, user: UserDep,
               lang: str | None = Query(None, pattern="^(en|ru)$")) -> Response:
    row, pdf = desk_review.invitation_letter(session, user.actor, inquiry_id, lang)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="invitation-{row.reference}.pdf"'})


@router.post("/desk/inquiries/{inquiry_id}/arrival", response_model=InquiryOut)
def arrival(inquiry_id: int, body: ArrivalIn, session: SessionDep,
            user: UserDep) -> InquiryOut:
    """Arrival, and admission (the case moves accepted -> admitted)."""
    return desk.view(desk_review.record_arrival(session, user.actor, inquiry_id, body),
                     user.actor)


@router.get("/desk/dashboard", response_model=DashboardOut)
def dashboard(session: SessionDep, user: UserDep) -> DashboardOut:
    """Open inquiries by country and status, days to first answer (median, p90), overdue."""
    return desk_dashboard.overview(session, user.actor)
