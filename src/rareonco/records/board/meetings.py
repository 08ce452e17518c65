"""The multidisciplinary tumour board: meetings, attendance and quorum, agenda with automatic
case summaries, and decisions kept as versions (drafts editable, signed versions never changed).

Signing, and what a signed decision does to the case, is in `signing.py`.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from rareonco import i18n
from rareonco.errors import Conflict, InvalidInput, NotFound
from rareonco.i18n import N_
from rareonco.records.board import summary as board_summary
from rareonco.records.board import views as board_views
from rareonco.records.board.protocol_lock import has_started, require_open, require_started
from rareonco.records.board.schemas import (
    TASK_STATUSES,
    AddendumIn,
    AgendaIn,
    AttendeeIn,
    CaseBoardOut,
    DecisionIn,
    MeetingIn,
)
from rareonco.records.versions import require_version
from rareonco.reports import board_protocol
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, can, require
from rareonco.store.tables.accounts import User
from rareonco.store.tables.base import utcnow
from rareonco.store.tables.board import (
    BoardAddendum,
    BoardAgendaItem,
    BoardAttendee,
    BoardDecision,
    BoardMeeting,
    CaseTask,
)
from rareonco.store.tables.cases import Case, TimelineEvent
from rareonco.store.tables.imaging import ImagingStudy

#: The refusals of this module (English, as the API answers; pages show them translated)
MESSAGES: dict[str, str] = {
    "inactive": N_("user %(user)s is not an active account"),
    "may_not_sign": N_("%(user)s (%(role)s) may not sign a decision"),
    "no_user": N_("user %(user)s not found"),
    "on_agenda": N_("case %(case)s is already on this meeting's agenda"),
    "change_note": N_("a new version of a signed decision says what changed and why"),
    "concurrent": N_("the draft was changed concurrently; reload"),
}


def _chair(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise InvalidInput("chair_id", MESSAGES["inactive"] % {"user": user_id})
    if not can(user.role, Permission.CASE_WRITE_CLINICAL):
        raise InvalidInput("chair_id", MESSAGES["may_not_sign"] % {"user": user.username,
                                                                   "role": user.role})
    return user


def create_meeting(session: Session, actor: Actor, data: MeetingIn) -> BoardMeeting:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    chair = _chair(session, data.chair_id)
    meeting = BoardMeeting(title=data.title, starts_at=data.starts_at, place=data.place,
                           video_link=data.video_link, chair_id=chair.id,
                           quorum=list(data.quorum), created_by=actor.user_id)
    if data.chair_specialty:
        meeting.attendees.append(BoardAttendee(user_id=chair.id, name=chair.full_name
                                               or chair.username,
                                               specialty=data.chair_specialty,
                                               # recording a meeting already held: the chair
                                               # records it; a future one: nobody present yet
                                               present=has_started(meeting)))
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "create", f"board_meeting/{meeting.id}")
    return meeting


def _meeting(session: Session, meeting_id: int) -> BoardMeeting:
    meeting = session.scalar(select(BoardMeeting).where(BoardMeeting.id == meeting_id).options(
        selectinload(BoardMeeting.attendees), selectinload(BoardMeeting.addenda),
        selectinload(BoardMeeting.items).selectinload(BoardAgendaItem.decisions)))
    if meeting is None:
        raise NotFound(f"board meeting {meeting_id} not found")
    return meeting


def get_meeting(session: Session, actor: Actor, meeting_id: int) -> BoardMeeting:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    meeting = _meeting(session, meeting_id)
    audit.record(session, actor, "read", f"board_meeting/{meeting_id}",
                 ";".join(f"case/{i.case_id}" for i in meeting.items))
    return meeting


def protocol_pdf(session: Session, actor: Actor, meeting_id: int, lang: str) -> bytes:
    """The meeting's protocol as a PDF in Russian or English (read and audited as the meeting)."""
    if lang not in ("en", "ru"):
        raise InvalidInput("lang", "en or ru")
    meeting = get_meeting(session, actor, meeting_id)
    with i18n.use_locale(lang):  # labels inside the view are translated too
        view = board_views.meeting_view(meeting)
    return board_protocol.protocol_pdf(view.model_dump(), lang)  # reports take plain values


