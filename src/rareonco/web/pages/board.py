"""Tumour board pages: meetings, attendance, agenda with case summaries, decisions, protocol."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from rareonco.errors import InvalidInput, RareOncoError
from rareonco.records.board import meetings as board
from rareonco.records.board import signing as board_signing
from rareonco.records.board.schemas import (
    DEFAULT_QUORUM,
    INTENTS,
    RECOMMENDATIONS,
    SPECIALTIES,
    AgendaIn,
    AttendeeIn,
    DecisionIn,
    MeetingIn,
)
from rareonco.records.board.views import meeting_view
from rareonco.regimens.library import all_regimens
from rareonco.web.deps import SessionDep, UserDep
from rareonco.web.error_handlers import validation_details
from rareonco.web.pages.render import render

router = APIRouter()

#: form prefix -> recommendation kind
REC_FIELDS = {"neo": "neoadjuvant_chemotherapy", "adj": "adjuvant_chemotherapy",
              "surg": "surgery", "hipec": "cytoreduction_hipec", "rt": "radiotherapy",
              "trial": "clinical_trial", "fu": "follow_up_only"}


def _vocab() -> dict[str, Any]:
    return {"specialties": SPECIALTIES, "default_quorum": DEFAULT_QUORUM, "intents": INTENTS,
            "recommendation_kinds": RECOMMENDATIONS, "rec_fields": REC_FIELDS,
            "regimens": [(r.id, r.name) for r in all_regimens()]}


def _invalid(exc: ValidationError) -> InvalidInput:
    d = validation_details(exc.errors())[0]
    return InvalidInput(d["field"], d["reason"])


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


@router.get("/board")
def meetings_page(request: Request, session: SessionDep, user: UserDep) -> Response:
    request.state.user = user
    meetings = board.list_meetings(session, user.actor)
    return render(request, "board/meetings.html", {
        "meetings": meetings, "chairs": board.chairs(session), **_vocab()})


@router.post("/board/meetings")
async def create_meeting(request: Request, session: SessionDep, user: UserDep) -> Response:
    request.state.user = user
    form = await request.form()
    try:
        day, time = _text(form, "date"), _text(form, "time") or "15:00"
        try:
            starts = datetime.fromisoformat(f"{day}T{time}")
        except ValueError:
            raise InvalidInput("date", "give the date and time of the meeting") from None
        data = MeetingIn(title=_text(form, "title") or "Sarcoma and rare tumours board",
                         starts_at=starts, place=_text(form, "place") or None,
                         video_link=_text(form, "video_link") or None,
                         chair_id=int(_text(form, "chair_id") or 0),
                         chair_specialty=_text(form, "chair_specialty") or None,
                         quorum=[str(q) for q in form.getlist("quorum")] or list(DEFAULT_QUORUM))
        meeting = board.create_meeting(session, user.actor, data)
    except ValidationError as exc:
        return _meetings_error(request, session, user, _invalid(exc))
    except RareOncoError as exc:
        return _meetings_error(request, session, user, exc)
    return RedirectResponse(f"/board/meetings/{meeting.id}", status_code=303)


def _meetings_error(request: Request, session: SessionDep, user: UserDep,
                    exc: RareOncoError) -> Response:
    session.rollback()
    return render(request, "board/meetings.html", {
        "meetings": board.list_meetings(session, user.actor), "chairs": board.chairs(session),
        "error": exc.message, **_vocab()}, status_code=exc.status_code)


def _meeting_page(request: Request, session: SessionDep, user: UserDep, meeting_id: int,
                  error: str | None = None, status_code: int = 200) -> Response:
    meeting = board.get_meeting(session, user.actor, meeting_id)
    on_agenda = {i.case_id for i in meeting.items}
    candidates = [c for c in board.candidate_cases(session, user.actor) if c.id not in on_agenda]
    return render(request, "board/meeting.html", {
        "m": meeting_view(meeting), "candidates": candidates, "error": error,
        "is_chair": user.actor.user_id == meeting.chair_id, **_vocab()},
        status_code=status_code)


@router.get("/board/meetings/{meeting_id}")
def meeting_page(meeting_id: int, request: Request, session: SessionDep,
                 user: UserDep) -> Response:
    request.state.user = user
    return _meeting_page(request, session, user, meeting_id)


async def _act(request: Request, session: SessionDep, user: UserDep, meeting_id: int,
               action: Any) -> Response:
    """Run a form action; on a refusal show the meeting page again with the reason."""
    request.state.user = user
    form = await request.form()
    try:
        with session.begin_nested():
            action(form)
    except ValidationError as exc:
        return _meeting_page(request, session, user, meeting_id, _invalid(exc).message, 422)
    except RareOncoError as exc:
        return _meeting_page(request, session, user, meeting_id, exc.message, exc.status_code)
    anchor = _text(form, "anchor")
    return RedirectResponse(f"/board/meetings/{meeting_id}" + (f"#{anchor}" if anchor else ""),
                            status_code=303)


@router.post("/board/meetings/{meeting_id}/attendees")
async def add_attendee(meeting_id: int, request: Request, session: SessionDep,
                       user: UserDep) -> Response:
    return await _act(request, session, user, meeting_id, lambda f: board.add_attendee(
        session, user.actor, meeting_id, AttendeeIn(
            name=_text(f, "name"), specialty=_text(f, "specialty"),
            present=True)))


@router.post("/board/meetings/{meeting_id}/attendees/{attendee_id}/presence")
async def toggle_presence(meeting_id: int, attendee_id: int, request: Request,
                          session: SessionDep, user: UserDep) -> Response:
    return await _act(request, session, user, meeting_id, lambda f: board.set_presence(
        session, user.actor, attendee_id, _text(f, "present") == "1"))


@router.post("/board/meetings/{meeting_id}/agenda")
async def add_item(meeting_id: int, request: Request, session: SessionDep,
                   user: UserDep) -> Response:
    return await _act(request, session, user, meeting_id, lambda f: board.add_item(
        session, user.actor, meeting_id, AgendaIn(case_id=int(_text(f, "case_id") or 0),
                                                  question=_text(f, "question"))))


@router.post("/board/meetings/{meeting_id}/items/{item_id}/summary")
async def refresh_summary(meeting_id: int, item_id: int, request: Request,
                          session: SessionDep, user: UserDep) -> Response:
    return await _act(request, session, user, meeting_id,
                      lambda f: board.refresh_summary(session, user.actor, item_id))


def decision_from_form(form: FormData) -> DecisionIn:
    """The decision form's fields as a DecisionIn (one checkbox and details per kind)."""
    recs = []
    for prefix, kind in REC_FIELDS.items():
        if not form.get(f"{prefix}_on"):
            continue
        cycles = _text(form, f"{prefix}_cycles")
        recs.append({"kind": kind, "regimen": _text(form, f"{prefix}_regimen") or None,
                     "cycles": int(cycles) if cycles.isdigit() else None,
                     "surgery_type": _text(form, f"{prefix}_type") or None,
                     "trial": _text(form, f"{prefix}_name") or None,
                     "detail": _text(form, f"{prefix}_detail")})
    dissent = []
    for line in _text(form, "dissent").splitlines():
        name, sep, opinion = line.partition(":")
        if line.strip():
            dissent.append({"name": name.strip() if sep else "—",
                            "opinion": (opinion if sep else line).strip()})
    version = _text(form, "version")
    return DecisionIn(intent=_text(form, "intent"), recommendations=recs,  # type: ignore[arg-type]
                      rationale=_text(form, "rationale"), dissent=dissent,  # type: ignore[arg-type]
                      guideline=_text(form, "guideline"), change_note=_text(form, "change_note"),
                      version=int(version) if version.isdigit() else None)


