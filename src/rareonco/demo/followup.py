"""Demo: the osteosarcoma case's follow-up plan (it is in follow-up after MAP), so the clinic
shows its next visits with their imaging and late-effect tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.records.followup.schemas import PlanIn
from rareonco.records.followup.service import plan_followup
from rareonco.security.audit import Actor
from rareonco.store.tables.cases import Case, TimelineEvent
from rareonco.store.tables.followup import FollowupVisit


def load(session: Session, cases: Any) -> str | None:
    case_id = cases.osteosarcoma_case_id
    case = session.get(Case, case_id)
    if case is None or case.status != "follow_up":
        return None
    if session.scalar(select(FollowupVisit.id).where(FollowupVisit.case_id == case_id).limit(1)):
        return None
    entered = session.scalar(select(TimelineEvent.event_date).where(
        TimelineEvent.case_id == case_id, TimelineEvent.kind == "status_change")
        .order_by(TimelineEvent.event_date.desc()).limit(1))
    if entered is None:
        return None
    actor = Actor(None, "demo", "clinician", "local")
    visits = plan_followup(session, actor, case_id,
                           PlanIn(end_of_treatment=entered - timedelta(days=1)))
    return f"follow-up: {len(visits)} visits planned for the osteosarcoma case"
