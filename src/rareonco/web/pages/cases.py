"""The case page with its timeline, pathway transitions (htmx), the clinical events entered by
hand, the recommended-against-prescribed banner, and the diagnosis screen with its ICD-O-3
pickers (htmx search in Russian and English) and molecular findings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, cast

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from rareonco import i18n
from rareonco.clinical.codes import fusions_for
from rareonco.errors import Conflict, Forbidden, InvalidInput
from rareonco.i18n import N_, gettext, vocab
from rareonco.i18n.service_messages import field_label
from rareonco.records.board.meetings import tasks_of_case
from rareonco.records.board.views import task_view
from rareonco.records.cases import diagnosis, icdo3_search, pathway, treatment_match
from rareonco.records.cases import service as cases
from rareonco.records.cases.diagnosis_terms import GRADES, stage_choices
from rareonco.records.cases.schemas import CaseUpdate, EventIn, FindingIn, TransitionIn
from rareonco.records.cases.timeline import MANUAL_KINDS, PLANNABLE_KINDS, is_clinical
from rareonco.security.roles import Permission, can
from rareonco.web.deps import CurrentUser, SessionDep
from rareonco.web.pages.courses import FormDep
from rareonco.web.pages.forms import REFUSALS, PageUserDep, form_action, form_text
from rareonco.web.pages.render import render, request_locale

router = APIRouter()

#: where each kind of follow-on task (from a signed board decision) is done
TASK_LINKS = {"plan_course": "courses", "plan_resection": "imaging", "plan_hipec": "hipec",
              "schedule_follow_up": "", "plan_radiotherapy": "", "trial_screening": "board"}

#: status -> what a case needs before it enters it (English, translated in the template)
REQUIRES = {status.value: [pathway.MESSAGES[r] for r in needs]
            for status, needs in pathway.REQUIRES.items()}
#: the stage picker's "as written" choice
OTHER_STAGE = "__other__"
METHODS = ("RT-PCR", "FISH", "NGS (RNA)", "NGS (DNA)", "Sanger sequencing",
           "immunohistochemistry")

Values = dict[str, str]


#: the fields of this page's forms, to find which one a refusal names
FORM_FIELDS = ("finding", "gene", "method", "finding_date", "version", "morphology_code",
               "topography_code", "laterality", "grade", "stage", "diagnosis_date", "site_detail",
               "reason", "kind", "event_date", "summary")


def _error_of(message: str, status: int = 422) -> tuple[str, str]:
    """``field: reason`` -> (field, reason); a message naming no field goes under "form", a
    stale version (409 from `records.versions`) under "version"."""
    if status == 409 and "changed by someone else" in message:
        return "version", message
    # `forms.refusal` writes the field by its translated label ("Находка: ..."): map it back
    for name in FORM_FIELDS:
        prefix = f"{field_label(name)}: "
        if message.startswith(prefix):
            return name, message.removeprefix(prefix)
    field, sep, reason = message.partition(": ")
    return (field, reason) if sep and field.replace("_", "").isalnum() else ("form", message)


def _event_kinds(user: CurrentUser) -> list[str]:
    role = user.actor.role
    return [k for k in MANUAL_KINDS
            if can(role, Permission.CASE_WRITE_CLINICAL if is_clinical(k)
                   else Permission.REFERRAL_WRITE)]


def _case_page(request: Request, session: Session, user: CurrentUser, case_id: int,
               event: tuple[Values, Values] | None = None, status_code: int = 200) -> Response:
    case = cases.read_view(session, user.actor, case_id)
    clinical = can(user.actor.role, Permission.CASE_READ_CLINICAL)
    tasks = ([task_view(t) for t in tasks_of_case(session, case_id) if t.status == "open"]
             if clinical else [])
    mismatches = treatment_match.case_mismatches(session, user.actor, case_id) if clinical else []
    values, errors = event or ({}, {})
    return render(request, "case.html", {
        "case": case, "tasks": tasks, "task_links": TASK_LINKS, "requires": REQUIRES,
        "mismatches": mismatches,
        "can_diagnose": can(user.actor.role, Permission.CASE_WRITE_CLINICAL),
        "event_kinds": _event_kinds(user) if "timeline" in case else [],
        "plannable": PLANNABLE_KINDS, "today": date.today().isoformat(),
        "event": {"event_date": date.today().isoformat(), **values}, "event_errors": errors},
        status_code=status_code)


@router.get("/cases/{case_id}")
def case_page(case_id: int, request: Request, session: SessionDep,
              user: PageUserDep) -> Response:
    return _case_page(request, session, user, case_id)


#: The pathway control's refusals as the page tells them (the API keeps the services' texts)
PAGE_MESSAGES = {
    "no_target": N_("choose the step to move the case to"),
    "no_reason": N_("closing a case needs a reason: choose one"),
    "forbidden": N_("your role may not make this move"),
}


def _state(value: str) -> str:
    return gettext(value.replace("_", " "))


def _move_refusal(exc: Conflict, target: str) -> str:
    """A refused move (`pathway`: missing prerequisites, or not a next step) in the current
    locale, from the refusal's details."""
    details = exc.details
    if "missing" in details:
        items = [gettext(pathway.MESSAGES[m]) for m in cast(list[str], details["missing"])]
        return gettext(pathway.MESSAGES["missing"]) % {"target": _state(target),
                                                         "items": "; ".join(items)}
    if "allowed" in details:
        allowed = [_state(a) for a in cast(list[str], details["allowed"])]
        return gettext(pathway.MESSAGES["illegal"]) % {
            "current": _state(str(details["current"])), "target": _state(target),
            "allowed": ", ".join(allowed) or gettext(pathway.MESSAGES["none_next"])}
    return exc.message


