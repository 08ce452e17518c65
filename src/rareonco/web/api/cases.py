"""Cases: the case page JSON, diagnosis updates, pathway transitions, timeline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response

from rareonco.records.cases import diagnosis, icdo3_search, treatment_match
from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import (
    CaseOut,
    CasePageOut,
    CaseUpdate,
    CodeOptionOut,
    EventIn,
    EventOut,
    FindingIn,
    TransitionIn,
    TreatmentMismatchOut,
)
from rareonco.web.deps import SessionDep, UserDep, run_read
from rareonco.web.json_responses import json_response

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("")
def list_cases(session: SessionDep, user: UserDep,
               status_: str | None = Query(None, alias="status"), icdo: str | None = None,
               page: int = Query(1, ge=1),
               per_page: int = Query(25, ge=1, le=200)) -> CasePageOut:
    return cases.list_cases(session, user.actor, status_, icdo, page, per_page)


@router.get("/icdo3/{axis}")
def icdo3_codes(axis: icdo3_search.Axis, user: UserDep, q: str = Query("", max_length=100),
                limit: int = Query(50, ge=1, le=200)) -> list[CodeOptionOut]:
    """The ICD-O-3 picker: codes of ``morphology`` or ``topography`` whose code or English or
    Russian label matches ``q`` (``9180``, ``C41.4``, ``остеосаркома``, ``pelvic``)."""
    return icdo3_search.search(axis, q, limit)


@router.get("/{case_id}", response_model=None,
            responses={200: {"model": CaseOut, "description": "the case page: patient, "
                                                           "diagnosis, pathway, timeline"}})
async def read_case(case_id: int, request: Request) -> Response:
    """The case page: patient header, diagnosis, pathway with allowed next states, timeline.
    Read in one worker-thread hop (`deps.run_read`): after the search, the most requested; its
    body is serialised straight from plain values by pydantic-core (`CaseOut` documents it; it
    is not validated again)."""
    return await run_read(request, lambda session, user: json_response(
        cases.read_view(session, user.actor, case_id)))


@router.patch("/{case_id}", response_model=CaseOut, response_model_exclude_unset=True)
def update_case(case_id: int, body: CaseUpdate, session: SessionDep,
                user: UserDep) -> dict[str, Any]:
    """Enter or correct the diagnosis (version checked; correcting a confirmed diagnosis's
    codes needs a ``reason``); the change is audited and written on the timeline."""
    return cases.view(diagnosis.update_diagnosis(session, user.actor, case_id, body),
                      user.actor)


@router.post("/{case_id}/molecular-findings", status_code=status.HTTP_201_CREATED,
             response_model=CaseOut, response_model_exclude_unset=True,
             responses={201: {"description": "the case with the finding added"}})
def add_finding(case_id: int, body: FindingIn, session: SessionDep,
                user: UserDep) -> dict[str, Any]:
    return cases.view(diagnosis.add_finding(session, user.actor, case_id, body), user.actor)


@router.delete("/{case_id}/molecular-findings/{finding_id}", response_model=CaseOut,
               response_model_exclude_unset=True)
def remove_finding(case_id: int, finding_id: int, session: SessionDep, user: UserDep,
                   version: int = Query(...),
                   reason: str = Query("", max_length=2000)) -> dict[str, Any]:
    """Remove a finding entered in error (kept on the timeline and in the audit)."""
    return cases.view(diagnosis.remove_finding(session, user.actor, case_id, finding_id,
                                               version, reason), user.actor)


@router.post("/{case_id}/transitions", response_model=CaseOut, response_model_exclude_unset=True)
def move_case(case_id: int, body: TransitionIn, session: SessionDep,
              user: UserDep) -> dict[str, Any]:
    """Move the case along the pathway; 409 lists the allowed next states when the move is not."""
    return cases.view(cases.transition(session, user.actor, case_id, body), user.actor)


@router.get("/{case_id}/timeline", response_model=list[EventOut])
def timeline(case_id: int, session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    """The case's timeline, without the clinical events the caller's role may not see."""
    return cases.timeline_view(session, user.actor, case_id)


@router.post("/{case_id}/timeline", status_code=status.HTTP_201_CREATED, response_model=EventOut,
             responses={201: {"description": "the event added"}})
def add_event(case_id: int, body: EventIn, session: SessionDep, user: UserDep) -> dict[str, Any]:
    return cases.own_event_view(cases.add_event(session, user.actor, case_id, body))


@router.get("/{case_id}/treatment-check")
def treatment_check(case_id: int, session: SessionDep,
                    user: UserDep) -> list[TreatmentMismatchOut]:
    """The planned or running courses that differ from the tumour board decision in force when
    they started (regimen, not recommended, number of cycles); empty when all match."""
    cases.get(session, user.actor, case_id)  # found, readable, audited
    return [TreatmentMismatchOut.model_validate(m, from_attributes=True)
            for m in treatment_match.case_mismatches(session, user.actor, case_id)]
