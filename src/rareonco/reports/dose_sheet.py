"""The printable dose sheet of a course: HTML (Jinja2) and PDF (WeasyPrint from the same HTML).

One page per cycle would waste paper for P6 (7 short cycles); the sheet is one table per cycle,
each kept whole on a page. Caps are shown on the dose itself ("2.00 mg CAPPED, uncapped 3.22"),
never only in a footnote: a capped vincristine that is silently uncapped is a known harm.

Supportive care is printed as orders (drug, dose, route, timing, source) from
:func:`rareonco.regimens.supportive.supportive_orders` for each planned cycle, with the patient's
age at the course start (antiemetic doses are not computed under 18).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from rareonco.errors import InvalidInput
from rareonco.regimens.library import get_regimen
from rareonco.regimens.supportive import supportive_orders

__all__ = ["render_html", "render_pdf"]

_TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES),
                       autoescape=select_autoescape(["html"]), trim_blocks=True,
                       lstrip_blocks=True)


def render_html(course: object, patient: dict[str, Any], printed_on: date,
                printed_by: str) -> str:
    """``course`` is :func:`rareonco.records.courses.service.course_view` (a ``CourseOut``: the
    template reads its attributes); ``patient`` the case's patient as
    :func:`rareonco.records.patients.service.view` gives it."""
    supportive, sources = supportive_view(course, patient)
    return _environment().get_template("dose_sheet.html").render(
        course=course, patient=patient, printed_on=printed_on.isoformat(),
        printed_by=printed_by, supportive=supportive, sources=sources)


def _age_years(patient: dict[str, Any], start: date) -> float | None:
    """Age at the course start; from a birth year alone the lower bound (so a patient who may
    be under 18 gets no computed adult antiemetic dose)."""
    born = patient.get("birth_date")
    if isinstance(born, str):
        born = date.fromisoformat(born)
    if isinstance(born, date):
        return (start - born).days / 365.25
    year = patient.get("birth_year")
    return float(start.year - int(year) - 1) if year else None


def supportive_view(course: Any, patient: dict[str, Any]) -> tuple[dict[int, dict[str, Any]],
                                                                     list[str]]:
    """Per planned cycle number: its supportive orders with dates and source numbers (or the
    reason they could not be computed); and the numbered sources."""
    sources: list[str] = []
    out: dict[int, dict[str, Any]] = {}
    try:
        regimen = get_regimen(course.regimen)
    except InvalidInput as exc:
        return {c.number: {"error": exc.reason} for c in course.cycles}, sources
    start = course.start if isinstance(course.start, date) else date.fromisoformat(course.start)
    age = _age_years(patient, start)
    for c in course.cycles:
        try:
            plan = supportive_orders(regimen, c.drugs, bsa_m2=course.bsa_m2,
                                     weight_kg=course.weight_kg, age_years=age)
        except InvalidInput as exc:
            out[c.number] = {"error": f"{exc.field}: {exc.reason}"}
            continue
        first = date.fromisoformat(str(c.planned_start))
        rows = []
        for order in plan.orders:
            if order.source not in sources:
                sources.append(order.source)
            rows.append({"order": order, "date": (first + timedelta(days=order.day - 1)).isoformat(),
                         "source_no": sources.index(order.source) + 1})
        out[c.number] = {"plan": plan, "rows": rows}
    return out, sources


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
