"""Referral intake: a new (or existing) patient, the referral and a case in one form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from rareonco.errors import Conflict, InvalidInput
from rareonco.i18n import N_
from rareonco.i18n.vocab import countries
from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import CaseIn
from rareonco.records.patients import matching
from rareonco.records.patients import service as patients
from rareonco.records.patients.schemas import PatientIn
from rareonco.records.referrals import service as referrals
from rareonco.records.referrals.schemas import ReferralIn
from rareonco.security.roles import Permission, require
from rareonco.web.deps import SessionDep
from rareonco.web.error_handlers import validation_details
from rareonco.web.pages.forms import PageUserDep, form_text
from rareonco.web.pages.render import render

router = APIRouter()
#: the fields compared side by side -> their label
IDENTITY_FIELDS = {"family": N_("Family name"), "given": N_("Given names"),
                   "birth_date": N_("Birth date"), "sex": N_("Sex"),
                   "passport": N_("Passport number"), "national_id": N_("National ID"),
                   "country": N_("Citizenship")}
M = TypeVar("M", bound=BaseModel)

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


def _parse(model: type[M], data: dict[str, Any],
           form_names: Mapping[str, str]) -> tuple[M | None, dict[str, str]]:
    """`model` from `data`, or the reason for every field at fault, under its form name.

    Not `forms.as_invalid_input`, which names the first field only: the intake form is long,
    and the clerk should see every mistake at once."""
    try:
        return model(**data), {}
    except ValidationError as exc:
        return None, {form_names.get(d["field"], d["field"]): d["reason"]
                      for d in validation_details([dict(e) for e in exc.errors()])}


@router.get("/intake")
def intake_form(request: Request, user: PageUserDep) -> Response:
    require(user.actor.role, Permission.REFERRAL_WRITE)
    return render(request, "intake.html", _ctx({"referral_date": date.today().isoformat()}, {}))


@router.post("/intake")
async def intake_submit(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    require(user.actor.role, Permission.REFERRAL_WRITE)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    pdata: dict[str, Any] = {k: text for k in PATIENT_FIELDS if (text := form_text(form, k))}
    pdata["interpreter_needed"] = values.get("interpreter_needed") == "on"
    rdata = {k: text for k, f in REFERRAL_FIELDS.items() if (text := form_text(form, f))}
    pdata["confirm_new"] = values.get("confirm_new") == "on"
    pdata["confirm_reason"] = form_text(form, "confirm_reason")
    patient_in, errors = _parse(PatientIn, pdata, {})
    referral_in, referral_errors = _parse(ReferralIn, rdata, REFERRAL_FIELDS)
    errors.update(referral_errors)
    if patient_in is None or referral_in is None:
        return render(request, "intake.html", _ctx(values, errors), status_code=422)
    # Not `forms.form_action`: its refusal carries the message only, and a duplicate patient
    # (MRN, passport, national ID) is shown beside the field at fault, so the field is needed.
    existing = form_text(form, "existing_patient_id")
    try:
        with session.begin_nested():
            if existing.isdigit():  # the clerk chose a patient on file the matcher proposed
                patient_id = patients.get(session, user.actor, int(existing)).id
            else:
                patient_id = patients.create(session, user.actor, patient_in).id
            ref = referrals.create(session, user.actor, patient_id, referral_in)
            case = cases.open_case(session, user.actor, patient_id, CaseIn(referral_id=ref.id))
    except (Conflict, InvalidInput) as exc:
        body = exc.to_dict()
        field = str(getattr(exc, "field", None) or body.get("field") or "form")
        if field == "identity":  # shown side by side, not as a message beside a field
            return render(request, "intake.html", {
                **_ctx(values, errors), "identity": body, "person": patient_in,
                "field_names": IDENTITY_FIELDS}, status_code=409)
        if field == "confirm_reason" and patient_in is not None:  # the candidates again
            decision, candidates = matching.find(session, patients.person_of_input(patient_in))
            body = matching.identity_conflict(decision, candidates).to_dict()
            return render(request, "intake.html", {
                **_ctx(values, {field: getattr(exc, "reason", "")}), "identity": body,
                "person": patient_in, "field_names": IDENTITY_FIELDS}, status_code=422)
        errors[field] = getattr(exc, "reason", None) or exc.message
        return render(request, "intake.html", _ctx(values, errors),
                      status_code=exc.status_code)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)
