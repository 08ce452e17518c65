"""Patients: list and search, register, read, update (with version)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import CaseIn
from rareonco.records.patients import service as patients
from rareonco.records.patients.schemas import PatientIn, PatientUpdate
from rareonco.records.referrals import service as referrals
from rareonco.records.referrals.schemas import ReferralIn
from rareonco.web.deps import CurrentUser, SessionDep, UserDep, run_read
from rareonco.web.json_responses import json_response

router = APIRouter(prefix="/patients", tags=["patients"])


@router.get("", response_model=None,
            responses={200: {"description": "a page of patients: items, total, "
                                            "total_exceeds_limit, page, per_page"}})
async def search_patients(
    request: Request,
    q: str | None = Query(None, description="name in either script (prefix of any word), or MRN"),
    country: str | None = Query(None, description="ISO 3166-1 alpha-2 citizenship or residence"),
    icdo: str | None = Query(None, description="ICD-O-3 morphology or topography code of a case"),
    status_: str | None = Query(None, alias="status", description="pathway status of a case"),
    page: int = Query(1, ge=1), per_page: int = Query(25, ge=1, le=200),
) -> Response:
    """A page of patients (identified, or de-identified for the researcher role).

    The most requested endpoint: its database work runs in one worker-thread hop
    (`deps.run_read`)."""
    def work(session: Session, user: CurrentUser) -> Response:
        rows, total = patients.search(session, user.actor, patients.SearchFilters(
            q, country, icdo, status_), page, per_page)
        return json_response({
            "items": [patients.view(p, user.actor) for p in rows],
            "total": min(total, patients.COUNT_LIMIT),
            "total_exceeds_limit": total > patients.COUNT_LIMIT, "page": page,
            "per_page": per_page})

    return await run_read(request, work)


@router.post("", status_code=status.HTTP_201_CREATED)
def register_patient(body: PatientIn, session: SessionDep, user: UserDep) -> dict[str, Any]:
    return patients.view(patients.create(session, user.actor, body), user.actor)


@router.get("/{patient_id}")
def read_patient(patient_id: int, session: SessionDep, user: UserDep) -> dict[str, Any]:
    return patients.view(patients.get(session, user.actor, patient_id), user.actor)


@router.patch("/{patient_id}")
def update_patient(patient_id: int, body: PatientUpdate, session: SessionDep,
                   user: UserDep) -> dict[str, Any]:
    return patients.view(patients.update(session, user.actor, patient_id, body), user.actor)


@router.post("/{patient_id}/referrals", status_code=status.HTTP_201_CREATED)
def add_referral(patient_id: int, body: ReferralIn, session: SessionDep,
                 user: UserDep) -> dict[str, Any]:
    return referrals.view(referrals.create(session, user.actor, patient_id, body))


@router.post("/{patient_id}/cases", status_code=status.HTTP_201_CREATED)
def open_case(patient_id: int, body: CaseIn, session: SessionDep, user: UserDep) -> dict[str, Any]:
    case = cases.open_case(session, user.actor, patient_id, body)
    session.refresh(case)
    return cases.view(case, user.actor)
