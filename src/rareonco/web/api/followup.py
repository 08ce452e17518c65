"""The follow-up clinic: plan a case's visits, record them, list what is due, send reminders."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, status

from rareonco.records.followup import reminders
from rareonco.records.followup import service as followup
from rareonco.records.followup.schemas import DueOut, PlanIn, VisitIn, VisitOut
from rareonco.records.schemas import Out
from rareonco.web.deps import SessionDep, UserDep

router = APIRouter(tags=["follow-up"])


class RemindersOut(Out):
    sent: int
    visit_ids: list[int]


@router.post("/cases/{case_id}/followup", status_code=status.HTTP_201_CREATED,
             response_model=list[VisitOut], summary="Plan the follow-up visits of a case")
def plan(case_id: int, body: PlanIn, session: SessionDep, user: UserDep) -> list[VisitOut]:
    return [followup.visit_view(v) for v in followup.plan_followup(session, user.actor, case_id, body)]


@router.get("/cases/{case_id}/followup", response_model=list[VisitOut])
def case_visits(case_id: int, session: SessionDep, user: UserDep) -> list[VisitOut]:
    return [followup.visit_view(v) for v in followup.visits(session, user.actor, case_id)]


@router.post("/followup/visits/{visit_id}", response_model=VisitOut,
             summary="Record what a follow-up visit found")
def record(visit_id: int, body: VisitIn, session: SessionDep, user: UserDep) -> VisitOut:
    return followup.visit_view(followup.record_visit(session, user.actor, visit_id, body))


@router.get("/followup/due", response_model=list[DueOut],
            summary="Visits due within 30 days or overdue")
def due(session: SessionDep, user: UserDep) -> list[DueOut]:
    return followup.due_visits(session, user.actor, date.today())


@router.post("/followup/reminders", response_model=RemindersOut,
             summary="E-mail the reminders of visits due within 14 days (each once)")
def send(request: Request, session: SessionDep, user: UserDep) -> RemindersOut:
    sent = reminders.send_reminders(session, user.actor, request.app.state.settings, date.today())
    return RemindersOut(sent=len(sent), visit_ids=[s.visit_id for s in sent])
