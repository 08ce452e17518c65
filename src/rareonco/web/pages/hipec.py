"""HIPEC pages: a case's procedures with the form to record one, and a procedure's live page
(Plotly chart fed by the server-sent-event stream, alarms with Acknowledge, a simulated
perfusion for demos, analysis table, report links)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from rareonco.clinical.drugs import resolve_drug
from rareonco.errors import Conflict, InvalidInput, RareOncoError
from rareonco.hipec import AlarmConfig, Analysis, PerfusionLog
from rareonco.hipec.simulator import FAULT_KINDS
from rareonco.i18n import N_, current_locale, use_locale
from rareonco.i18n.labels import HIPEC_PROBES, HIPEC_TECHNIQUES, probe_label
from rareonco.records.cases import service as cases
from rareonco.records.hipec import imports as hipec_imports
from rareonco.records.hipec import procedures as hipec
from rareonco.records.hipec import samples as hipec_samples
from rareonco.records.hipec.schemas import CC_SCORES, ProcedureIn, ProcedureUpdate
from rareonco.security.roles import Permission, can
from rareonco.store.tables.cases import TimelineEvent
from rareonco.store.tables.hipec import HipecProcedure
from rareonco.web import deps
from rareonco.web.api import hipec as api_hipec
from rareonco.web.deps import CurrentUser, SessionDep

# The page-user step of `PageUserDep`, for the import's refusal page, which resolves its user
# in a session of its own (see the report of branch arch5: to be made public in forms.py).
from rareonco.web.pages.forms import (
    PageUserDep,
    as_invalid_input,
    form_text,
    page_user,
    refusal,
)
from rareonco.web.pages.render import render, request_locale
from rareonco.web.sse import get_hub

router = APIRouter()

FAULTS = ("heater_runaway@1", "drift@1,rate=0.3", "probe_dropout:ip_pelvis@1", "pump_stop@1",
          "probe_flatline:ip_upper@1", "heater_failure@15")
#: the simulator's fault specifications as the page offers them
FAULT_LABELS = {
    "heater_runaway@1": N_("heater runaway from minute 1"),
    "drift@1,rate=0.3": N_("temperature drift from minute 1 (0.3 °C/min)"),
    "probe_dropout:ip_pelvis@1": N_("pelvis probe drops out at minute 1"),
    "pump_stop@1": N_("pump stops at minute 1"),
    "probe_flatline:ip_upper@1": N_("upper abdomen probe flatlines at minute 1"),
    "heater_failure@15": N_("heater fails at minute 15"),
}
_FORM_FIELDS = ("procedure_date", "technique", "drug", "dose_mg_m2", "drug2", "dose2_mg_m2",
                "dose_reason",
                "height_cm", "weight_kg", "carrier_solution", "carrier_volume_ml",
                "target_low_c", "target_high_c", "planned_duration_min", "flow_rate_l_min",
                "pci", "cc_score", "surgery_event_id", "probes", "note")
#: Refusals that are not about the form: the error page, as before the form was reached.


def drug_label(name: str) -> str:
    """A drug by its name in the page's language (the drug vocabulary's; as typed if unknown)."""
    try:
        drug = resolve_drug(name)
    except InvalidInput:
        return name
    return drug.name_ru if current_locale() == "ru" else drug.name_en


#: what the HIPEC templates use to show vocabulary in the page's language
LABELS: dict[str, Any] = {"drug_label": drug_label, "probe_label": probe_label,
                          "techniques": HIPEC_TECHNIQUES, "fault_labels": FAULT_LABELS,
                          "known_probes": list(HIPEC_PROBES)}


@lru_cache(maxsize=1)
def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@router.get("/hipec/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js from the installed plotly package: no CDN, works offline."""
    return FileResponse(_plotly_js(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})


def _case_header(session: Session, user: CurrentUser,
                 case_id: int) -> tuple[dict[str, Any], list[TimelineEvent]]:
    case = cases.get(session, user.actor, case_id)
    surgeries = [e for e in case.events if e.kind == "surgery"]
    return cases.view(case, user.actor), surgeries


