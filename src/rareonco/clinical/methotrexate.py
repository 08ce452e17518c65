"""High-dose methotrexate: plasma levels against the expected elimination, leucovorin rescue,
the glucarpidase consensus criteria, urine pH and interacting drugs.

Pure: levels in, findings out. Levels are in umol/L (uM) at hours from the START of the
methotrexate infusion. The thresholds are data (``hdmtx.yaml``) with their sources:

* expected elimination and leucovorin rescue: Leucovorin Calcium Injection USP, US prescribing
  information, "Leucovorin rescue after high-dose methotrexate therapy" (methotrexate 12 g/m2 over
  4 h: the MAP dose). The EURAMOS-1 protocol's own rescue table was not available to check; the
  label's table is the one implemented.
* glucarpidase: Ramsey LB et al., Oncologist 2018;23(1):52-61 (consensus guideline).
* urine pH >= 7 and interacting drugs: Ramsey 2018; methotrexate US prescribing information,
  section 7.

Between two points of the expected curve the level is interpolated log-linearly (elimination is
first-order between samples); a level is "delayed" when above the curve at its hour. After the last
point (96 h) the curve stays at its last value (0.05 uM): the label continues rescue until the level
is below 0.05 uM, however late.

The label states its rescue criteria at 24, 48, 72 and 96 h. Samples are rarely drawn on the hour,
and a level between two of those hours must not fall through (42 h at 20 uM is delayed early
elimination): the early criterion is interpolated log-linearly between 50 uM at 24 h and 5 uM at
48 h and held at 5 uM after 48 h; the late criterion (above 0.2 uM at 72 h, above 0.05 uM at 96 h)
is read as either level (the label's "and" describes a patient followed to 96 h; at 72 h above 0.2
uM the rescue already continues), and held at 0.05 uM after 96 h.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from rareonco.clinical._checks import in_range, number
from rareonco.clinical.drugs import resolve_drug
from rareonco.errors import InvalidInput

__all__ = [
    "GlucarpidaseAdvice",
    "MtxAssessment",
    "MtxLevel",
    "Rescue",
    "assess_levels",
    "expected_level_um",
    "glucarpidase_indicated",
    "hdmtx_data",
    "interacting_drugs",
    "urine_ph_ready",
]


@lru_cache(maxsize=1)
def hdmtx_data() -> dict[str, Any]:
    """The bundled ``hdmtx.yaml`` (thresholds with their sources)."""
    text = resources.files(__package__).joinpath("hdmtx.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


@dataclass(frozen=True)
class MtxLevel:
    hours_from_start: float
    level_um: float


def _levels(levels: Sequence[MtxLevel]) -> list[MtxLevel]:
    out = []
    for i, lv in enumerate(levels):
        h = in_range(lv.hours_from_start, f"levels.{i}.hours_from_start", 0.0, 336.0, "h")
        v = in_range(lv.level_um, f"levels.{i}.level_um", 0.0, 10000.0, "umol/L")
        out.append(MtxLevel(h, v))
    return sorted(out, key=lambda lv: lv.hours_from_start)


def _loglinear(points: Sequence[Sequence[float]], hours: float) -> float | None:
    """Log-linear interpolation of (hour, level) ``points``; None outside their span."""
    for (h0, v0), (h1, v1) in itertools.pairwise(points):
        if h0 <= hours <= h1:
            frac = (hours - h0) / (h1 - h0)
            return math.exp(math.log(v0) + frac * (math.log(v1) - math.log(v0)))
    return None


def expected_level_um(hours_from_start: float) -> float | None:
    """The upper level of normal elimination at this hour: log-linear between the label's points
    (24-96 h), the last point's level after them; None before 24 h (no expected level during and
    just after the infusion)."""
    h = in_range(hours_from_start, "hours_from_start", 0.0, 336.0, "h")
    points = hdmtx_data()["expected_elimination"]["points_h_um"]
    if h > points[-1][0]:
        return float(points[-1][1])
    return _loglinear(points, h)


@dataclass(frozen=True)
class Rescue:
    """Leucovorin rescue per the label's table."""

    category: Literal["normal", "delayed_late", "delayed_early"]
    dose_mg: float
    interval_h: float
    until: str
    source: str


@dataclass(frozen=True)
class GlucarpidaseAdvice:
    indicated: bool | None  # None: not assessable with these levels/infusion
    reason: str
    source: str


@dataclass(frozen=True)
class MtxAssessment:
    delayed: tuple[MtxLevel, ...]
    rescue: Rescue
    glucarpidase: GlucarpidaseAdvice


def _rescue(levels: Sequence[MtxLevel], creatinine_x_baseline_24h: float | None) -> Rescue:
    data = hdmtx_data()["rescue"]
    src = data["source"]

    def early_criterion(hour: float) -> float | None:
        """>= 50 uM at 24 h, >= 5 uM at 48 h (log-linear between, 5 uM after 48 h)."""
        if hour < 22.0:
            return None
        return _loglinear([[24.0, 50.0], [48.0, 5.0]], min(max(hour, 24.0), 48.0))

    early = data["delayed_early"]
    if any((c := early_criterion(lv.hours_from_start)) is not None and lv.level_um >= c * (1 - 1e-9)
           for lv in levels) or (
            creatinine_x_baseline_24h is not None and creatinine_x_baseline_24h >= 2.0):
        then = early["then"]
        return Rescue("delayed_early", early["dose_mg"], early["interval_h"],
                      f"until methotrexate < {early['until_level_um']:g} uM, then "
                      f"{then['dose_mg']:g} mg every {then['interval_h']:g} h until < "
                      f"{then['until_level_um']:g} uM", src)
    late = data["delayed_late"]
    if any(lv.hours_from_start >= 70.0
           and lv.level_um > (0.2 if lv.hours_from_start < 94.0 else 0.05) for lv in levels):
        return Rescue("delayed_late", late["dose_mg"], late["interval_h"],
                      f"continue until methotrexate < {late['until_level_um']:g} uM", src)
    normal = data["normal"]
    return Rescue("normal", normal["dose_mg"], normal["interval_h"], normal["until"], src)


