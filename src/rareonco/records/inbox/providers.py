"""Task providers, one per feature: ``provider(session, actor, today) -> list[TaskOut]``.

Each provider checks what the actor's role may see and returns [] otherwise (a provider never
refuses: the inbox shows what there is). Providers only read; the inbox records the read.

What "due" means here:
- desk: an unanswered inquiry is due `ANSWER_DUE_DAYS` after it arrived (the desk's own rule);
  an accepted patient on the planned arrival day;
- board: a case with its diagnosis confirmed waits for the board (no date); a case on the agenda
  of a coming meeting is due on the meeting day;
- case tasks (from signed board decisions): on their due date when one is set;
- follow-up: no record stores the next visit, so it is computed from the case's entry into
  follow-up (its `status_change` event) with `clinical.followup.followup_schedule` (ESMO 2021:
  bone sarcoma for ICD-O-3 topography C40/C41, soft tissue otherwise), counting the
  `follow_up_visit` events since; shown from `FOLLOW_UP_NOTICE_DAYS` before the date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from rareonco.clinical.followup import followup_schedule
from rareonco.records.desk.schemas import ANSWER_DUE_DAYS
from rareonco.records.inbox.schemas import TaskOut
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, Role, can
from rareonco.store.tables.board import BoardAgendaItem, BoardDecision, BoardMeeting, CaseTask
from rareonco.store.tables.cases import Case, TimelineEvent
from rareonco.store.tables.desk import Inquiry
from rareonco.store.tables.patients import Patient

LIMIT = 200
FOLLOW_UP_NOTICE_DAYS = 30


def _task(kind: str, subject: str, url: str, due: date | None, today: date,
          note: str = "") -> TaskOut:
    return TaskOut(kind=kind, subject=subject, url=url, due=due,
                   overdue=due is not None and due < today, note=note)


def _name(p: Patient) -> str:
    return f"{p.family_name} {p.given_names} ({p.mrn})"


def _day(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).date()


def desk_tasks(session: Session, actor: Actor, today: date) -> list[TaskOut]:
    """Coordinators (and admins): every unanswered inquiry and every expected arrival;
    clinicians: the inquiries assigned to them for a remote opinion."""
    if not can(actor.role, Permission.PATIENT_READ):
        return []
    desk_role = actor.role in (Role.COORDINATOR, Role.ADMIN)
    unanswered = and_(Inquiry.status.in_(("new", "in_review")), Inquiry.first_answer_at.is_(None))
    q = select(Inquiry).order_by(Inquiry.received_at).limit(LIMIT)
    q = q.where(unanswered) if desk_role else q.where(unanswered, Inquiry.status == "in_review",
                                                      Inquiry.reviewer_id == actor.user_id)
    out = []
    for r in session.scalars(q):
        kind = "answer_inquiry" if desk_role else "give_opinion"
        out.append(_task(kind, f"{r.family_name} {r.given_names}",
                         f"/desk/inquiries/{r.id}",
                         _day(r.received_at) + timedelta(days=ANSWER_DUE_DAYS), today,
                         r.reference))
    if desk_role:
        for r in session.scalars(select(Inquiry).where(
                Inquiry.status == "accepted", Inquiry.planned_arrival.is_not(None),
                Inquiry.arrival_date.is_(None)).order_by(Inquiry.planned_arrival).limit(LIMIT)):
            out.append(_task("expect_arrival", f"{r.family_name} {r.given_names}",
                             f"/desk/inquiries/{r.id}", r.planned_arrival, today, r.reference))
    return out


def board_tasks(session: Session, actor: Actor, today: date) -> list[TaskOut]:
    """Clinicians: cases with the diagnosis confirmed that no meeting has on its agenda, and
    cases on a coming meeting's agenda without a signed decision (due that day)."""
    if not can(actor.role, Permission.CASE_READ_CLINICAL):
        return []
    on_agenda = select(BoardAgendaItem.case_id)
    out = [_task("board_review", _name(c.patient), f"/cases/{c.id}/board", None, today)
           for c in session.scalars(select(Case).where(
               Case.status == "diagnosis_confirmed", Case.id.not_in(on_agenda))
               .order_by(Case.id).limit(LIMIT))]
    start = datetime.combine(today, datetime.min.time(), UTC)
    signed = select(BoardDecision.item_id).where(BoardDecision.signed_at.is_not(None))
    rows = session.execute(select(BoardAgendaItem, BoardMeeting).join(
        BoardMeeting, BoardMeeting.id == BoardAgendaItem.meeting_id).where(
        BoardMeeting.starts_at >= start, BoardAgendaItem.id.not_in(signed))
        .order_by(BoardMeeting.starts_at).limit(LIMIT)).all()
    for item, meeting in rows:
        case = session.get(Case, item.case_id)
        if case is not None:
            out.append(_task("board_discussion", _name(case.patient),
                             f"/board/meetings/{meeting.id}", _day(meeting.starts_at), today,
                             meeting.title))
    return out


