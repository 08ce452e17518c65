"""International desk pages: the public inquiry form (no login, rate-limited), the dashboard,
coordinator entry, and the inquiry page (documents, review, opinion, visit, letter, arrival)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from rareonco.errors import InvalidInput
from rareonco.i18n.vocab import countries
from rareonco.records.board.meetings import chairs
from rareonco.records.desk import dashboard as desk_dashboard
from rareonco.records.desk import identity as desk_identity
from rareonco.records.desk import inquiries as desk
from rareonco.records.desk import review as desk_review
from rareonco.records.desk.schemas import (
    CLOSE_REASONS,
    OPEN_STATUSES,
    OUTCOMES,
    STATUSES,
    TRANSLATION,
    ArrivalIn,
    AssignIn,
    CloseIn,
    IdentityChoiceIn,
    InquiryIn,
    OpinionIn,
    TranslationIn,
    VisitIn,
)
from rareonco.security.roles import Permission, require
from rareonco.store.tables.desk import Inquiry
from rareonco.web.deps import CurrentUser, SessionDep, client_address
from rareonco.web.error_handlers import validation_details
from rareonco.web.pages.forms import PageUserDep, form_action, form_text
from rareonco.web.pages.intake import IDENTITY_FIELDS
from rareonco.web.pages.render import render
from rareonco.web.ratelimit import inquiry_limiter

router = APIRouter()
FIELDS = ("family_name", "given_names", "birth_date", "sex", "citizenship", "residence_country",
          "preferred_language", "passport_number", "email", "phone", "referring_institution",
          "diagnosis_text", "message")
LANGUAGES = ("ru", "en", "uz", "tg", "kk", "ky", "tk", "az", "hy", "ka", "mn", "fa")


def _form_ctx(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {"v": values, "errors": errors, "public_page": True, "languages": LANGUAGES,
            "countries": sorted(countries().items(), key=lambda kv: kv[1]),
            "today": date.today().isoformat()}


def _files(form: FormData) -> list[desk.Upload]:
    return [desk.Upload(f.filename, f.file) for f in form.getlist("files")
            if isinstance(f, UploadFile) and f.filename]


def _parse_inquiry(form: FormData) -> tuple[InquiryIn | None, dict[str, str], dict[str, Any]]:
    values = {k: v.strip() for k in FIELDS if isinstance(v := form.get(k), str)}
    try:
        return InquiryIn(**{k: v for k, v in values.items() if v}), {}, values
    except ValidationError as exc:  # every field at fault is marked beside it, not only the first
        details = validation_details(exc.errors())
        return None, {d["field"]: d["reason"] for d in details}, values


def _submit(session: SessionDep, act: Callable[[], Inquiry]) -> tuple[Inquiry | None,
                                                                          dict[str, str]]:
    """Register the inquiry in a savepoint; a refused input (a file's type or size) comes back
    as {field: reason}. Not `form_action`: the inquiry form marks the field at fault (the files
    apart), so it needs the field as well as the message."""
    try:
        with session.begin_nested():
            return act(), {}
    except InvalidInput as exc:
        return None, {exc.field: exc.reason}


@router.get("/inquiry")
def inquiry_form(request: Request) -> Response:
    return render(request, "desk/inquiry_form.html", _form_ctx({}, {}))


@router.post("/inquiry")
async def inquiry_submit(request: Request, session: SessionDep) -> Response:
    form = await request.form()
    data, errors, values = _parse_inquiry(form)
    if form.get("website"):  # a field people do not see: only robots fill it in
        return render(request, "desk/inquiry_thanks.html", {"reference": None, "public_page": True})
    if not form.get("consent"):
        errors["consent"] = "consent is needed to process the data"
    if errors or data is None:
        return render(request, "desk/inquiry_form.html", _form_ctx(values, errors), 422)
    ok, retry = inquiry_limiter(request.app).allow(client_address(request))
    if not ok:
        return render(request, "desk/inquiry_form.html", _form_ctx(values, {
            "form": f"too many inquiries from this address; try again in {retry // 60 + 1} min"}),
            429)
    settings = request.app.state.settings
    row, errors = _submit(session, lambda: desk.submit(
        session, desk.public_actor(client_address(request)), data, _files(form),
        settings.ensure_data_dir(), settings.max_upload_mb * 2**20))
    if row is None:
        return render(request, "desk/inquiry_form.html", _form_ctx(values, errors), 422)
    return render(request, "desk/inquiry_thanks.html", {"reference": row.reference,
                                                        "public_page": True})


@router.get("/desk")
def dashboard(request: Request, session: SessionDep, user: PageUserDep, status: str = "",
              country: str = "") -> Response:
    board = desk_dashboard.overview(session, user.actor)
    rows = desk.search(session, user.actor, status or None, country or None,
                       open_only=not status)
    return render(request, "desk/dashboard.html", {
        "d": board, "rows": rows, "status": status, "country": country, "statuses": STATUSES,
        "overdue_ids": {o.inquiry_id for o in board.overdue}})


@router.get("/desk/inquiries/new")
def entry_form(request: Request, user: PageUserDep) -> Response:
    require(user.actor.role, Permission.REFERRAL_WRITE)
    return render(request, "desk/inquiry_form.html", {**_form_ctx({}, {}), "public_page": False,
                                                      "staff": True})


@router.post("/desk/inquiries/new")
async def entry_submit(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    form = await request.form()
    data, errors, values = _parse_inquiry(form)
    ctx = {"public_page": False, "staff": True}
    if errors or data is None:
        return render(request, "desk/inquiry_form.html", {**_form_ctx(values, errors), **ctx}, 422)
    settings = request.app.state.settings
    row, errors = _submit(session, lambda: desk.submit(
        session, user.actor, data, _files(form), settings.ensure_data_dir(),
        settings.max_upload_mb * 2**20, source="coordinator"))
    if row is None:
        return render(request, "desk/inquiry_form.html", {**_form_ctx(values, errors), **ctx}, 422)
    return RedirectResponse(f"/desk/inquiries/{row.id}", status_code=303)


def _page(request: Request, session: SessionDep, user: CurrentUser, inquiry_id: int,
          error: str | None = None, status_code: int = 200) -> Response:
    row = desk.get(session, user.actor, inquiry_id)
    return render(request, "desk/inquiry.html", {
        "i": desk.view(row, user.actor), "error": error, "reviewers": chairs(session),
        "statuses": STATUSES, "outcomes": OUTCOMES, "translation": TRANSLATION,
        "close_reasons": CLOSE_REASONS, "open_statuses": OPEN_STATUSES,
        "field_names": IDENTITY_FIELDS,
        "today": date.today().isoformat()}, status_code=status_code)


@router.get("/desk/inquiries/{inquiry_id}")
def inquiry_page(inquiry_id: int, request: Request, session: SessionDep,
                 user: PageUserDep) -> Response:
    return _page(request, session, user, inquiry_id)


async def _act(request: Request, session: SessionDep, user: CurrentUser, inquiry_id: int,
               action: Callable[[FormData], object]) -> Response:
    """Run a form action; on a refusal show the inquiry page again with the reason."""
    form = await request.form()
    done = form_action(
        session, lambda: action(form),
        lambda message, status: _page(request, session, user, inquiry_id, message, status))
    if isinstance(done, Response):
        return done
    return RedirectResponse(f"/desk/inquiries/{inquiry_id}", status_code=303)


def _version(text: str) -> int | None:
    return int(text) if text.isdigit() else None


@router.post("/desk/inquiries/{inquiry_id}/assign")
async def assign(inquiry_id: int, request: Request, session: SessionDep,
                 user: PageUserDep) -> Response:
    return await _act(request, session, user, inquiry_id, lambda f: desk_review.assign(
        session, user.actor, inquiry_id,
        AssignIn(reviewer_id=int(form_text(f, "reviewer_id") or 0))))


@router.post("/desk/inquiries/{inquiry_id}/opinion")
async def opinion(inquiry_id: int, request: Request, session: SessionDep,
                  user: PageUserDep) -> Response:
    return await _act(request, session, user, inquiry_id, lambda f: desk_review.write_opinion(
        session, user.actor, inquiry_id, OpinionIn(
            outcome=form_text(f, "outcome"), text=form_text(f, "text"),
            reason=form_text(f, "reason"),
            missing_items=[x.strip() for x in form_text(f, "missing_items").splitlines()
                           if x.strip()])))


@router.post("/desk/inquiries/{inquiry_id}/identity")
async def resolve_identity(inquiry_id: int, request: Request, session: SessionDep,
                           user: PageUserDep) -> Response:
    return await _act(request, session, user, inquiry_id, lambda f: desk_identity.resolve(
        session, user.actor, inquiry_id, _choice(f)))


@router.post("/desk/inquiries/{inquiry_id}/relink")
async def relink(inquiry_id: int, request: Request, session: SessionDep,
                 user: PageUserDep) -> Response:
    return await _act(request, session, user, inquiry_id, lambda f: desk_identity.relink(
        session, user.actor, inquiry_id, _choice(f)))


def _choice(form: FormData) -> IdentityChoiceIn:
    pid = form_text(form, "patient_id")
    return IdentityChoiceIn(patient_id=int(pid) if pid.isdigit() else None,
                            reason=form_text(form, "reason"))


@router.post("/desk/inquiries/{inquiry_id}/close")
async def close(inquiry_id: int, request: Request, session: SessionDep,
                user: PageUserDep) -> Response:
    return await _act(request, session, user, inquiry_id, lambda f: desk_review.close(
        session, user.actor, inquiry_id, CloseIn(
            reason=form_text(f, "reason"), note=form_text(f, "note"),
            version=_version(form_text(f, "version")))))


@router.post("/desk/inquiries/{inquiry_id}/documents")
async def documents(inquiry_id: int, request: Request, session: SessionDep,
                    user: PageUserDep) -> Response:
    s = request.app.state.settings
    return await _act(request, session, user, inquiry_id, lambda f: desk.add_documents(
        session, user.actor, inquiry_id, _files(f), s.ensure_data_dir(), s.max_upload_mb * 2**20,
        form_text(f, "translation_status") or "not_needed"))


@router.post("/desk/inquiries/{inquiry_id}/documents/{document_id}/translation")
async def translation(inquiry_id: int, document_id: int, request: Request, session: SessionDep,
                      user: PageUserDep) -> Response:
    return await _act(request, session, user, inquiry_id, lambda f: desk_review.set_translation(
        session, user.actor, document_id, TranslationIn(status=form_text(f, "status"))))


@router.post("/desk/inquiries/{inquiry_id}/visit")
async def visit(inquiry_id: int, request: Request, session: SessionDep,
                user: PageUserDep) -> Response:
    return await _act(request, session, user, inquiry_id, lambda f: desk_review.plan_visit(
        session, user.actor, inquiry_id, VisitIn(
            planned_arrival=form_text(f, "planned_arrival"),
            planned_departure=form_text(f, "planned_departure") or None,
            department=form_text(f, "department"),
            interpreter_needed=bool(f.get("interpreter_needed")),
            letter_language=form_text(f, "letter_language") or "en")))


@router.post("/desk/inquiries/{inquiry_id}/arrival")
async def arrival(inquiry_id: int, request: Request, session: SessionDep,
                  user: PageUserDep) -> Response:
    return await _act(request, session, user, inquiry_id, lambda f: desk_review.record_arrival(
        session, user.actor, inquiry_id, ArrivalIn(
            arrival_date=form_text(f, "arrival_date"),
            admission_date=form_text(f, "admission_date") or None)))


@router.get("/desk/inquiries/{inquiry_id}/invitation.pdf")
def invitation(inquiry_id: int, request: Request, session: SessionDep, user: PageUserDep,
               lang: str | None = None) -> Response:
    row, pdf = desk_review.invitation_letter(session, user.actor, inquiry_id, lang)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="invitation-{row.reference}.pdf"'})