def glucarpidase_indicated(levels: Sequence[MtxLevel], *, infusion_hours: float,
                           creatinine_x_baseline: float | None) -> GlucarpidaseAdvice:
    """Ramsey 2018 consensus: after an infusion of <= 24 h, a level above the 36/42/48 h
    threshold (30/10/5 uM, log-linear between; 5 uM after 48 h) AND creatinine >= 1.5 x
    baseline; after a 36-42 h infusion, above 5 uM at >= 48 h (with the same kidney condition).
    ``indicated`` is None when no level at >= 36 h or the infusion length is not covered."""
    g = hdmtx_data()["glucarpidase"]
    inf = in_range(infusion_hours, "infusion_hours", 0.1, 48.0, "h")
    lv = _levels(levels)
    rise = None if creatinine_x_baseline is None else in_range(
        creatinine_x_baseline, "creatinine_x_baseline", 0.1, 20.0, "x baseline")
    if inf <= g["short_infusion_max_h"]:
        points = g["thresholds_h_um"]
        def threshold(h: float) -> float | None:
            return _loglinear(points, h) if h <= points[-1][0] else points[-1][1]
    elif g["long_infusion_h"][0] <= inf <= g["long_infusion_h"][1]:
        def threshold(h: float) -> float | None:
            return g["long_infusion_threshold_48h_um"] if h >= 48 else None
    else:
        return GlucarpidaseAdvice(None, f"an infusion of {inf:g} h is not covered by the "
                                  "consensus (<= 24 h or 36-42 h)", g["source"])
    above = [(x, t) for x in lv if (t := threshold(x.hours_from_start)) is not None
             and x.level_um > t]
    assessed = [x for x in lv if threshold(x.hours_from_start) is not None]
    if not assessed:
        return GlucarpidaseAdvice(None, "no level at the hours the consensus uses", g["source"])
    if not above:
        return GlucarpidaseAdvice(False, "every level at or below the consensus threshold",
                                  g["source"])
    x, t = above[0]
    if rise is None:
        return GlucarpidaseAdvice(None, f"{x.level_um:g} uM at {x.hours_from_start:g} h is above "
                                  f"{t:.3g} uM; creatinine against baseline needed", g["source"])
    if rise >= g["creatinine_rise_x_baseline"]:
        return GlucarpidaseAdvice(True, f"{x.level_um:g} uM at {x.hours_from_start:g} h is above "
                                  f"{t:.3g} uM and creatinine is {rise:g} x baseline; give within "
                                  f"{g['give_within_h'][0]}-{g['give_within_h'][1]} h of the start",
                                  g["source"])
    return GlucarpidaseAdvice(False, f"level above {t:.3g} uM but creatinine {rise:g} x baseline "
                              f"(< {g['creatinine_rise_x_baseline']:g})", g["source"])


def assess_levels(levels: Sequence[MtxLevel], *, infusion_hours: float = 4.0,
                  creatinine_x_baseline: float | None = None) -> MtxAssessment:
    """Delayed levels (above the expected curve), leucovorin rescue and glucarpidase advice.

    ``creatinine_x_baseline`` is the latest serum creatinine over the pre-methotrexate value."""
    lv = _levels(levels)
    if not lv:
        raise InvalidInput("levels", "give at least one methotrexate level")
    delayed = tuple(x for x in lv if (e := expected_level_um(x.hours_from_start)) is not None
                    and x.level_um > e * (1 + 1e-9))
    return MtxAssessment(delayed, _rescue(lv, creatinine_x_baseline),
                         glucarpidase_indicated(lv, infusion_hours=infusion_hours,
                                                creatinine_x_baseline=creatinine_x_baseline))


def urine_ph_ready(urine_ph: float | None) -> bool:
    """True when urine pH >= 7 (Ramsey 2018); None (not measured) is not ready."""
    if urine_ph is None:
        return False
    return bool(number(urine_ph, "urine_ph") >= hdmtx_data()["urine_ph_min"]["value"])


def interacting_drugs(
    co_medications: Sequence[str],
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """((drug id, class label) for every co-medication that interacts with high-dose
    methotrexate: PPI, NSAID, co-trimoxazole, penicillins), (names not in the vocabulary).

    A co-medication list is open-ended, so an unknown name is returned as "not checked" for the
    caller to show, not refused."""
    classes = hdmtx_data()["interacting_classes"]["classes"]
    found: list[tuple[str, str]] = []
    unknown: list[str] = []
    for i, name in enumerate(co_medications):
        try:
            drug = resolve_drug(name, f"co_medications.{i}")
        except InvalidInput:
            unknown.append(str(name))
            continue
        found += [(drug.id, classes[c]) for c in drug.classes if c in classes]
    return tuple(found), tuple(unknown)
