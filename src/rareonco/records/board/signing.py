"""Signing a board decision, and what a signed decision does to the case.

Rules (each tested in tests/board/):
- only the meeting's chair signs, and only a draft;
- a decision is signed on or after the date of its meeting (`protocol_lock`);
- the meeting's quorum (present attendees covering the required specialties) must be met;
- a signed decision moves the case forward only: a case behind board_reviewed (diagnosis
  confirmed) moves to board_reviewed through `cases.transition` (which checks the pathway and
  its prerequisites, audits and writes the status_change event); a case already reviewed, in
  treatment or in follow-up stays where it is (never backwards); a case whose diagnosis is not
  confirmed yet (or declined, closed) is refused (`pathway.board_moves_case`);
- every signed version appears on the case timeline as a `board_decision` event;
- the recommendations become follow-on tasks on the case (plan a course, plan a resection...);
  an amendment cancels the open tasks it no longer recommends and adds the new ones.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.errors import Conflict, Forbidden, NotFound
from rareonco.i18n import N_
from rareonco.records.board import summary as board_summary
from rareonco.records.board.protocol_lock import require_signable_on
from rareonco.records.board.quorum import quorum
from rareonco.records.board.views import recommendation_text, task_for
from rareonco.records.cases import pathway
from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import EventIn, TransitionIn
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.accounts import User
from rareonco.store.tables.base import utcnow
from rareonco.store.tables.board import BoardDecision, CaseTask
from rareonco.store.tables.cases import Case

BOARD_REVIEWED = pathway.Status.BOARD_REVIEWED

#: The messages of this module, in one place (English; marked for translation)
MESSAGES: dict[str, str] = {
    "chair_only": N_("only the chair of the meeting signs its decisions"),
    "signed": N_("version %(version)s is already signed; edit to start a new version"),
    "no_quorum": N_("no quorum: missing %(missing)s"),
    "not_ready": N_("the case is %(status)s: a board decision is signed once the diagnosis is "
                    "confirmed (or during treatment / follow-up)"),
}


def sign(session: Session, actor: Actor, decision_id: int) -> BoardDecision:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    decision = session.get(BoardDecision, decision_id)
    if decision is None:
        raise NotFound(f"decision {decision_id} not found")
    item = decision.item
    meeting = item.meeting
    if actor.user_id != meeting.chair_id:
        raise Forbidden(MESSAGES["chair_only"])
    if decision.signed_at is not None:
        raise Conflict(MESSAGES["signed"] % {"version": decision.version_no})
    require_signable_on(meeting)
    q = quorum(meeting)
    if not q.met:
        raise Conflict(MESSAGES["no_quorum"] % {"missing": ", ".join(q.missing)},
                       missing=list(q.missing))
    case = session.get(Case, item.case_id)
    assert case is not None
    status = pathway.Status(case.status)
    moves = pathway.board_moves_case(status)
    if moves is None:
        raise Conflict(MESSAGES["not_ready"] % {"status": status.value}, current=status.value)
    summary = board_summary.build(session, case, item.question)  # may autoflush: build first
    decision.summary = summary
    decision.signer = session.get(User, actor.user_id)
    decision.signed_at = utcnow()
    session.flush()
    audit.record(session, actor, "sign", f"board_decision/{decision.id}",
                 f"case/{case.id};version={decision.version_no}")
    if moves:
        cases.transition(session, actor, case.id, TransitionIn(
            to=BOARD_REVIEWED.value,
            note=f"board meeting {meeting.id}, decision version {decision.version_no}"))
    _timeline(session, actor, decision, meeting.id)
    _tasks(session, decision)
    return decision


def _timeline(session: Session, actor: Actor, decision: BoardDecision, meeting_id: int) -> None:
    recs = "; ".join(recommendation_text(r) for r in decision.recommendations)
    version = f" (version {decision.version_no})" if decision.version_no > 1 else ""
    cases.add_event(session, actor, decision.case_id, EventIn(
        kind="board_decision", event_date=date.today(),
        summary=f"Tumour board{version}: {decision.intent} intent; {recs}",
        payload={"meeting_id": meeting_id, "decision_id": decision.id,
                 "version": decision.version_no, "intent": decision.intent,
                 "recommendations": decision.recommendations,
                 "guideline": decision.guideline}))


def _tasks(session: Session, decision: BoardDecision) -> None:
    wanted: dict[tuple[str, str], None] = {}  # ordered set of (kind, title)
    for rec in decision.recommendations:
        kind, title = task_for(rec)
        wanted.setdefault((kind, title), None)
    open_tasks = session.scalars(select(CaseTask).where(
        CaseTask.case_id == decision.case_id, CaseTask.status == "open",
        CaseTask.decision_id.is_not(None))).all()
    keep = set()
    for task in open_tasks:
        if (task.kind, task.title) in wanted:
            keep.add((task.kind, task.title))
        elif decision.version_no > 1 and _same_item(session, task, decision):
            task.status, task.closed_at = "cancelled", utcnow()
    for kind, title in wanted:
        if (kind, title) not in keep:
            session.add(CaseTask(case_id=decision.case_id, kind=kind, title=title,
                                 decision_id=decision.id))
    session.flush()


def _same_item(session: Session, task: CaseTask, decision: BoardDecision) -> bool:
    source = session.get(BoardDecision, task.decision_id) if task.decision_id else None
    return source is not None and source.item_id == decision.item_id
