"""Tumour board: meetings, attendees, agenda with case summaries, decisions, protocol PDF."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from rareonco.records.board import meetings as board
from rareonco.records.board import signing as board_signing
from rareonco.records.board.schemas import (
    AddendumIn,
    AddendumOut,
    AgendaIn,
    AttendeeIn,
    CaseBoardOut,
    DecisionIn,
    DecisionOut,
    ItemOut,
    MeetingIn,
    MeetingOut,
    MeetingRowOut,
    PresenceIn,
    PresenceOut,
    TaskOut,
    TaskStatusIn,
)
from rareonco.records.board.views import (
    addendum_view,
    decision_view,
    item_view,
    meeting_row,
    meeting_view,
    task_view,
)
from rareonco.web.deps import SessionDep, UserDep

router = APIRouter(tags=["board"])

PDF: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    "description": "The meeting's protocol (PDF), in Russian or English."}}


@router.get("/board/meetings", response_model=list[MeetingRowOut])
def list_meetings(session: SessionDep, user: UserDep) -> list[MeetingRowOut]:
    return [meeting_row(m) for m in board.list_meetings(session, user.actor)]


@router.post("/board/meetings", status_code=status.HTTP_201_CREATED, response_model=MeetingOut)
def create_meeting(body: MeetingIn, session: SessionDep, user: UserDep) -> MeetingOut:
    return meeting_view(board.create_meeting(session, user.actor, body))


@router.get("/board/meetings/{meeting_id}", response_model=MeetingOut)
def read_meeting(meeting_id: int, session: SessionDep, user: UserDep) -> MeetingOut:
    """The meeting with attendees, quorum status and agenda (summaries, decision versions)."""
    return meeting_view(board.get_meeting(session, user.actor, meeting_id))


@router.post("/board/meetings/{meeting_id}/attendees", status_code=status.HTTP_201_CREATED,
             response_model=MeetingOut)
def add_attendee(meeting_id: int, body: AttendeeIn, session: SessionDep,
                 user: UserDep) -> MeetingOut:
    """Add an attendee; answers the whole meeting (attendees and quorum as they now stand)."""
    board.add_attendee(session, user.actor, meeting_id, body)
    return meeting_view(board.get_meeting(session, user.actor, meeting_id))


@router.post("/board/meetings/{meeting_id}/addenda", status_code=status.HTTP_201_CREATED,
             response_model=AddendumOut)
def add_addendum(meeting_id: int, body: AddendumIn, session: SessionDep,
                 user: UserDep) -> AddendumOut:
    """Record a correction to the meeting's protocol (the protocol locks once every decision
    on its agenda is signed: the meeting, agenda and attendance are then refused, 409)."""
    return addendum_view(board.add_addendum(session, user.actor, meeting_id, body))


@router.put("/board/attendees/{attendee_id}/presence", response_model=PresenceOut)
def set_presence(attendee_id: int, body: PresenceIn, session: SessionDep,
                 user: UserDep) -> PresenceOut:
    board.set_presence(session, user.actor, attendee_id, body.present)
    return PresenceOut(present=body.present)


@router.post("/board/meetings/{meeting_id}/agenda", status_code=status.HTTP_201_CREATED,
             response_model=ItemOut)
def add_item(meeting_id: int, body: AgendaIn, session: SessionDep, user: UserDep) -> ItemOut:
    """Put a case on the agenda; the case summary is built from what the case holds now."""
    return item_view(board.add_item(session, user.actor, meeting_id, body))


@router.get("/board/items/{item_id}", response_model=ItemOut)
def read_item(item_id: int, session: SessionDep, user: UserDep) -> ItemOut:
    return item_view(board.get_item(session, user.actor, item_id))


@router.post("/board/items/{item_id}/summary", response_model=ItemOut)
def refresh_summary(item_id: int, session: SessionDep, user: UserDep) -> ItemOut:
    return item_view(board.refresh_summary(session, user.actor, item_id))


@router.post("/board/items/{item_id}/decision", response_model=DecisionOut)
def save_decision(item_id: int, body: DecisionIn, session: SessionDep,
                  user: UserDep) -> DecisionOut:
    """Save the draft decision; after a signed version this starts the next version."""
    return decision_view(board.save_decision(session, user.actor, item_id, body))


@router.post("/board/decisions/{decision_id}/sign", response_model=DecisionOut)
def sign_decision(decision_id: int, session: SessionDep, user: UserDep) -> DecisionOut:
    """Sign as the chair: needs the quorum; moves the case and creates follow-on tasks."""
    return decision_view(board_signing.sign(session, user.actor, decision_id))


@router.get("/board/meetings/{meeting_id}/protocol.pdf", response_class=Response, responses=PDF)
def protocol_pdf(meeting_id: int, session: SessionDep, user: UserDep,
                 lang: str = Query("en", pattern="^(en|ru)$")) -> Response:
    pdf = board.protocol_pdf(session, user.actor, meeting_id, lang)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="board-{meeting_id}-{lang}.pdf"'})


@router.get("/cases/{case_id}/board", response_model=CaseBoardOut)
def case_board(case_id: int, session: SessionDep, user: UserDep) -> CaseBoardOut:
    """The case's board history (all decision versions) and its follow-on tasks."""
    return board.case_board(session, user.actor, case_id)


@router.put("/tasks/{task_id}", response_model=TaskOut)
def set_task_status(task_id: int, body: TaskStatusIn, session: SessionDep,
                    user: UserDep) -> TaskOut:
    return task_view(board.set_task_status(session, user.actor, task_id, body.status))
