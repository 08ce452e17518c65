"""Referral intake: a new (or existing) patient, the referral and a case in one form."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from rareonco.errors import Conflict, InvalidInput
from rareonco.i18n.vocab import countries
from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import CaseIn
from rareonco.records.patients import service as patients
from rareonco.records.patients.schemas import PatientIn
from rareonco.records.referrals import service as referrals
from rareonco.records.referrals.schemas import ReferralIn
from rareonco.security.roles import Permission, require
from rareonco.web.deps import SessionDep, UserDep
from rareonco.web.error_handlers import validation_details
from rareonco.web.pages.render import render

router = APIRouter()

PATIENT_FIELDS = ("family_name", "given_names", "family_name_latin", "given_names_latin", "sex",
                  "birth_date", "citizenship", "residence_country", "preferred_language",
                  "interpreter_needed", "passport_number", "national_id", "phone", "email")
#: referral model field -> form field name
REFERRAL_FIELDS = {"referring_institution": "referring_institution", "country": "referral_country",
                   "referral_date": "referral_date", "reason": "reason"}


def _ctx(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {"v": values, "errors": errors, "countries": sorted(countries().items(),
                                                                key=lambda kv: kv[1]),
            "today": date.today().isoformat()}


@router.get("/intake")
def intake_form(request: Request, user: UserDep) -> Response:
    request.state.user = user
    require(user.actor.role, Permission.REFERRAL_WRITE)
    return render(request, "intake.html", _ctx({"referral_date": date.today().isoformat()}, {}))


@router.post("/intake")
async def intake_submit(request: Request, session: SessionDep, user: UserDep) -> Response:
    request.state.user = user
    require(user.actor.role, Permission.REFERRAL_WRITE)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    errors: dict[str, str] = {}
    pdata = {k: values[k] for k in PATIENT_FIELDS if values.get(k, "").strip()}
    pdata["interpreter_needed"] = values.get("interpreter_needed") == "on"
    rdata = {k: values[f] for k, f in REFERRAL_FIELDS.items() if values.get(f, "").strip()}
    parsed: dict[str, Any] = {}
    for key, model, data in (("patient", PatientIn, pdata), ("referral", ReferralIn, rdata)):
        try:
            parsed[key] = model(**data)
        except ValidationError as exc:
            for d in validation_details(exc.errors()):
                name = REFERRAL_FIELDS.get(d["field"], d["field"]) if key == "referral" else d[
                    "field"]
                errors[name] = d["reason"]
    if errors:
        return render(request, "intake.html", _ctx(values, errors), status_code=422)
    try:
        patient = patients.create(session, user.actor, parsed["patient"])
        ref = referrals.create(session, user.actor, patient.id, parsed["referral"])
        case = cases.open_case(session, user.actor, patient.id, CaseIn(referral_id=ref.id))
    except (Conflict, InvalidInput) as exc:
        session.rollback()
        field = getattr(exc, "field", None) or exc.to_dict().get("field") or "form"
        errors[str(field)] = exc.message
        return render(request, "intake.html", _ctx(values, errors), status_code=409)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)