def _list_page(request: Request, session: Session, user: CurrentUser, case_id: int,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               status_code: int = 200) -> Response:
    case, surgeries = _case_header(session, user, case_id)
    procs = [hipec.view(session, p) for p in hipec.list_for_case(session, user.actor, case_id)]
    defaults = {"technique": "closed", "drug": "cisplatin", "dose_mg_m2": "100",
                "carrier_solution": "0.9% NaCl", "carrier_volume_ml": "4500",
                "target_low_c": "42", "target_high_c": "43", "planned_duration_min": "60",
                "flow_rate_l_min": "1.2", "probes": "inflow, outflow, ip_upper, ip_pelvis"}
    return render(request, "hipec/list.html", {
        "case": case, "procedures": procs, "surgeries": surgeries, "cc_scores": CC_SCORES,
        "v": {**defaults, **(values or {})}, "errors": errors or {},
        "can_write": can(user.actor.role, Permission.CASE_WRITE_CLINICAL), **LABELS},
        status_code=status_code)


@router.get("/cases/{case_id}/hipec")
def procedures_page(case_id: int, request: Request, session: SessionDep,
                    user: PageUserDep) -> Response:
    return _list_page(request, session, user, case_id)


def _body(values: dict[str, str]) -> dict[str, Any]:
    reason = values.get("dose_reason") or None  # for a dose beyond the protocol's range
    drugs = [{"drug": values["drug"], "dose_mg_m2": values["dose_mg_m2"], "reason": reason}]
    if values.get("drug2"):
        drugs.append({"drug": values["drug2"], "dose_mg_m2": values.get("dose2_mg_m2") or "",
                      "reason": reason})
    body: dict[str, Any] = {k: v for k, v in values.items()
                            if v != "" and k not in ("drug", "dose_mg_m2", "drug2",
                                                     "dose2_mg_m2", "probes", "dose_reason")}
    body["drugs"] = drugs
    body["probes"] = [p.strip() for p in values.get("probes", "").split(",") if p.strip()]
    return body


@router.post("/cases/{case_id}/hipec")
async def create_procedure(case_id: int, request: Request, session: SessionDep,
                           user: PageUserDep) -> Response:
    form = await request.form()
    values = {k: form_text(form, k) for k in _FORM_FIELDS}

    def act() -> Response:
        proc = hipec.create(session, user.actor, case_id, ProcedureIn.model_validate(_body(values)))
        return RedirectResponse(f"/cases/{case_id}/hipec/{proc.id}", status_code=303)

    # Not `form_action`: the refusal marks its field too, which the translated message no
    # longer names (it shows the field's label).
    try:
        with session.begin_nested():
            return act()
    except (InvalidInput, ValidationError) as exc:  # the form's input (`FORM_INPUT`)
        message, _ = refusal(exc)
        invalid = as_invalid_input(exc) if isinstance(exc, ValidationError) else exc
        field = invalid.field.split(".")[-1]
        errors = {field: message.partition(": ")[2] or message, "form": message}
        return _list_page(request, session, user, case_id, values, errors, 422)


def _procedure_page(request: Request, session: Session, user: CurrentUser, case_id: int,
                    procedure_id: int, import_error: str | None = None,
                    status_code: int = 200) -> Response:
    proc = hipec.get(session, user.actor, case_id, procedure_id)
    case, _ = _case_header(session, user, case_id)
    hub = get_hub(request)
    imports = [hipec_imports.import_view(r) for r in
               hipec_imports.list_imports(session, user.actor, case_id, procedure_id)]
    return render(request, "hipec/procedure.html", {
        "case": case, "proc": hipec.view(session, proc), "faults": FAULTS,
        "fault_kinds": FAULT_KINDS, "simulating": hub.simulation_running(procedure_id),
        "can_write": can(user.actor.role, Permission.CASE_WRITE_CLINICAL),
        "imports": imports, "import_error": import_error, "rx": _live_limits(proc),
        "api": f"/api/v1/cases/{case_id}/hipec/{procedure_id}", **LABELS},
        status_code=status_code)


