"""The printable dose sheet of a course: HTML (Jinja2) and PDF (WeasyPrint from the same HTML).

One page per cycle would waste paper for P6 (7 short cycles); the sheet is one table per cycle,
each kept whole on a page. Caps are shown on the dose itself ("2.00 mg CAPPED, uncapped 3.22"),
never only in a footnote: a capped vincristine that is silently uncapped is a known harm.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

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
    return _environment().get_template("dose_sheet.html").render(
        course=course, patient=patient, printed_on=printed_on.isoformat(),
        printed_by=printed_by)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
