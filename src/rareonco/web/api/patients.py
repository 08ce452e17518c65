"""Patients: list and search, register, read, update (with version)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import CaseIn, CaseOut
from rareonco.records.patients import service as patients
from rareonco.records.patients.schemas import (
    AnyPatientOut,
    IdentityConflictOut,
    PatientIn,
    PatientPageOut,
    PatientUpdate,
)
from rareonco.records.referrals import service as referrals
from rareonco.records.referrals.schemas import ReferralIn, ReferralOut
from rareonco.web.deps import CurrentUser, SessionDep, UserDep, run_read
from rareonco.web.json_responses import json_response

router = APIRouter(prefix="/patients", tags=["patients"])


@router.get("", response_model=None,
            responses={200: {"model": PatientPageOut, "description": "a page of patients"}})
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
    (`deps.run_read`), and its body is serialised straight from plain values by pydantic-core
    (`PatientPageOut` documents it; it is not validated again)."""
    filters = patients.SearchFilters(q, country, icdo, status_)

    def work(session: Session, user: CurrentUser) -> Response:
        return json_response(patients.search_page(session, user.actor, filters, page, per_page))

    return await run_read(request, work)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AnyPatientOut,
             responses={201: {"description": "the patient registered"},
                        409: {"model": IdentityConflictOut,
                              "description": "the person may already be on file: the "
                              "candidates side by side; send confirm_new with "
                              "confirm_reason to register a new person anyway"}})
def register_patient(body: PatientIn, session: SessionDep, user: UserDep) -> dict[str, Any]:
    """Register a patient. The identity matcher scores the person against the patients on
    file first (names in both scripts, birth date, sex, documents, country): a possible match
    is refused with 409 and the candidates unless ``confirm_new`` and ``confirm_reason``."""
    return patients.view(patients.create(session, user.actor, body), user.actor)


@router.get("/{patient_id}", response_model=AnyPatientOut)
def read_patient(patient_id: int, session: SessionDep, user: UserDep) -> dict[str, Any]:
    return patients.view(patients.get(session, user.actor, patient_id), user.actor)


@router.patch("/{patient_id}", response_model=AnyPatientOut)
def update_patient(patient_id: int, body: PatientUpdate, session: SessionDep,
                   user: UserDep) -> dict[str, Any]:
    return patients.view(patients.update(session, user.actor, patient_id, body), user.actor)


@router.post("/{patient_id}/referrals", status_code=status.HTTP_201_CREATED,
             responses={201: {"description": "the referral registered"}})
def add_referral(patient_id: int, body: ReferralIn, session: SessionDep,
                 user: UserDep) -> ReferralOut:
    return referrals.view(referrals.create(session, user.actor, patient_id, body))


@router.post("/{patient_id}/cases", status_code=status.HTTP_201_CREATED, response_model=CaseOut,
             response_model_exclude_unset=True,
             responses={201: {"description": "the case opened, as the case page shows it"}})
def open_case(patient_id: int, body: CaseIn, session: SessionDep, user: UserDep) -> dict[str, Any]:
    return cases.view(cases.open_and_reload(session, user.actor, patient_id, body), user.actor)