def list_meetings(session: Session, actor: Actor, limit: int = 100) -> list[BoardMeeting]:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    rows = session.scalars(select(BoardMeeting).options(selectinload(BoardMeeting.items))
                           .order_by(BoardMeeting.starts_at.desc()).limit(limit)).all()
    audit.record(session, actor, "search", "board_meetings", f"results={len(rows)}")
    return list(rows)


def add_attendee(session: Session, actor: Actor, meeting_id: int,
                 data: AttendeeIn) -> BoardAttendee:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    meeting = _meeting(session, meeting_id)
    require_open(meeting)
    if data.present:
        require_started(meeting)
    if data.user_id is not None and session.get(User, data.user_id) is None:
        raise InvalidInput("user_id", MESSAGES["no_user"] % {"user": data.user_id})
    attendee = BoardAttendee(meeting_id=meeting.id, **data.model_dump())
    session.add(attendee)
    session.flush()
    audit.record(session, actor, "create", f"board_meeting/{meeting_id}/attendee/{attendee.id}",
                 data.specialty)
    return attendee


def set_presence(session: Session, actor: Actor, attendee_id: int, present: bool) -> None:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    attendee = session.get(BoardAttendee, attendee_id)
    if attendee is None:
        raise NotFound(f"attendee {attendee_id} not found")
    meeting = _meeting(session, attendee.meeting_id)
    require_open(meeting)
    if present:
        require_started(meeting)
    attendee.present = present
    session.flush()
    audit.record(session, actor, "update",
                 f"board_meeting/{attendee.meeting_id}/attendee/{attendee_id}",
                 f"present={present}")


def add_addendum(session: Session, actor: Actor, meeting_id: int,
                 data: AddendumIn) -> BoardAddendum:
    """Record a correction to the meeting's protocol (once the meeting has started; the way to
    correct a locked protocol)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    meeting = _meeting(session, meeting_id)
    require_started(meeting)
    addendum = BoardAddendum(meeting_id=meeting.id, text=data.text, author_id=actor.user_id)
    session.add(addendum)
    session.flush()
    session.refresh(meeting, ["addenda"])
    audit.record(session, actor, "create", f"board_meeting/{meeting_id}/addendum/{addendum.id}",
                 ";".join(f"case/{i.case_id}" for i in meeting.items))
    return addendum


def add_item(session: Session, actor: Actor, meeting_id: int, data: AgendaIn) -> BoardAgendaItem:
    """Put a case on the meeting's agenda, with its summary as the case stands now."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    meeting = _meeting(session, meeting_id)
    require_open(meeting)
    case = session.get(Case, data.case_id)
    if case is None:
        raise NotFound(f"case {data.case_id} not found")
    if any(i.case_id == case.id for i in meeting.items):
        raise Conflict(MESSAGES["on_agenda"] % {"case": case.id})
    position = (session.scalar(select(func.max(BoardAgendaItem.position))
                               .where(BoardAgendaItem.meeting_id == meeting.id)) or 0) + 1
    item = BoardAgendaItem(meeting_id=meeting.id, case_id=case.id, position=position,
                           question=data.question,
                           summary=board_summary.build(session, case, data.question))
    session.add(item)
    session.flush()
    audit.record(session, actor, "create", f"board_item/{item.id}",
                 f"board_meeting/{meeting_id};case/{case.id};patient/{case.patient_id}")
    return item


def get_item(session: Session, actor: Actor, item_id: int) -> BoardAgendaItem:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    item = session.get(BoardAgendaItem, item_id)
    if item is None:
        raise NotFound(f"agenda item {item_id} not found")
    audit.record(session, actor, "read", f"board_item/{item_id}", f"case/{item.case_id}")
    return item


