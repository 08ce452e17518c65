"""Cases: the case page JSON, diagnosis updates, pathway transitions, timeline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from sqlalchemy import func, select

from rareonco.errors import InvalidInput
from rareonco.records.cases import pathway
from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import CaseUpdate, EventIn, TransitionIn
from rareonco.security import audit
from rareonco.security.roles import Permission, require
from rareonco.store.tables.cases import Case
from rareonco.web.deps import SessionDep, UserDep, run_read
from rareonco.web.json_responses import json_response

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("")
def list_cases(session: SessionDep, user: UserDep,
               status_: str | None = Query(None, alias="status"), icdo: str | None = None,
               page: int = Query(1, ge=1),
               per_page: int = Query(25, ge=1, le=200)) -> dict[str, Any]:
    require(user.actor.role, Permission.CASE_READ_STATUS)
    query = select(Case)
    if status_:
        query = query.where(Case.status == pathway.parse_status(status_, "status").value)
    if icdo:
        query = query.where((Case.morphology_code == icdo) | (Case.topography_code == icdo))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Case.id.desc()).offset((page - 1) * per_page)
                           .limit(per_page)).all()
    audit.record(session, user.actor, "search", "cases", f"status={status_};icdo={icdo}")
    return {"items": [{"id": c.id, "patient_id": c.patient_id, "status": c.status,
                       "morphology_code": c.morphology_code,
                       "topography_code": c.topography_code} for c in rows],
            "total": total, "page": page, "per_page": per_page}


@router.get("/{case_id}", response_model=None,
            responses={200: {"description": "the case page: patient, diagnosis, pathway, "
                                            "timeline"}})
async def read_case(case_id: int, request: Request) -> Response:
    """The case page: patient header, diagnosis, pathway with allowed next states, timeline.
    Read in one worker-thread hop (`deps.run_read`): after the search, the most requested."""
    return await run_read(request, lambda session, user: json_response(
        cases.read_view(session, user.actor, case_id)))


@router.patch("/{case_id}")
def update_case(case_id: int, body: CaseUpdate, session: SessionDep,
                user: UserDep) -> dict[str, Any]:
    return cases.view(cases.update_diagnosis(session, user.actor, case_id, body), user.actor)


@router.post("/{case_id}/transitions")
def move_case(case_id: int, body: TransitionIn, session: SessionDep,
              user: UserDep) -> dict[str, Any]:
    """Move the case along the pathway; 409 lists the allowed next states when the move is not."""
    return cases.view(cases.transition(session, user.actor, case_id, body), user.actor)


@router.get("/{case_id}/timeline")
def timeline(case_id: int, session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    case = cases.get(session, user.actor, case_id)
    if user.actor.role == "researcher":
        raise InvalidInput("case_id", "the timeline is not part of the de-identified view")
    return [v for e in case.events if (v := cases.event_view(e, user.actor)) is not None]


@router.post("/{case_id}/timeline", status_code=status.HTTP_201_CREATED)
def add_event(case_id: int, body: EventIn, session: SessionDep, user: UserDep) -> dict[str, Any]:
    event = cases.add_event(session, user.actor, case_id, body)
    return cases.event_view(event, user.actor) or {"id": event.id}
