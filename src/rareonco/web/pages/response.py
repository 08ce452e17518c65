"""Response assessment page: the RECIST 1.1 table and chart, the Huvos grades, and the forms to
enter an imaging timepoint (the baseline with its target and non-target lesions, then follow-ups
measuring the same targets) and a resection specimen's necrosis.

Both forms post to the services of :mod:`rareonco.records.response.assessment`; a refusal re-renders the
page with status 422 (409 for a second baseline), the reason next to its field and the entered
values kept. Field names of the services are mapped back to the form's inputs here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rareonco.records.cases import service as cases
from rareonco.records.response import assessment as response
from rareonco.records.response.schemas import PathologyResponseIn, TimepointIn
from rareonco.security.roles import Permission, can
from rareonco.web.deps import CurrentUser, SessionDep
from rareonco.web.pages.courses import FormDep
from rareonco.web.pages.forms import FORM_INPUT, PageUserDep, form_action, form_text
from rareonco.web.pages.render import render

router = APIRouter()

#: blank rows offered at baseline (RECIST 1.1 allows at most 5 targets; non-targets are listed)
TARGET_ROWS = 5
NON_TARGET_ROWS = 3
NON_TARGET_STATUSES = ("absent", "present", "progression", "not_evaluated")
_TARGET_ATTRS = {"id": "id", "organ": "organ", "mm": "mm", "node": "node"}
#: Refusals that are not about the form: the error page, as before the form was reached.


def _page(request: Request, session: Session, user: CurrentUser, case_id: int, *,
          tp: tuple[dict[str, str], dict[str, str]] | None = None,
          path: tuple[dict[str, str], dict[str, str]] | None = None,
          status_code: int = 200) -> Response:
    case = cases.read_view(session, user.actor, case_id)
    r = response.response_view(session, user.actor, case_id)
    today = date.today().isoformat()
    tp_defaults = {"assessed_on": today, "modality": r.baseline.modality if r.baseline else "CT",
                   "non_target": "present" if r.baseline and r.baseline.non_targets
                   else "absent"}
    tp_values, tp_errors = tp or ({}, {})
    path_values, path_errors = path or ({}, {})
    return render(request, "courses/response.html", {
        "case": case, "r": r, "today": today,
        "can_write": can(user.actor.role, Permission.CASE_WRITE_CLINICAL),
        "target_rows": range(TARGET_ROWS), "non_target_rows": range(NON_TARGET_ROWS),
        "non_target_statuses": NON_TARGET_STATUSES,
        "tp": {**tp_defaults, **tp_values}, "tp_errors": tp_errors,
        "path": {"specimen_date": today, **path_values}, "path_errors": path_errors},
        status_code=status_code)


@router.get("/cases/{case_id}/response")
def response_page(case_id: int, request: Request, session: SessionDep,
                  user: PageUserDep) -> Response:
    return _page(request, session, user, case_id)


def _text(form: FormData) -> dict[str, str]:
    return {k: form_text(form, k) for k in form if k != "csrf_token"}


def _baseline_lesions(values: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The lesions of the filled rows, and for each the prefix of its inputs (``target_2``)."""
    lesions, where = [], []
    for i in range(TARGET_ROWS):
        row = {k: values.get(f"target_{i}_{k}", "") for k in ("id", "organ", "mm")}
        if any(row.values()):
            lesions.append({"id": row["id"], "organ": row["organ"], "mm": row["mm"] or None,
                            "node": values.get(f"target_{i}_node") == "on"})
            where.append(f"target_{i}")
    for i in range(NON_TARGET_ROWS):
        row = {k: values.get(f"non_target_{i}_{k}", "") for k in ("id", "organ")}
        if any(row.values()):
            lesions.append({"id": row["id"], "organ": row["organ"], "kind": "non_target"})
            where.append(f"non_target_{i}")
    return lesions, where


