"""Pelvic resection plan report: HTML (Jinja2) and PDF (WeasyPrint from the same HTML).

The figures (three orthogonal views with overlays) are PNGs embedded as data URIs, so the HTML
file is self-contained and renders the same in a browser and in the PDF.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from rareonco.imaging.figures import orthogonal_views_png
from rareonco.imaging.pipeline import PelvisPlan
from rareonco.imaging.plan_summary import PlanSummary
from rareonco.imaging.volume import Volume

__all__ = ["render_html", "write_plan_report"]

_TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(summary: PlanSummary, views_png: bytes,
                title: str = "Pelvic resection plan and implant template") -> str:
    """The report as one self-contained HTML document, from the plan's summary."""
    return _environment().get_template("plan_report.html").render(
        title=title,
        plan=summary,
        views_uri="data:image/png;base64," + base64.b64encode(views_png).decode("ascii"),
    )


def write_plan_report(plan: PelvisPlan, summary: PlanSummary, ct: Volume, out_dir: Path) -> None:
    """Write views.png (drawn from the plan's masks), report.html and report.pdf (from its
    summary) into `out_dir`."""
    png = orthogonal_views_png(plan, ct)
    (out_dir / "views.png").write_bytes(png)
    html = render_html(summary, png)
    (out_dir / "report.html").write_text(html, encoding="utf-8")
    from weasyprint import HTML

    HTML(string=html, base_url=str(out_dir)).write_pdf(str(out_dir / "report.pdf"))