def _live_limits(proc: HipecProcedure) -> dict[str, float]:
    """What the live page colours and counts by: the prescription's limits (C), the margin
    below the target that still counts as therapeutic time, the prescribed duration (min)."""
    rx = hipec_samples.prescription(proc)
    return {"low": rx.target_low_c, "high": rx.target_high_c,
            "ipMax": rx.intraperitoneal_max_c, "circuitMax": rx.circuit_max_c,
            "coreMax": rx.core_max_c, "underMargin": AlarmConfig().under_margin_c,
            "maxGap": AlarmConfig().max_gap_s, "quiet": AlarmConfig().silent_after_s,
            "durationMin": rx.duration_min}


@router.get("/cases/{case_id}/hipec/{procedure_id}")
def procedure_page(case_id: int, procedure_id: int, request: Request, session: SessionDep,
                   user: PageUserDep) -> Response:
    return _procedure_page(request, session, user, case_id, procedure_id)


@router.post("/cases/{case_id}/hipec/{procedure_id}/import")
async def import_csv(case_id: int, procedure_id: int, request: Request,
                     file: Annotated[UploadFile | None, File()] = None) -> Response:
    """The perfusion CSV from the page, through the API's import (the hub's writer checks the
    user and the CSRF token); then the page, with the import's data-quality findings."""
    settings = request.app.state.settings
    # Not `form_action`: the handler holds no session (the hub's writer checks the user in its
    # own transaction), so there is no savepoint to roll back; the refusal page needs a session
    # of its own (`_import_refused`).
    try:
        if file is None or not file.filename:
            raise InvalidInput("file", "choose the perfusion CSV export to import")
        await api_hipec.import_upload(request, get_hub(request), settings, case_id,
                                      procedure_id, file)
    except (InvalidInput, Conflict) as exc:
        sent_csrf = await deps._sent_csrf(request)
        return await run_in_threadpool(_import_refused, request, sent_csrf, case_id,
                                       procedure_id, exc)
    return RedirectResponse(f"/cases/{case_id}/hipec/{procedure_id}#imports", status_code=303)


def _import_refused(request: Request, sent_csrf: str | None, case_id: int, procedure_id: int,
                    exc: InvalidInput | Conflict) -> Response:
    """The page again with the reason (a session of its own: the handler holds none)."""
    with request.app.state.db.session(read=True) as session:
        user = page_user(request, deps._current_user(request, session, sent_csrf))
        with use_locale(request_locale(request)):  # the message in the page's language
            message, status = refusal(exc)
        return _procedure_page(request, session, user, case_id, procedure_id,
                               import_error=message, status_code=status)


@router.get("/cases/{case_id}/hipec/{procedure_id}/analysis")
def analysis_fragment(case_id: int, procedure_id: int, request: Request, session: SessionDep,
                      user: PageUserDep) -> Response:
    """The analysis table (htmx fragment)."""
    error = None
    result: Analysis | None = None
    log: PerfusionLog | None = None
    # Not `form_action`: a GET in a read session, with nothing to roll back (no savepoint).
    try:
        _, log, result = hipec_samples.analysis(session, user.actor, case_id, procedure_id)
    except RareOncoError as exc:
        error, _ = refusal(exc)
    return render(request, "hipec/_analysis.html", {
        "a": result, "n_samples": len(log) if log is not None else 0,
        "duration_min": (log.duration_s / 60.0) if log is not None else 0.0, "error": error,
        **LABELS})


@router.post("/cases/{case_id}/hipec/{procedure_id}/finish")
def finish(case_id: int, procedure_id: int, request: Request, session: SessionDep,
           user: PageUserDep, version: Annotated[int, Form()]) -> Response:
    """Finish the perfusion. The page's version is stale as soon as the feed starts (the first
    samples turn the procedure from planned to running), and finishing changes nothing but
    the status, so it applies to the current version rather than refusing with 409."""
    del version  # kept in the form for older pages
    current = hipec.load(session, case_id, procedure_id)
    hipec.update(session, user.actor, case_id, procedure_id,
                 ProcedureUpdate(version=current.version, status="finished"))
    session.commit()
    get_hub(request).finished(procedure_id, "finished")
    return RedirectResponse(f"/cases/{case_id}/hipec/{procedure_id}", status_code=303)
