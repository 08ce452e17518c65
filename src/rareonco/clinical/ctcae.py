"""Common Terminology Criteria for Adverse Events, version 5.0: grade model and a few lab grades.

Source: U.S. Department of Health and Human Services, National Cancer Institute. Common
Terminology Criteria for Adverse Events (CTCAE) Version 5.0, 27 November 2017. Grade 1 mild,
2 moderate, 3 severe or medically significant, 4 life-threatening, 5 death related to the AE;
each term defines its own grades, and some grades do not exist for some terms ("-" in the table).
Only the terms needed by the sarcoma pathways are tabulated here; their thresholds are from the
"Investigations" and "Blood and lymphatic system disorders" sections.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rareonco.clinical._checks import integer, number
from rareonco.errors import InvalidInput

GRADE_MEANING: Mapping[int, str] = {
    1: "mild",
    2: "moderate",
    3: "severe or medically significant",
    4: "life-threatening",
    5: "death related to adverse event",
}

#: Term -> grades that exist for it (CTCAE v5.0 table).
TERM_GRADES: Mapping[str, tuple[int, ...]] = {
    "Neutrophil count decreased": (1, 2, 3, 4),
    "Platelet count decreased": (1, 2, 3, 4),
    "White blood cell decreased": (1, 2, 3, 4),
    "Anemia": (1, 2, 3, 4, 5),
    "Febrile neutropenia": (3, 4, 5),
    "Peripheral sensory neuropathy": (1, 2, 3, 4),
    "Nausea": (1, 2, 3),
    "Vomiting": (1, 2, 3, 4, 5),
    "Mucositis oral": (1, 2, 3, 4, 5),
    "Hearing impaired": (1, 2, 3, 4),
    "Heart failure": (1, 2, 3, 4, 5),
    "Ejection fraction decreased": (2, 3, 4),
    "Creatinine increased": (1, 2, 3, 4),
    "Wound infection": (2, 3, 4, 5),
}


@dataclass(frozen=True)
class AdverseEvent:
    """One graded adverse event, validated against :data:`TERM_GRADES`."""

    term: str
    grade: int

    def __post_init__(self) -> None:
        grades = TERM_GRADES.get(self.term)
        if grades is None:
            raise InvalidInput("term", f"unknown CTCAE v5.0 term {self.term!r}")
        integer(self.grade, "grade", 1, 5)
        if self.grade not in grades:
            raise InvalidInput("grade", f"{self.term!r} has no grade {self.grade} in CTCAE v5.0")

    @property
    def meaning(self) -> str:
        return GRADE_MEANING[self.grade]


def _nonnegative(value: float, field: str, unit: str) -> float:
    v = number(value, field, unit)
    if v < 0:
        raise InvalidInput(field, f"cannot be negative ({v:g} {unit})")
    return v


def grade_neutrophils(anc_per_mm3: float, lln_per_mm3: float = 2000.0) -> int:
    """Neutrophil count decreased: 1 <LLN-1500; 2 <1500-1000; 3 <1000-500; 4 <500 /mm3.

    Returns 0 at or above the lower limit of normal (``lln_per_mm3``, laboratory-specific).
    """
    anc = _nonnegative(anc_per_mm3, "anc_per_mm3", "/mm3")
    return _below(anc, lln_per_mm3, (1500.0, 1000.0, 500.0))


def grade_neutrophils_10e9_l(anc_10e9_l: float, lln_10e9_l: float = 2.0) -> int:
    """Neutrophil count decreased in x 10^9/L, the unit of the pre-checks and of most
    laboratories: 1 <LLN-1.5; 2 <1.5-1.0; 3 <1.0-0.5; 4 <0.5 x 10^9/L (CTCAE v5.0, "Neutrophil
    count decreased"). ANC 0.8 x 10^9/L is grade 3."""
    anc = _nonnegative(anc_10e9_l, "anc_10e9_l", "x 10^9/L")
    return _below(anc, lln_10e9_l, (1.5, 1.0, 0.5))


def grade_platelets_10e9_l(platelets_10e9_l: float, lln_10e9_l: float = 150.0) -> int:
    """Platelet count decreased in x 10^9/L: 1 <LLN-75; 2 <75-50; 3 <50-25; 4 <25 x 10^9/L
    (CTCAE v5.0, "Platelet count decreased")."""
    plt = _nonnegative(platelets_10e9_l, "platelets_10e9_l", "x 10^9/L")
    return _below(plt, lln_10e9_l, (75.0, 50.0, 25.0))


def grade_platelets(platelets_per_mm3: float, lln_per_mm3: float = 150000.0) -> int:
    """Platelet count decreased: 1 <LLN-75,000; 2 <75,000-50,000; 3 <50,000-25,000;
    4 <25,000 /mm3."""
    plt = _nonnegative(platelets_per_mm3, "platelets_per_mm3", "/mm3")
    return _below(plt, lln_per_mm3, (75000.0, 50000.0, 25000.0))


def grade_anemia(hb_g_dl: float, lln_g_dl: float = 12.0) -> int:
    """Anemia by haemoglobin: 1 <LLN-10.0; 2 <10.0-8.0; 3 <8.0 g/dL. Grades 4 (life-threatening
    consequences) and 5 (death) are clinical and cannot be derived from the value."""
    hb = _nonnegative(hb_g_dl, "hb_g_dl", "g/dL")
    return _below(hb, lln_g_dl, (10.0, 8.0))


def _below(value: float, lln: float, thresholds: tuple[float, ...]) -> int:
    if not lln > thresholds[0]:
        raise InvalidInput("lln", f"lower limit of normal must exceed {thresholds[0]:g}")
    if value >= lln:
        return 0
    grade = 1
    for threshold in thresholds:
        if value < threshold:
            grade += 1
    return grade