@router.post("/cases/{case_id}/transition")
def transition(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
               to: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = "") -> Response:
    def pathway(error: str | None = None) -> Response:
        # htmx swaps only 2xx: a refusal is shown in the fragment, with status 200
        return render(request, "_case_pathway.html", {
            "case": cases.read_view(session, user.actor, case_id), "error": error,
            "requires": REQUIRES})

    def move() -> Response:
        i18n.set_locale(request_locale(request))  # the refusals are told in the user's language
        try:
            cases.transition(session, user.actor, case_id,
                             TransitionIn(to=to, reason=reason or None, note=note))
        except Conflict as exc:
            raise Conflict(_move_refusal(exc, to), **exc.details) from None
        except InvalidInput as exc:
            raise InvalidInput(exc.field, gettext(PAGE_MESSAGES["no_target"]) if exc.field == "to"
                               else gettext(PAGE_MESSAGES["no_reason"])) from None
        except Forbidden:
            raise Forbidden(gettext(PAGE_MESSAGES["forbidden"])) from None
        return pathway()

    # a move this role may not make is shown beside the control too (not an error page)
    return form_action(session, move, lambda message, _status: pathway(message),
                       refuse=(*REFUSALS, Forbidden))


@router.post("/cases/{case_id}/events")
def add_event(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
              form: FormDep) -> Response:
    """A clinical event entered by hand (kinds of `timeline.MANUAL_KINDS`)."""
    values = {k: form_text(form, k) for k in ("kind", "event_date", "summary", "planned")}

    def act() -> Response:
        if values["kind"] not in MANUAL_KINDS:
            raise Forbidden(f"{values['kind']!r} events are written by their feature")
        cases.add_event(session, user.actor, case_id, EventIn.model_validate({
            "kind": values["kind"], "event_date": values["event_date"] or None,
            "summary": values["summary"], "planned": values["planned"] == "on"}))
        return RedirectResponse(f"/cases/{case_id}#timeline", status_code=303)

    def refused(message: str, status: int) -> Response:
        field, reason = _error_of(message)
        return _case_page(request, session, user, case_id, (values, {field: reason}), status)

    return form_action(session, act, refused)


# -- the diagnosis screen -----------------------------------------------------------------


def _diagnosis_values(case: dict[str, Any]) -> Values:
    d = case.get("diagnosis") or {}
    return {k: str(d.get(k) or "") for k in ("morphology_code", "topography_code", "laterality",
                                              "grade", "stage", "site_detail", "diagnosis_date")}


def _options(axis: icdo3_search.Axis, query: str, current: str) -> list[dict[str, Any]]:
    """The search's options with the stored code first (selected), whether it matches or not:
    a search never loses what is stored."""
    found = icdo3_search.search(axis, query)
    if current:
        found = [icdo3_search.option(axis, current), *(o for o in found if o.code != current)]
    return [{**o.model_dump(), "selected": o.code == current} for o in found]


