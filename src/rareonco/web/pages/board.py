"""Tumour board pages: meetings, attendance, agenda with case summaries, decisions, protocol."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from rareonco.errors import InvalidInput
from rareonco.i18n import N_
from rareonco.records.board import meetings as board
from rareonco.records.board import signing as board_signing
from rareonco.records.board.schemas import (
    DEFAULT_QUORUM,
    INTENTS,
    RECOMMENDATIONS,
    SPECIALTIES,
    AddendumIn,
    AgendaIn,
    AttendeeIn,
    DecisionIn,
    MeetingIn,
)
from rareonco.records.board.views import meeting_row, meeting_view, recommendation_text, task_title
from rareonco.records.cases import service as cases
from rareonco.regimens.library import all_regimens
from rareonco.web.deps import CurrentUser, SessionDep
from rareonco.web.pages.forms import PageUserDep, form_action, form_text
from rareonco.web.pages.render import render

router = APIRouter()

MEETING_DATE = N_("give the date and time of the meeting")

#: form prefix -> recommendation kind
REC_FIELDS = {"neo": "neoadjuvant_chemotherapy", "adj": "adjuvant_chemotherapy",
              "surg": "surgery", "hipec": "cytoreduction_hipec", "rt": "radiotherapy",
              "trial": "clinical_trial", "fu": "follow_up_only"}


def _vocab() -> dict[str, Any]:
    return {"specialties": SPECIALTIES, "default_quorum": DEFAULT_QUORUM, "intents": INTENTS,
            "recommendation_kinds": RECOMMENDATIONS, "rec_fields": REC_FIELDS,
            "regimens": [(r.id, r.name) for r in all_regimens()], "task_title": task_title,
            "rec_text": lambda rec: recommendation_text(rec, translate=True)}


@router.get("/board")
def meetings_page(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    return _meetings_page(request, session, user)


def _meetings_page(request: Request, session: SessionDep, user: CurrentUser,
                   error: str | None = None, status_code: int = 200) -> Response:
    meetings = [meeting_row(m) for m in board.list_meetings(session, user.actor)]
    return render(request, "board/meetings.html", {
        "meetings": meetings, "chairs": board.chairs(session), "error": error, **_vocab()},
        status_code=status_code)


def _meeting_in(form: FormData) -> MeetingIn:
    day, time = form_text(form, "date"), form_text(form, "time") or "15:00"
    try:
        starts = datetime.fromisoformat(f"{day}T{time}")
    except ValueError:
        raise InvalidInput("date", MEETING_DATE) from None
    return MeetingIn(title=form_text(form, "title") or "Sarcoma and rare tumours board",
                     starts_at=starts, place=form_text(form, "place") or None,
                     video_link=form_text(form, "video_link") or None,
                     chair_id=int(form_text(form, "chair_id") or 0),
                     chair_specialty=form_text(form, "chair_specialty") or None,
                     quorum=[str(q) for q in form.getlist("quorum")] or list(DEFAULT_QUORUM))


@router.post("/board/meetings")
async def create_meeting(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    form = await request.form()
    done = form_action(
        session, lambda: board.create_meeting(session, user.actor, _meeting_in(form)),
        lambda message, status: _meetings_page(request, session, user, message, status))
    if isinstance(done, Response):
        return done
    return RedirectResponse(f"/board/meetings/{done.id}", status_code=303)


def _meeting_page(request: Request, session: SessionDep, user: CurrentUser, meeting_id: int,
                  error: str | None = None, status_code: int = 200) -> Response:
    meeting = board.get_meeting(session, user.actor, meeting_id)
    on_agenda = {i.case_id for i in meeting.items}
    candidates = [c for c in board.candidate_cases(session, user.actor) if c.id not in on_agenda]
    ready = board.imaged_cases(session, [c.id for c in candidates])
    return render(request, "board/meeting.html", {
        "m": meeting_view(meeting), "candidates": candidates, "ready": ready, "error": error,
        "is_chair": user.actor.user_id == meeting.chair_id, **_vocab()},
        status_code=status_code)


@router.get("/board/meetings/{meeting_id}")
def meeting_page(meeting_id: int, request: Request, session: SessionDep,
                 user: PageUserDep) -> Response:
    return _meeting_page(request, session, user, meeting_id)


async def _act(request: Request, session: SessionDep, user: CurrentUser, meeting_id: int,
               action: Callable[[FormData], object]) -> Response:
    """Run a form action; on a refusal show the meeting page again with the reason."""
    form = await request.form()
    done = form_action(
        session, lambda: action(form),
        lambda message, status: _meeting_page(request, session, user, meeting_id, message, status))
    if isinstance(done, Response):
        return done
    anchor = form_text(form, "anchor")
    return RedirectResponse(f"/board/meetings/{meeting_id}" + (f"#{anchor}" if anchor else ""),
                            status_code=303)


@router.post("/board/meetings/{meeting_id}/attendees")
async def add_attendee(meeting_id: int, request: Request, session: SessionDep,
                       user: PageUserDep) -> Response:
    return await _act(request, session, user, meeting_id, lambda f: board.add_attendee(
        session, user.actor, meeting_id, AttendeeIn(
            name=form_text(f, "name"), specialty=form_text(f, "specialty"),
            present=form_text(f, "present") == "1")))


@router.post("/board/meetings/{meeting_id}/addenda")
async def add_addendum(meeting_id: int, request: Request, session: SessionDep,
                       user: PageUserDep) -> Response:
    return await _act(request, session, user, meeting_id, lambda f: board.add_addendum(
        session, user.actor, meeting_id, AddendumIn(text=form_text(f, "text"))))


@router.post("/board/meetings/{meeting_id}/attendees/{attendee_id}/presence")
async def toggle_presence(meeting_id: int, attendee_id: int, request: Request,
                          session: SessionDep, user: PageUserDep) -> Response:
    return await _act(request, session, user, meeting_id, lambda f: board.set_presence(
        session, user.actor, attendee_id, form_text(f, "present") == "1"))


@router.post("/board/meetings/{meeting_id}/agenda")
async def add_item(meeting_id: int, request: Request, session: SessionDep,
                   user: PageUserDep) -> Response:
    return await _act(request, session, user, meeting_id, lambda f: board.add_item(
        session, user.actor, meeting_id, AgendaIn(case_id=int(form_text(f, "case_id") or 0),
                                                  question=form_text(f, "question"))))


@router.post("/board/meetings/{meeting_id}/items/{item_id}/summary")
async def refresh_summary(meeting_id: int, item_id: int, request: Request,
                          session: SessionDep, user: PageUserDep) -> Response:
    return await _act(request, session, user, meeting_id,
                      lambda f: board.refresh_summary(session, user.actor, item_id))


def decision_from_form(form: FormData) -> DecisionIn:
    """The decision form's fields as a DecisionIn (one checkbox and details per kind)."""
    recs = []
    for prefix, kind in REC_FIELDS.items():
        if not form.get(f"{prefix}_on"):
            continue
        cycles = form_text(form, f"{prefix}_cycles")
        recs.append({"kind": kind, "regimen": form_text(form, f"{prefix}_regimen") or None,
                     "cycles": int(cycles) if cycles.isdigit() else None,
                     "surgery_type": form_text(form, f"{prefix}_type") or None,
                     "trial": form_text(form, f"{prefix}_name") or None,
                     "detail": form_text(form, f"{prefix}_detail")})
    dissent = []
    for line in form_text(form, "dissent").splitlines():
        name, sep, opinion = line.partition(":")
        if line.strip():
            dissent.append({"name": name.strip() if sep else "—",
                            "opinion": (opinion if sep else line).strip()})
    version = form_text(form, "version")
    return DecisionIn(intent=form_text(form, "intent"), recommendations=recs,
                      rationale=form_text(form, "rationale"), dissent=dissent,
                      guideline=form_text(form, "guideline"),
                      change_note=form_text(form, "change_note"),
                      version=int(version) if version.isdigit() else None)


