"""HIPEC perfusion report: HTML (Jinja2) and PDF (WeasyPrint from the same HTML).

The temperature chart is a static inline SVG built here, so that it renders the same in a browser
and in the PDF and needs neither JavaScript nor a plotting library: every probe over time, the
target band shaded, the plateau start and end marked, alarms as ticks on the top edge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from rareonco.hipec.analysis import Analysis
from rareonco.hipec.perfusion import PerfusionLog

__all__ = ["chart_svg", "render_html", "render_pdf"]

_TEMPLATES = Path(__file__).parent / "templates"
_PALETTE = (
    "#d62728",
    "#1f77b4",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
)
_MAX_POINTS = 600  # per probe; min-max decimation keeps spikes visible


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mmss"] = _mmss
    env.filters["num"] = _num
    return env


def render_html(
    analysis: Analysis,
    log: PerfusionLog,
    *,
    title: str = "HIPEC perfusion report",
    metadata: Mapping[str, str] | None = None,
) -> str:
    """The report as a self-contained HTML document.

    ``metadata`` (label -> value, e.g. patient, procedure, surgeon, date, source file) is shown
    as given, in order; the report adds no clock or identity of its own.
    """
    template = _environment().get_template("hipec_report.html")
    return template.render(
        title=title,
        metadata=dict(metadata or {}),
        analysis=analysis,
        plateau=analysis.plateau,
        target_c=analysis.target_c,
        probes=list(analysis.probes.values()),
        colours=_colours(log),
        alarms=analysis.alarms,
        lives=analysis.alarm_lives,
        findings=analysis.data_quality,
        duration_min=log.duration_s / 60.0,
        started_at=log.started_at,
        chart=Markup(chart_svg(log, analysis)),
    )


def render_pdf(
    analysis: Analysis,
    log: PerfusionLog,
    *,
    title: str = "HIPEC perfusion report",
    metadata: Mapping[str, str] | None = None,
) -> bytes:
    """The same report as PDF bytes (WeasyPrint)."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    html = render_html(analysis, log, title=title, metadata=metadata)
    pdf: bytes = HTML(string=html, base_url=str(_TEMPLATES)).write_pdf()
    return pdf


def _colours(log: PerfusionLog) -> dict[str, str]:
    return {p: _PALETTE[i % len(_PALETTE)] for i, p in enumerate(log.probes_c)}