def _diagnosis_page(request: Request, session: Session, user: CurrentUser, case_id: int,
                    form: tuple[Values, Values] | None = None,
                    finding: tuple[Values, Values] | None = None,
                    status_code: int = 200) -> Response:
    case = cases.read_view(session, user.actor, case_id)
    if not can(user.actor.role, Permission.CASE_WRITE_CLINICAL):
        raise Forbidden(f"role {user.actor.role!r} may not record a diagnosis")
    values = {**_diagnosis_values(case), **(form[0] if form else {})}
    stored_stage = values.get("stage", "")
    known = {v for _, _, group in stage_choices() for v in group}
    morph = values.get("morphology_code", "")
    return render(request, "cases/diagnosis.html", {
        "case": case, "v": values, "errors": form[1] if form else {},
        "morphology_options": _options("morphology", "", morph),
        "topography_options": _options("topography", "", values.get("topography_code", "")),
        "lateralities": vocab.LATERALITIES, "grades": GRADES, "stages": stage_choices(),
        "stage_other": stored_stage if stored_stage and stored_stage not in known else "",
        "other_stage": OTHER_STAGE, "today": date.today().isoformat(),
        "confirmed": pathway.Status(case["status"]) in diagnosis.CONFIRMED,
        "fusions": fusions_for(morph) if morph else (), "methods": METHODS,
        "f": finding[0] if finding else {}, "f_errors": finding[1] if finding else {}},
        status_code=status_code)


@router.get("/cases/icdo3/{axis}/options")
def code_options(axis: icdo3_search.Axis, request: Request, user: PageUserDep,
                 q: str = Query("", max_length=100),
                 current: str = Query("", max_length=16)) -> Response:
    """The picker's options for a search (htmx swaps them into the select)."""
    return render(request, "cases/_code_options.html",
                  {"options": _options(axis, q, current), "axis": axis})


@router.get("/cases/{case_id}/diagnosis")
def diagnosis_page(case_id: int, request: Request, session: SessionDep,
                   user: PageUserDep) -> Response:
    return _diagnosis_page(request, session, user, case_id)


#: The diagnosis form's refusals of a choice, told without the service's details (translated
#: in the template; the API keeps the details)
DIAGNOSIS_REFUSALS = {
    "stage": N_("not a stage group of the chosen system"),
    "morphology_code": N_("not an ICD-O-3 code of the list: choose one in the picker"),
    "topography_code": N_("not an ICD-O-3 code of the list: choose one in the picker"),
    "laterality": N_("choose a laterality from the list"),
}
_DIAGNOSIS_FIELDS = ("morphology_code", "topography_code", "laterality", "grade", "site_detail",
                     "diagnosis_date")


@router.post("/cases/{case_id}/diagnosis")
def save_diagnosis(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
                   form: FormDep) -> Response:
    keys = (*_DIAGNOSIS_FIELDS, "stage", "stage_other", "reason", "version")
    values = {k: form_text(form, k) for k in keys}

    def act() -> Response:
        stage = values["stage_other"] if values["stage"] == OTHER_STAGE else values["stage"]
        body = {k: values[k] or None for k in _DIAGNOSIS_FIELDS}
        diagnosis.update_diagnosis(session, user.actor, case_id, CaseUpdate.model_validate(
            {**body, "stage": stage or None, "reason": values["reason"],
             "version": values["version"] or None}))
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    def refused(message: str, status: int) -> Response:
        field, reason = _error_of(message, status)
        reason = DIAGNOSIS_REFUSALS.get(field, reason)
        kept = {**values, "stage": (values["stage_other"] if values["stage"] == OTHER_STAGE
                                    else values["stage"])}
        return _diagnosis_page(request, session, user, case_id, (kept, {field: reason}),
                               status_code=status)

    return form_action(session, act, refused)


@router.post("/cases/{case_id}/diagnosis/findings")
def add_finding(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
                form: FormDep) -> Response:
    values = {k: form_text(form, k) for k in ("finding", "gene", "method", "finding_date",
                                              "version")}

    def act() -> Response:
        diagnosis.add_finding(session, user.actor, case_id, FindingIn.model_validate({
            "finding": values["finding"], "gene": values["gene"] or None,
            "method": values["method"], "finding_date": values["finding_date"] or None,
            "version": values["version"] or None}))
        return RedirectResponse(f"/cases/{case_id}/diagnosis#findings", status_code=303)

    def refused(message: str, status: int) -> Response:
        return _diagnosis_page(request, session, user, case_id,
                               finding=(values, dict([_error_of(message, status)])),
                               status_code=status)

    return form_action(session, act, refused)


@router.post("/cases/{case_id}/diagnosis/findings/{finding_id}/remove")
def remove_finding(case_id: int, finding_id: int, request: Request, session: SessionDep,
                   user: PageUserDep, version: Annotated[int, Form()],
                   reason: Annotated[str, Form()] = "") -> Response:
    def act() -> Response:
        diagnosis.remove_finding(session, user.actor, case_id, finding_id, version,
                                 reason.strip())
        return RedirectResponse(f"/cases/{case_id}/diagnosis#findings", status_code=303)

    def refused(message: str, status: int) -> Response:
        return _diagnosis_page(request, session, user, case_id,
                               finding=({}, dict([_error_of(message, status)])),
                               status_code=status)

    return form_action(session, act, refused)
