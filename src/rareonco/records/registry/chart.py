"""A Kaplan-Meier chart as SVG geometry: step paths in a plot box, axis ticks in years, and the
numbers-at-risk rows under it. Drawn on the server so the page needs no chart library offline,
and the same SVG is the download."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from rareonco.records.registry.schemas import CurveOut

__all__ = ["Chart", "km_chart"]

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 36
#: colour-blind-safe (Okabe-Ito)
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    path: str  #: the estimate as an SVG step path
    band: str  #: the confidence band as a closed SVG path


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: tuple[Line, ...]
    x_ticks: tuple[tuple[float, str], ...]  #: (x, years)
    y_ticks: tuple[tuple[float, str], ...]  #: (y, percent)
    box: tuple[float, float, float, float]  #: left, top, right, bottom


def km_chart(curves: list[CurveOut], max_days: int) -> Chart:
    """Step lines for each shown curve from day 0 to ``max_days`` (censored curves stop where
    their data stop)."""
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, TOP
    span = max(max_days, 1)

    def x(days: float) -> float:
        return round(x0 + (x1 - x0) * min(days, span) / span, 1)

    def y(p: float) -> float:
        return round(y0 - (y0 - y1) * p, 1)

    lines = []
    for i, c in enumerate(curves):
        pts = [p for p in c.points if p.days <= span]
        if not pts:
            continue
        d = [f"M{x(0)},{y(pts[0].estimate)}"]
        upper = [(x(0), y(pts[0].upper))]
        lower = [(x(0), y(pts[0].lower))]
        for prev, p in pairwise(pts):
            d.append(f"H{x(p.days)}V{y(p.estimate)}")
            upper += [(x(p.days), y(prev.upper)), (x(p.days), y(p.upper))]
            lower += [(x(p.days), y(prev.lower)), (x(p.days), y(p.lower))]
        band = "M" + " L".join(f"{a},{b}" for a, b in upper + lower[::-1]) + " Z"
        lines.append(Line(c.label, COLOURS[i % len(COLOURS)], "".join(d), band))
    years = max(1, round(span / 365.25))
    step = 1 if years <= 6 else 2 if years <= 12 else 5
    x_ticks = tuple((x(k * 365.25), str(k)) for k in range(0, years + 1, step))
    y_ticks = tuple((y(k / 100), f"{k}") for k in range(0, 101, 25))
    return Chart(WIDTH, HEIGHT, tuple(lines), x_ticks, y_ticks, (x0, y1, x1, y0))