def chart_svg(
    log: PerfusionLog, analysis: Analysis, width: int = 760, height: int = 300
) -> str:
    """Temperature (C) over time (min) for every probe, as an SVG string."""
    left, right, top, bottom = 46, 100, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    t_min = log.t_s / 60.0 if len(log) else np.zeros(1)
    x_max = max(float(t_min[-1]), 1.0)
    low, high = analysis.target_c
    finite = [v[np.isfinite(v)] for v in log.probes_c.values()]
    data = np.concatenate(finite) if finite else np.empty(0)
    y_lo = math.floor(min(float(data.min()) if data.size else low, low) - 0.5)
    y_hi = math.ceil(max(float(data.max()) if data.size else high, high) + 0.5)

    def x(t: float) -> float:
        return left + plot_w * t / x_max

    def y(c: float) -> float:
        return top + plot_h * (y_hi - c) / (y_hi - y_lo)

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" class="chart" role="img" aria-label="Temperatures over time" '
            f'font-family="sans-serif" font-size="10">'
        ),
        (
            f'<rect x="{left}" y="{y(high):.1f}" width="{plot_w}" height="{y(low) - y(high):.1f}" '
            f'fill="#2ca02c" fill-opacity="0.15"/>'
        ),
    ]
    for c in _ticks(y_lo, y_hi, 8):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(c):.1f}" y2="{y(c):.1f}" '
            f'stroke="#ddd" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y(c) + 3:.1f}" text-anchor="end">{c:g}</text>'
        )
    for t in _ticks(0, x_max, 10):
        parts.append(
            f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{top + plot_h}" '
            f'stroke="#eee" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{x(t):.1f}" y="{top + plot_h + 12}" text-anchor="middle">{t:g}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle">time (min)</text>'
    )
    parts.append(
        f'<text x="12" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2})">temperature (C)</text>'
    )
    plateau = analysis.plateau
    for label, t_s in (("plateau start", plateau.start_s), ("end", plateau.end_s)):
        if t_s is not None:
            px = x(t_s / 60.0)
            parts.append(
                f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{top + plot_h}" '
                f'stroke="#555" stroke-dasharray="4 3"/>'
            )
            parts.append(
                f'<text x="{px + 3:.1f}" y="{top + plot_h - 4}" fill="#555">{label}</text>'
            )
    colours = _colours(log)
    gap_min = 30.0 / 60.0
    for name, temps in log.probes_c.items():
        for segment in _segments(t_min, temps, gap_min):
            points = " ".join(f"{x(t):.1f},{y(c):.1f}" for t, c in segment)
            parts.append(
                f'<polyline fill="none" stroke="{colours[name]}" stroke-width="1.2" '
                f'points="{points}"/>'
            )
    for alarm in analysis.alarms:
        px = x(alarm.t_s / 60.0)
        parts.append(
            f'<path d="M{px - 4:.1f},{top} L{px + 4:.1f},{top} L{px:.1f},{top + 7}Z" '
            f'fill="#c00"><title>{escape(alarm.message)}</title></path>'
        )
    parts.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="#333" stroke-width="0.8"/>'
    )
    legend_x = left + plot_w + 10
    for i, name in enumerate(log.probes_c):
        ly = top + 10 + 14 * i
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 14}" y1="{ly}" y2="{ly}" '
            f'stroke="{colours[name]}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{legend_x + 18}" y="{ly + 3}">{escape(name)}</text>')
    ly = top + 10 + 14 * len(log.probes_c)
    parts.append(
        f'<rect x="{legend_x}" y="{ly - 5}" width="14" height="10" fill="#2ca02c" '
        f'fill-opacity="0.15"/><text x="{legend_x + 18}" y="{ly + 3}">target '
        f"{low:g}-{high:g}</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _segments(
    t_min: np.ndarray, temps: np.ndarray, gap_min: float
) -> list[list[tuple[float, float]]]:
    """Decimated runs of finite samples, split at NaN and at gaps longer than ``gap_min``."""
    ok = np.isfinite(temps)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero((np.diff(idx) > 1) | (np.diff(t_min[idx]) > gap_min)) + 1
    segments = []
    n_total = idx.size
    for run in np.split(idx, breaks):
        t, c = t_min[run], temps[run]
        budget = max(2, int(_MAX_POINTS * run.size / n_total))
        if run.size > budget:
            buckets = np.array_split(np.arange(run.size), budget // 2)
            keep = sorted(
                {int(b[np.argmin(c[b])]) for b in buckets}
                | {int(b[np.argmax(c[b])]) for b in buckets}
                | {0, run.size - 1}
            )
            t, c = t[keep], c[keep]
        segments.append(list(zip(t.tolist(), c.tolist(), strict=True)))
    return segments


def _ticks(lo: float, hi: float, target: int) -> list[float]:
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / target
    step = min(
        (
            s * 10 ** math.floor(math.log10(raw))
            for s in (1, 2, 5, 10)
            if s * 10 ** math.floor(math.log10(raw)) >= raw
        ),
        default=raw,
    )
    first = math.ceil(lo / step) * step
    n = math.floor((hi - first) / step + 1e-9) + 1
    return [round(first + i * step, 6) for i in range(n)]


def _mmss(t_s: float | None) -> str:
    if t_s is None:
        return "-"
    sign = "-" if t_s < 0 else ""
    t = abs(float(t_s))
    return (
        f"{sign}{int(t // 60)}:{t % 60:04.1f}"
        if t % 1
        else f"{sign}{int(t // 60)}:{int(t % 60):02d}"
    )


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