def _follow_up_lesions(values: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    keys = [k for k in values if k.startswith("mm__")]
    return ([{"id": k[4:], "mm": values[k] or None} for k in keys], keys)


def _lesion_field(path: str, where: list[str], baseline: bool) -> str:
    """``lesions.2.mm`` (Pydantic) or ``baseline.targets.1.mm`` (RECIST) -> the form input."""
    m = re.match(r"(?:lesions|baseline\.targets)\.(\d+)(?:\.(\w+))?", path)
    if not m:
        return "lesions"
    index, attr = int(m.group(1)), m.group(2) or "mm"
    if path.startswith("baseline.targets"):  # RECIST counts the targets only
        where = [w for w in where if w.startswith("target_")]
    if index >= len(where):
        return "lesions"
    return where[index] if not baseline else f"{where[index]}_{_TARGET_ATTRS.get(attr, 'id')}"


def _timepoint_errors(message: str, where: list[str], baseline: bool) -> dict[str, str]:
    """A refusal's message (``field: reason``, RECIST's ``lesions: baseline.targets.0.mm:
    reason`` included) as the reason beside each input at fault, and the whole under "form"."""
    errors: dict[str, str] = {}
    named = re.match(r"([\w.]+): (.*)", message, re.DOTALL)
    if named and named.group(1) == "lesions":
        named = re.match(r"([\w.]+): (.*)", named.group(2), re.DOTALL) or named
    pairs = [(named.group(1), named.group(2))] if named else [("form", message)]
    for field, reason in pairs:
        if field.startswith(("lesions.", "baseline.targets.")):
            field = _lesion_field(field, where, baseline)
        elif field.startswith(("baseline.", "followups.")):  # the series as a whole
            field = "lesions"
        errors.setdefault(field, reason)
    errors["form"] = "; ".join(f"{f}: {r}" if f != "form" else r for f, r in pairs)
    return errors


@router.post("/cases/{case_id}/response/timepoints")
def add_timepoint(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
                  form: FormDep) -> Response:
    """A baseline (targets and non-targets) or a follow-up (mm per target, blank = not
    measured; the non-target status; new lesions)."""
    values = _text(form)
    baseline = values.get("baseline") == "1"
    lesions, where = (_baseline_lesions if baseline else _follow_up_lesions)(values)
    body: dict[str, Any] = {"assessed_on": values.get("assessed_on") or None,
                            "baseline": baseline, "modality": values.get("modality") or "CT",
                            "note": values.get("note", ""), "lesions": lesions}
    if not baseline:
        body.update(non_target=values.get("non_target") or "absent",
                    new_lesions=values.get("new_lesions") == "on")

    def act() -> Response:
        response.add_timepoint(session, user.actor, case_id, TimepointIn.model_validate(body))
        return RedirectResponse(f"/cases/{case_id}/response", status_code=303)

    def refused(message: str, status: int) -> Response:
        return _page(request, session, user, case_id,
                     tp=(values, _timepoint_errors(message, where, baseline)), status_code=status)

    return form_action(session, act, refused)


@router.post("/cases/{case_id}/response/pathology")
def add_pathology(case_id: int, request: Request, session: SessionDep, user: PageUserDep,
                  form: FormDep) -> Response:
    """The necrosis of the resection specimen (per cent) -> Huvos grade."""
    values = _text(form)

    def act() -> Response:
        body = PathologyResponseIn.model_validate({
            "specimen_date": values.get("specimen_date") or None,
            "necrosis_pct": values.get("necrosis_pct") or None, "note": values.get("note", "")})
        response.add_pathology_response(session, user.actor, case_id, body)
        return RedirectResponse(f"/cases/{case_id}/response", status_code=303)

    def refused(message: str, status: int) -> Response:
        field, _, reason = message.partition(": ")
        return _page(request, session, user, case_id,
                     path=(values, {field: reason} if reason else {"form": message}),
                     status_code=422)

    return form_action(session, act, refused, refuse=FORM_INPUT)
