"""International desk: public inquiries, coordinator entry, remote review, visit logistics,
invitation letter, dashboard."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from rareonco.errors import TooManyRequests
from rareonco.records.desk import dashboard as desk_dashboard
from rareonco.records.desk import inquiries as desk
from rareonco.records.desk import review as desk_review
from rareonco.records.desk.schemas import (
    ArrivalIn,
    AssignIn,
    CloseIn,
    InquiryIn,
    OpinionIn,
    TranslationIn,
    VisitIn,
)
from rareonco.web.deps import SessionDep, UserDep, client_address
from rareonco.web.error_handlers import validation_details
from rareonco.web.ratelimit import inquiry_limiter

router = APIRouter(tags=["desk"])


def _uploads(files: list[UploadFile]) -> list[desk.Upload]:
    return [desk.Upload(f.filename or "upload", f.file) for f in files if f.filename]


def _limits(request: Request) -> tuple[Any, int]:
    s = request.app.state.settings
    return s.ensure_data_dir(), s.max_upload_mb * 2**20


@router.post("/public/inquiries", status_code=status.HTTP_201_CREATED)
def public_inquiry(request: Request, session: SessionDep,
                   inquiry: Annotated[str, Form(description="InquiryIn as JSON")],
                   files: Annotated[list[UploadFile], File()] = []) -> Response:  # noqa: B006
    """No login: an inquiry from abroad with its documents; 5 per hour per client address."""
    ok, retry = inquiry_limiter(request.app).allow(client_address(request))
    if not ok:
        raise TooManyRequests("too many inquiries from this address; try later", retry)
    try:
        data = InquiryIn.model_validate_json(inquiry)
    except ValidationError as exc:
        details = validation_details(exc.errors())
        return JSONResponse({"error": details[0]["reason"], "field": details[0]["field"],
                             "detail": details}, status_code=422)
    data_dir, max_bytes = _limits(request)
    row = desk.submit(session, desk.public_actor(client_address(request)), data,
                      _uploads(files), data_dir, max_bytes)
    return JSONResponse({"reference": row.reference}, status_code=201)


@router.post("/desk/inquiries", status_code=status.HTTP_201_CREATED)
def enter_inquiry(body: InquiryIn, request: Request, session: SessionDep,
                  user: UserDep) -> dict[str, Any]:
    """Coordinator entry (documents follow with POST .../documents)."""
    data_dir, max_bytes = _limits(request)
    row = desk.submit(session, user.actor, body, [], data_dir, max_bytes, source="coordinator")
    return desk.view(row, user.actor)


@router.get("/desk/inquiries")
def list_inquiries(session: SessionDep, user: UserDep, status_: str | None = Query(
        None, alias="status"), country: str | None = None,
        open_only: bool = False) -> list[dict[str, Any]]:
    return [desk.view(r, user.actor)
            for r in desk.search(session, user.actor, status_, country, open_only)]


@router.get("/desk/inquiries/{inquiry_id}")
def read_inquiry(inquiry_id: int, session: SessionDep, user: UserDep) -> dict[str, Any]:
    return desk.view(desk.get(session, user.actor, inquiry_id), user.actor)


@router.post("/desk/inquiries/{inquiry_id}/documents", status_code=status.HTTP_201_CREATED)
def add_documents(inquiry_id: int, request: Request, session: SessionDep, user: UserDep,
                  files: Annotated[list[UploadFile], File()],
                  translation_status: Annotated[str, Form()] = "not_needed") -> dict[str, Any]:
    data_dir, max_bytes = _limits(request)
    row = desk.add_documents(session, user.actor, inquiry_id, _uploads(files), data_dir,
                             max_bytes, translation_status)
    return desk.view(row, user.actor)


@router.post("/desk/inquiries/{inquiry_id}/assign")
def assign(inquiry_id: int, body: AssignIn, session: SessionDep,
           user: UserDep) -> dict[str, Any]:
    """Give the inquiry to a specialist; the case moves to remote_review."""
    return desk.view(desk_review.assign(session, user.actor, inquiry_id, body), user.actor)


@router.post("/desk/inquiries/{inquiry_id}/close")
def close(inquiry_id: int, body: CloseIn, session: SessionDep,
          user: UserDep) -> dict[str, Any]:
    """Close an open inquiry as spam, a duplicate, withdrawn or for another stated reason."""
    return desk.view(desk_review.close(session, user.actor, inquiry_id, body), user.actor)


@router.post("/desk/inquiries/{inquiry_id}/opinion", status_code=status.HTTP_201_CREATED)
def opinion(inquiry_id: int, body: OpinionIn, session: SessionDep,
            user: UserDep) -> dict[str, Any]:
    """The assigned specialist's opinion: accept, more_data (with missing_items) or decline."""
    desk_review.write_opinion(session, user.actor, inquiry_id, body)
    return desk.view(desk.get(session, user.actor, inquiry_id), user.actor)


@router.put("/desk/documents/{document_id}/translation")
def translation(document_id: int, body: TranslationIn, session: SessionDep,
                user: UserDep) -> dict[str, Any]:
    doc = desk_review.set_translation(session, user.actor, document_id, body)
    return {"id": doc.id, "translation_status": doc.translation_status}


@router.put("/desk/inquiries/{inquiry_id}/visit")
def plan_visit(inquiry_id: int, body: VisitIn, session: SessionDep,
               user: UserDep) -> dict[str, Any]:
    return desk.view(desk_review.plan_visit(session, user.actor, inquiry_id, body), user.actor)


@router.get("/desk/inquiries/{inquiry_id}/invitation.pdf")
def invitation(inquiry_id: int, session: SessionDep, user: UserDep,
               lang: str | None = Query(None, pattern="^(en|ru)$")) -> Response:
    row, pdf = desk_review.invitation_letter(session, user.actor, inquiry_id, lang)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="invitation-{row.reference}.pdf"'})


@router.post("/desk/inquiries/{inquiry_id}/arrival")
def arrival(inquiry_id: int, body: ArrivalIn, session: SessionDep,
            user: UserDep) -> dict[str, Any]:
    """Arrival, and admission (the case moves accepted -> admitted)."""
    return desk.view(desk_review.record_arrival(session, user.actor, inquiry_id, body),
                     user.actor)


@router.get("/desk/dashboard")
def dashboard(session: SessionDep, user: UserDep) -> dict[str, Any]:
    """Open inquiries by country and status, days to first answer (median, p90), overdue."""
    return asdict(desk_dashboard.build(session, user.actor))
