"""Peritoneal Cancer Index and completeness of cytoreduction.

Source: Jacquet P, Sugarbaker PH. Clinical research methodologies in diagnosis and staging of
patients with peritoneal carcinomatosis. Cancer Treat Res 1996;82:359-374 (PCI: 13 abdominopelvic
regions, lesion-size score LS-0 to LS-3, total 0-39; completeness of cytoreduction score CC-0 to
CC-3).
"""

from __future__ import annotations

from collections.abc import Mapping

from rareonco.clinical._checks import integer, number
from rareonco.errors import InvalidInput

#: Region number -> name (Jacquet and Sugarbaker 1996, figure of the 13 regions).
REGIONS: Mapping[int, str] = {
    0: "central",
    1: "right upper",
    2: "epigastrium",
    3: "left upper",
    4: "left flank",
    5: "left lower",
    6: "pelvis",
    7: "right lower",
    8: "right flank",
    9: "upper jejunum",
    10: "lower jejunum",
    11: "upper ileum",
    12: "lower ileum",
}

LS1_MAX_MM = 5.0  # LS-1: tumour up to 0.5 cm
LS2_MAX_MM = 50.0  # LS-2: tumour up to 5 cm; LS-3 above 5 cm or confluent
CC1_BELOW_MM = 2.5  # CC-1: residual nodules < 2.5 mm
CC2_MAX_MM = 25.0  # CC-2: 2.5 mm to 2.5 cm; CC-3 above 2.5 cm or confluent


def lesion_size_score(largest_mm: float, *, confluent: bool = False) -> int:
    """Lesion-size score of one region from its largest implant (mm): 0 none, 1 <= 5 mm,
    2 <= 50 mm, 3 > 50 mm or confluent (Jacquet and Sugarbaker 1996)."""
    mm = number(largest_mm, "largest_mm", "mm")
    if mm < 0:
        raise InvalidInput("largest_mm", f"cannot be negative ({mm:g} mm)")
    if confluent or mm > LS2_MAX_MM:
        return 3
    if mm == 0:
        return 0
    return 1 if mm <= LS1_MAX_MM else 2


def pci(regions: Mapping[int | str, int]) -> int:
    """Peritoneal Cancer Index: the sum of the 13 regional lesion-size scores (0-39).

    ``regions`` maps each region number 0-12 (int or its string, as in JSON) to a score 0-3;
    all 13 are required so that an unexplored region is never read as disease-free.
    """
    scores: dict[int, int] = {}
    for key, value in regions.items():
        try:
            region = int(key)
        except (TypeError, ValueError):
            raise InvalidInput(f"regions.{key}", "region must be a number 0-12") from None
        if region not in REGIONS or str(key).strip() != str(region):
            raise InvalidInput(f"regions.{key}", "region must be a number 0-12")
        if region in scores:
            raise InvalidInput(f"regions.{key}", "region given twice")
        scores[region] = integer(value, f"regions.{key}", 0, 3)
    missing = sorted(set(REGIONS) - set(scores))
    if missing:
        raise InvalidInput(f"regions.{missing[0]}", "all 13 regions (0-12) must be scored")
    return sum(scores.values())


def completeness_of_cytoreduction(largest_residual_mm: float, *, confluent: bool = False) -> str:
    """CC score from the largest residual nodule (mm) after cytoreduction.

    CC-0 no visible residual (0 mm); CC-1 < 2.5 mm; CC-2 2.5 mm to 2.5 cm; CC-3 > 2.5 cm or a
    confluence of unresectable nodules (Jacquet and Sugarbaker 1996).
    """
    mm = number(largest_residual_mm, "largest_residual_mm", "mm")
    if mm < 0:
        raise InvalidInput("largest_residual_mm", f"cannot be negative ({mm:g} mm)")
    if confluent or mm > CC2_MAX_MM:
        return "CC-3"
    if mm == 0:
        return "CC-0"
    return "CC-1" if mm < CC1_BELOW_MM else "CC-2"
