"""Histological response of bone sarcoma to preoperative chemotherapy (Huvos grade).

Source: Huvos AG, Rosen G, Marcove RC. Primary osteogenic sarcoma: pathologic aspects in 20
patients after treatment with chemotherapy, en bloc resection, and prosthetic bone replacement.
Arch Pathol Lab Med 1977;101(1):14-18. Grades as used since (Rosen G et al., Cancer 1982;49:
1221-1230): I little or no necrosis (< 50 %), II 50-89 %, III 90-99 %, IV 100 % (no viable tumour).
A good responder has >= 90 % necrosis (grades III-IV).
"""

from __future__ import annotations

from dataclasses import dataclass

from rareonco.clinical._checks import in_range

GOOD_RESPONSE_PCT = 90.0


@dataclass(frozen=True)
class HuvosGrade:
    grade: str  # "I" | "II" | "III" | "IV"
    good_responder: bool


def huvos_grade(necrosis_pct: float) -> HuvosGrade:
    """Huvos grade from the percentage of tumour necrosis (0-100) on the resection specimen.

    Fractions fall in the lower grade: 89.9 % is grade II, 99.9 % grade III; only 100 % is IV.
    """
    pct = in_range(necrosis_pct, "necrosis_pct", 0.0, 100.0, "%")
    if pct == 100.0:
        grade = "IV"
    elif pct >= GOOD_RESPONSE_PCT:
        grade = "III"
    elif pct >= 50.0:
        grade = "II"
    else:
        grade = "I"
    return HuvosGrade(grade, pct >= GOOD_RESPONSE_PCT)
