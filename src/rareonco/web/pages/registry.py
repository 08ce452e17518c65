"""The researcher's registry page: one or two cohorts from the form, their Kaplan-Meier curves
(overall or event-free survival) with numbers at risk and the log-rank test, downloads of the
chart (SVG) and of the curve (CSV). Every count passes small-cell suppression."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from rareonco.clinical.codes import all_morphologies
from rareonco.errors import InvalidInput
from rareonco.i18n import N_
from rareonco.outcomes.registry_record import SITE_GROUPS
from rareonco.records.registry import cohorts
from rareonco.records.registry.chart import km_chart
from rareonco.records.registry.schemas import CohortIn, CompareIn, CompareOut, SurvivalIn
from rareonco.web.deps import SessionDep
from rareonco.web.pages.forms import PageUserDep, refusal
from rareonco.web.pages.render import render

router = APIRouter()
#: site group -> label (translated in the template)
SITE_LABELS = {"limb": N_("limbs"), "pelvis": N_("pelvis and sacrum"),
               "axial": N_("spine, ribs and sternum"), "head_neck": N_("head and neck"),
               "trunk": N_("trunk wall"), "retroperitoneum": N_("retroperitoneum"),
               "peritoneum": N_("peritoneum"), "other": N_("other sites")}
FIELDS = ("label", "morphology", "site_group", "age_min", "age_max", "sex", "metastatic")
TIMES_DAYS = [0, 365, 730, 1096, 1461, 1826, 2557, 3652]


def _cohort(values: dict[str, str]) -> CohortIn | None:
    data: dict[str, Any] = {}
    if values.get("morphology"):
        data["morphology"] = [values["morphology"]]
    if values.get("site_group"):
        data["site_group"] = [values["site_group"]]
    for key in ("age_min", "age_max"):
        if values.get(key):
            try:
                data[key] = int(values[key])
            except ValueError:
                raise InvalidInput(key, "not a whole number of years") from None
    if values.get("sex"):
        data["sex"] = values["sex"]
    if values.get("metastatic") in ("yes", "no"):
        data["metastatic"] = values["metastatic"] == "yes"
    return CohortIn.model_validate(data) if data else None


def _values(request: Request) -> dict[str, dict[str, str]]:
    q = request.query_params
    return {g: {f: q.get(f"{g}_{f}", "").strip() for f in FIELDS} for g in ("a", "b")}


def _answer(session: SessionDep, user: PageUserDep, request: Request
            ) -> tuple[dict[str, dict[str, str]], str, CompareOut | None]:
    cohorts.require_registry(user.actor)
    values = _values(request)
    endpoint = "efs" if request.query_params.get("endpoint") == "efs" else "os"
    if not request.query_params:
        return values, endpoint, None
    a, b = _cohort(values["a"]), _cohort(values["b"])
    label_a = values["a"]["label"] or "A"
    label_b = values["b"]["label"] or "B"
    if b is None:
        curve = cohorts.cohort_survival(session, user.actor, SurvivalIn(
            endpoint=endpoint, cohort=a or CohortIn(), times_days=TIMES_DAYS))
        curve.label = label_a
        return values, endpoint, CompareOut(curves=[curve], chi_square=None,
                                            degrees_of_freedom=None, p_value=None)
    if label_a == label_b:
        label_b += " (2)"
    return values, endpoint, cohorts.compare_cohorts(session, user.actor, CompareIn(
        endpoint=endpoint, groups={label_a: a or CohortIn(), label_b: b},
        times_days=TIMES_DAYS))


def _context(values: dict[str, dict[str, str]], endpoint: str, result: CompareOut | None
             ) -> dict[str, Any]:
    return {"v": values, "endpoint": endpoint, "result": result,
            "chart": km_chart(result.curves, 3652) if result else None,
            "morphologies": all_morphologies(), "site_groups": SITE_GROUPS,
            "site_labels": SITE_LABELS,
            "times_years": [round(t / 365.25) for t in TIMES_DAYS]}


@router.get("/registry")
def registry_page(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    cohorts.require_registry(user.actor)
    try:
        values, endpoint, result = _answer(session, user, request)
    except (InvalidInput, ValidationError) as exc:
        message, status = refusal(exc)
        return render(request, "registry/registry.html",
                      {**_context(_values(request), "os", None), "error": message},
                      status_code=status)
    return render(request, "registry/registry.html", _context(values, endpoint, result))


@router.post("/registry/export")
async def export_page(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    """Cohort A of the form, de-identified, as a ZIP download; a refusal re-renders the page."""
    from datetime import date

    from rareonco.records.registry.export import ExportIn, export_cohort

    form = await request.form()
    values = {g: {f: str(form.get(f"{g}_{f}", "")).strip() for f in FIELDS} for g in ("a", "b")}
    try:
        req = ExportIn(cohort=_cohort(values["a"]) or CohortIn(),
                       purpose=str(form.get("purpose", "")).strip(),
                       format="parquet" if form.get("format") == "parquet" else "csv",
                       dates="shifted" if form.get("dates") == "shifted" else "year")
        secret = request.app.state.settings.effective_secret_key().encode()
        result = export_cohort(session, user.actor, req, secret, date.today())
    except (InvalidInput, ValidationError) as exc:
        message, status = refusal(exc)
        return render(request, "registry/registry.html",
                      {**_context(values, "os", None), "export_error": message},
                      status_code=status)
    return Response(result.body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


@router.get("/registry/curve.csv")
def curve_csv(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    """The shown curves as CSV: label, day, estimate, lower, upper (de-identified: suppressed
    curves have no rows)."""
    _, endpoint, result = _answer(session, user, request)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["cohort", "endpoint", "day", "estimate", "lower", "upper"])
    for c in result.curves if result else []:
        for p in c.points:
            w.writerow([c.label, endpoint, p.days, f"{p.estimate:.4f}", f"{p.lower:.4f}",
                        f"{p.upper:.4f}"])
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="km-curve.csv"'})


@router.get("/registry/chart.svg")
def chart_svg(request: Request, session: SessionDep, user: PageUserDep) -> Response:
    values, endpoint, result = _answer(session, user, request)
    body = render(request, "registry/_chart_svg.html", _context(values, endpoint, result)).body
    return Response(body, media_type="image/svg+xml",
                    headers={"Content-Disposition": 'attachment; filename="km-chart.svg"'})