def case_tasks(session: Session, actor: Actor, today: date) -> list[TaskOut]:
    """Clinicians: the open follow-on tasks of signed board decisions."""
    if not can(actor.role, Permission.CASE_READ_CLINICAL):
        return []
    rows = session.execute(select(CaseTask, Case).join(Case, Case.id == CaseTask.case_id)
                           .where(CaseTask.status == "open").order_by(CaseTask.id)
                           .limit(LIMIT)).all()
    return [_task(t.kind, _name(c.patient), f"/cases/{c.id}/board", t.due_date, today)
            for t, c in rows]


def next_follow_up(entered: date, topography: str | None, visits_done: int) -> date | None:
    """The next visit of the ESMO 2021 schedule (see `clinical.followup`) after
    `visits_done` visits, for a case in follow-up since `entered`; None past its end."""
    kind = "bone" if (topography or "").upper().startswith(("C40", "C41")) else "soft_tissue"
    schedule = followup_schedule(entered, kind)
    return schedule[visits_done].date if visits_done < len(schedule) else None


def follow_up_tasks(session: Session, actor: Actor, today: date) -> list[TaskOut]:
    """Clinicians: follow-up visits due within `FOLLOW_UP_NOTICE_DAYS` or overdue."""
    if not can(actor.role, Permission.CASE_READ_CLINICAL):
        return []
    out = []
    for case in session.scalars(select(Case).where(Case.status == "follow_up")
                                .order_by(Case.id).limit(LIMIT)):
        events = session.execute(select(TimelineEvent.kind, TimelineEvent.event_date,
                                        TimelineEvent.payload).where(
            TimelineEvent.case_id == case.id,
            TimelineEvent.kind.in_(("status_change", "follow_up_visit")))
            .order_by(TimelineEvent.event_date, TimelineEvent.id)).all()
        entries = [d for k, d, p in events if k == "status_change"
                   and (p or {}).get("to") == "follow_up"]
        if not entries:
            continue
        entered = entries[-1]
        done = sum(1 for k, d, _ in events if k == "follow_up_visit" and d > entered)
        due = next_follow_up(entered, case.topography_code, done)
        if due is not None and due <= today + timedelta(days=FOLLOW_UP_NOTICE_DAYS):
            out.append(_task("follow_up_visit", _name(case.patient), f"/cases/{case.id}", due,
                             today))
    return out


#: the courses feature's sign-off step -> the inbox's task kind
CYCLE_TASK_KINDS = {"cosign": "cosign_cycle", "verify": "verify_cycle",
                    "administer": "administer_cycle"}


def cycle_tasks(session: Session, actor: Actor, today: date) -> list[TaskOut]:
    """Clinicians, pharmacists, nurses: cycles waiting for their co-signature, verification or
    administration (`records.courses.signoff.pending_tasks`), due on the cycle's start."""
    from rareonco.records.courses.signoff import pending_tasks

    out = []
    for t in pending_tasks(session, actor)[:LIMIT]:
        case = session.get(Case, t.case_id)
        subject = _name(case.patient) if case is not None else f"case {t.case_id}"
        out.append(_task(CYCLE_TASK_KINDS[t.task], subject, f"/courses/{t.course_id}",
                         t.start_date, today, f"{t.regimen}, cycle {t.cycle}"))
    return out