@router.post("/board/meetings/{meeting_id}/items/{item_id}/decision")
async def save_decision(meeting_id: int, item_id: int, request: Request, session: SessionDep,
                        user: PageUserDep) -> Response:
    return await _act(request, session, user, meeting_id, lambda f: board.save_decision(
        session, user.actor, item_id, decision_from_form(f)))


@router.post("/board/meetings/{meeting_id}/decisions/{decision_id}/sign")
async def sign(meeting_id: int, decision_id: int, request: Request, session: SessionDep,
               user: PageUserDep) -> Response:
    return await _act(request, session, user, meeting_id,
                      lambda f: board_signing.sign(session, user.actor, decision_id))


@router.get("/board/meetings/{meeting_id}/protocol.pdf")
def protocol(meeting_id: int, request: Request, session: SessionDep, user: PageUserDep,
             lang: str = "en") -> Response:
    pdf = board.protocol_pdf(session, user.actor, meeting_id, lang)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="board-{meeting_id}-{lang}.pdf"'})


@router.get("/cases/{case_id}/board")
def case_board_page(case_id: int, request: Request, session: SessionDep,
                    user: PageUserDep) -> Response:
    case = cases.read_view(session, user.actor, case_id)
    history = board.case_board(session, user.actor, case_id)
    upcoming = [m for m in board.list_meetings(session, user.actor)
                if all(i.case_id != case_id for i in m.items)]
    return render(request, "board/case_board.html", {
        "case": case, "history": history, "meetings": upcoming, **_vocab()})


@router.post("/cases/{case_id}/board")
async def put_on_agenda(case_id: int, request: Request, session: SessionDep,
                        user: PageUserDep) -> Response:
    form = await request.form()
    meeting_id = int(form_text(form, "meeting_id") or 0)
    board.add_item(session, user.actor, meeting_id,
                   AgendaIn(case_id=case_id, question=form_text(form, "question")))
    return RedirectResponse(f"/board/meetings/{meeting_id}", status_code=303)


@router.post("/cases/{case_id}/tasks/{task_id}")
async def task_status(case_id: int, task_id: int, request: Request, session: SessionDep,
                      user: PageUserDep) -> Response:
    form = await request.form()
    board.set_task_status(session, user.actor, task_id, form_text(form, "status"))
    return RedirectResponse(f"/cases/{case_id}/board", status_code=303)
