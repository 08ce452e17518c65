"""Patient list with search, and the patient page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from rareonco.records.patients import service as patients
from rareonco.records.patients.schemas import PatientPageOut
from rareonco.records.referrals import service as referrals
from rareonco.web.deps import SessionDep
from rareonco.web.pages.forms import PageUserDep
from rareonco.web.pages.render import render

router = APIRouter()


@router.get("/")
def home(request: Request, session: SessionDep, user: PageUserDep, q: str = "",
         country: str = "", icdo: str = "", status: str = "", page: int = 1) -> Response:
    filters = patients.SearchFilters(q or None, country or None, icdo or None, status or None)
    found = PatientPageOut.model_validate(
        patients.search_page(session, user.actor, filters, max(page, 1), 25))
    ctx = {"found": found, "page": page, "q": q, "country": country, "icdo": icdo,
           "status": status}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "patient-rows":
        return render(request, "_patient_rows.html", ctx)
    return render(request, "patients.html", ctx)


@router.get("/patients/{patient_id}")
def patient_page(patient_id: int, request: Request, session: SessionDep,
                 user: PageUserDep) -> Response:
    patient = patients.get(session, user.actor, patient_id)
    return render(request, "patient.html", {
        "p": patients.patient_out(patient, user.actor),
        "referrals": [referrals.view(r) for r in patient.referrals]})
