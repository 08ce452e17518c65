"""Musculoskeletal Tumor Society (MSTS) functional score, 1993 version.

Source: Enneking WF, Dunham W, Gebhardt MC, Malawar M, Pritchard DJ. A system for the functional
evaluation of reconstructive procedures after surgical treatment of tumors of the musculoskeletal
system. Clin Orthop Relat Res 1993;(286):241-246. Six domains scored 0-5 (intermediate values 1 and
3 by interpolation); total 0-30, often given as a percentage of 30.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rareonco.clinical._checks import choice, integer
from rareonco.errors import InvalidInput

DOMAINS = {
    "lower": ("pain", "function", "emotional_acceptance", "supports", "walking", "gait"),
    "upper": ("pain", "function", "emotional_acceptance", "hand_positioning", "dexterity", "lifting"),
}
MAX_TOTAL = 30


@dataclass(frozen=True)
class MstsScore:
    total: int
    percent: float


def msts_score(domains: Mapping[str, int], limb: str = "lower") -> MstsScore:
    """MSTS 1993 total (0-30) and percent from the six domain scores of the limb."""
    names = DOMAINS[choice(limb, "limb", tuple(DOMAINS))]
    unknown = sorted(set(domains) - set(names))
    if unknown:
        raise InvalidInput(f"domains.{unknown[0]}", f"not an MSTS {limb}-limb domain; use {names}")
    missing = [n for n in names if n not in domains]
    if missing:
        raise InvalidInput(f"domains.{missing[0]}", "all six domains must be scored")
    total = sum(integer(domains[n], f"domains.{n}", 0, 5) for n in names)
    return MstsScore(total, round(total / MAX_TOTAL * 100.0, 1))