def refresh_summary(session: Session, actor: Actor, item_id: int) -> BoardAgendaItem:
    """Rebuild the summary from what the case holds now (before the decision is signed)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    item = get_item(session, actor, item_id)
    require_open(_meeting(session, item.meeting_id))
    item.summary = board_summary.build(session, item.case, item.question)
    item.summary_at = utcnow()
    session.flush()
    return item


def latest_decision(item: BoardAgendaItem) -> BoardDecision | None:
    return item.decisions[-1] if item.decisions else None


def current_decision(item: BoardAgendaItem) -> BoardDecision | None:
    """The decision in force: the highest signed version."""
    signed = [d for d in item.decisions if d.signed_at is not None]
    return signed[-1] if signed else None


def save_decision(session: Session, actor: Actor, item_id: int,
                  data: DecisionIn) -> BoardDecision:
    """Write the draft of the item's decision: edit the open draft, or start the next version
    when the latest is signed (a signed version is never changed)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    item = session.get(BoardAgendaItem, item_id)
    if item is None:
        raise NotFound(f"agenda item {item_id} not found")
    values = data.model_dump(exclude={"version"})
    draft = latest_decision(item)
    if draft is not None and draft.signed_at is None:
        require_version("the draft", draft.version, data.version)
        for key, value in values.items():
            setattr(draft, key, value)
        action = "update"
    else:
        if draft is not None and not data.change_note:
            raise InvalidInput("change_note", MESSAGES["change_note"])
        draft = BoardDecision(item_id=item.id, case_id=item.case_id,
                              version_no=(draft.version_no + 1) if draft else 1,
                              created_by=actor.user_id, **values)
        session.add(draft)
        action = "create"
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(MESSAGES["concurrent"]) from exc
    session.refresh(item, ["decisions"])
    audit.record(session, actor, action, f"board_decision/{draft.id}",
                 f"case/{item.case_id};version={draft.version_no}")
    return draft


def tasks_of_case(session: Session, case_id: int) -> list[CaseTask]:
    return list(session.scalars(select(CaseTask).where(CaseTask.case_id == case_id)
                                .order_by(CaseTask.id)).all())


def case_board(session: Session, actor: Actor, case_id: int) -> CaseBoardOut:
    """The case's board history (every item and decision version) and its follow-on tasks."""
    require(actor.role, Permission.CASE_READ_CLINICAL)
    if session.get(Case, case_id) is None:
        raise NotFound(f"case {case_id} not found")
    items = session.scalars(select(BoardAgendaItem).where(BoardAgendaItem.case_id == case_id)
                            .options(selectinload(BoardAgendaItem.meeting),
                                     selectinload(BoardAgendaItem.decisions))
                            .order_by(BoardAgendaItem.id)).all()
    audit.record(session, actor, "read", f"case/{case_id}/board")
    return CaseBoardOut(case_id=case_id, items=[board_views.item_view(i) for i in items],
                        tasks=[board_views.task_view(t) for t in tasks_of_case(session, case_id)])


def set_task_status(session: Session, actor: Actor, task_id: int, status: str) -> CaseTask:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    if status not in TASK_STATUSES:
        raise InvalidInput("status", "one of " + ", ".join(TASK_STATUSES))
    task = session.get(CaseTask, task_id)
    if task is None:
        raise NotFound(f"task {task_id} not found")
    task.status = status
    task.closed_at = None if status == "open" else utcnow()
    task.closed_by = None if status == "open" else actor.user_id
    session.flush()
    audit.record(session, actor, "update", f"case/{task.case_id}/task/{task_id}", status)
    return task


BOARD_READY = ("diagnosis_confirmed", "board_reviewed", "in_treatment", "follow_up")


def candidate_cases(session: Session, actor: Actor, limit: int = 200) -> list[Case]:
    """Cases that can be put before the board (diagnosis confirmed, reviewed, in treatment or
    follow-up), the ready ones first: diagnosis confirmed with imaging present (an `imaging`
    event or a CT study); newest first within each group."""
    require(actor.role, Permission.CASE_READ_CLINICAL)
    rows = session.scalars(select(Case).where(Case.status.in_(BOARD_READY))
                           .options(selectinload(Case.patient)).order_by(Case.id.desc())
                           .limit(limit)).all()
    imaged = imaged_cases(session, [c.id for c in rows])
    ordered = sorted(rows, key=lambda c: c.id not in imaged)  # stable: newest first in each
    audit.record(session, actor, "search", "cases", f"board candidates;results={len(rows)}")
    return ordered


def imaged_cases(session: Session, case_ids: list[int]) -> set[int]:
    """Which of the cases have imaging (an `imaging` timeline event or a CT study): with the
    diagnosis confirmed, they are ready for the board."""
    imaged = set(session.scalars(select(TimelineEvent.case_id).where(
        TimelineEvent.case_id.in_(case_ids), TimelineEvent.kind == "imaging")).all())
    imaged |= set(session.scalars(select(ImagingStudy.case_id).where(
        ImagingStudy.case_id.in_(case_ids))).all())
    return imaged


def chairs(session: Session) -> list[User]:
    """Accounts that may chair (sign): active users whose role writes clinical records."""
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    return [u for u in users if can(u.role, Permission.CASE_WRITE_CLINICAL)]