@router.post("/board/meetings/{meeting_id}/items/{item_id}/decision")
async def save_decision(meeting_id: int, item_id: int, request: Request, session: SessionDep,
                        user: UserDep) -> Response:
    return await _act(request, session, user, meeting_id, lambda f: board.save_decision(
        session, user.actor, item_id, decision_from_form(f)))


@router.post("/board/meetings/{meeting_id}/decisions/{decision_id}/sign")
async def sign(meeting_id: int, decision_id: int, request: Request, session: SessionDep,
               user: UserDep) -> Response:
    return await _act(request, session, user, meeting_id,
                      lambda f: board_signing.sign(session, user.actor, decision_id))


@router.get("/board/meetings/{meeting_id}/protocol.pdf")
def protocol(meeting_id: int, request: Request, session: SessionDep, user: UserDep,
             lang: str = "en") -> Response:
    pdf = board.protocol_pdf(session, user.actor, meeting_id, lang)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="board-{meeting_id}-{lang}.pdf"'})


@router.get("/cases/{case_id}/board")
def case_board_page(case_id: int, request: Request, session: SessionDep,
                    user: UserDep) -> Response:
    request.state.user = user
    from rareonco.records.cases import service as cases

    case = cases.read_view(session, user.actor, case_id)
    history = board.case_board(session, user.actor, case_id)
    upcoming = [m for m in board.list_meetings(session, user.actor)
                if all(i.case_id != case_id for i in m.items)]
    return render(request, "board/case_board.html", {
        "case": case, "history": history, "meetings": upcoming, **_vocab()})


@router.post("/cases/{case_id}/board")
async def put_on_agenda(case_id: int, request: Request, session: SessionDep,
                        user: UserDep) -> Response:
    request.state.user = user
    form = await request.form()
    meeting_id = int(_text(form, "meeting_id") or 0)
    board.add_item(session, user.actor, meeting_id,
                   AgendaIn(case_id=case_id, question=_text(form, "question")))
    return RedirectResponse(f"/board/meetings/{meeting_id}", status_code=303)


@router.post("/cases/{case_id}/tasks/{task_id}")
async def task_status(case_id: int, task_id: int, request: Request, session: SessionDep,
                      user: UserDep) -> Response:
    request.state.user = user
    form = await request.form()
    board.set_task_status(session, user.actor, task_id, _text(form, "status"))
    return RedirectResponse(f"/cases/{case_id}/board", status_code=303)
