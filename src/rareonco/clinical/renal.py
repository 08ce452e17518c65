"""Renal function: creatinine units, eGFR (bedside Schwartz, CKD-EPI 2021), Cockcroft-Gault,
and carboplatin by Calvert with the GFR cap on by default.

Creatinine is always given with its unit: ``umol_l`` (SI) or ``mg_dl``; 1 mg/dL = 88.42 umol/L
(creatinine molar mass 113.12 g/mol: 10 000 / 113.12 = 88.40; 88.42 is the factor the clinical
chemistry literature and the brief use; the 0.02 % difference is far below assay error).

Which estimate: bedside Schwartz under 18 years, CKD-EPI 2021 from 18 (:func:`estimated_gfr`),
both in mL/min/1.73 m2, the unit of the MAP renal gate (EURAMOS-1: GFR >= 70 mL/min/1.73 m2).
Cockcroft-Gault (mL/min, not indexed) stays for drug labels written against it. Calvert needs an
absolute GFR in mL/min: :func:`deindexed_gfr_ml_min` converts an indexed eGFR with the BSA.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rareonco.clinical._checks import choice, in_range, number
from rareonco.clinical.dosing import creatinine_clearance_ml_min
from rareonco.errors import InvalidInput

__all__ = [
    "CALVERT_GFR_CAP_ML_MIN",
    "UMOL_L_PER_MG_DL",
    "CarboplatinDose",
    "Egfr",
    "carboplatin_calvert",
    "ckd_epi_2021_ml_min_173m2",
    "cockcroft_gault_ml_min",
    "creatinine_mg_dl",
    "deindexed_gfr_ml_min",
    "estimated_gfr",
    "schwartz_bedside_ml_min_173m2",
]

UMOL_L_PER_MG_DL = 88.42
#: US FDA (2010), "Carboplatin dosing": cap the estimated GFR at 125 mL/min in the Calvert
#: formula, so the maximum dose is target AUC x 150 mg (AUC 6 -> 900 mg).
CALVERT_GFR_CAP_ML_MIN = 125.0

CreatinineUnit = Literal["umol_l", "mg_dl"]


def creatinine_mg_dl(value: float, unit: str, field: str = "creatinine") -> float:
    """Serum creatinine in mg/dL from ``value`` in ``unit`` (``umol_l`` or ``mg_dl``).

    Plausible range 0.1-20 mg/dL (8.8-1768 umol/L); outside it raises InvalidInput(``field``),
    which also catches the commonest unit slip (70 entered as mg/dL).
    """
    choice(unit, f"{field}_unit", ("umol_l", "mg_dl"))
    v = number(value, field, unit)
    mg_dl = v / UMOL_L_PER_MG_DL if unit == "umol_l" else v
    if not 0.1 <= mg_dl <= 20.0:
        raise InvalidInput(field, f"{v:g} {unit.replace('_', '/')} is outside the plausible "
                           "0.1-20 mg/dL (8.8-1768 umol/L); check the unit")
    return mg_dl


def schwartz_bedside_ml_min_173m2(height_cm: float, creatinine_mg_dl: float) -> float:
    """eGFR (mL/min/1.73 m2) = 0.413 x height_cm / creatinine_mg_dl.

    Source: Schwartz GJ, Munoz A, Schneider MF et al. New equations to estimate GFR in children
    with CKD. J Am Soc Nephrol 2009;20(3):629-637 (the "bedside" equation, enzymatic
    IDMS-traceable creatinine; derived in children 1-16 years).
    """
    h = in_range(height_cm, "height_cm", 40.0, 220.0, "cm")
    scr = in_range(creatinine_mg_dl, "creatinine_mg_dl", 0.1, 20.0, "mg/dL")
    return 0.413 * h / scr


def ckd_epi_2021_ml_min_173m2(age_years: float, sex: str, creatinine_mg_dl: float) -> float:
    """eGFR (mL/min/1.73 m2) by the race-free CKD-EPI creatinine equation of 2021.

    eGFR = 142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age [x 1.012 if female],
    k = 0.7 (female) / 0.9 (male), a = -0.241 (female) / -0.302 (male).
    Source: Inker LA, Eneanya ND, Coresh J et al. New creatinine- and cystatin C-based equations
    to estimate GFR without race. N Engl J Med 2021;385(19):1737-1749 (Table 2 / Supplement).
    Adults only (18-120 years).
    """
    age = in_range(age_years, "age_years", 18.0, 120.0, "years")
    female = _sex(sex) == "female"
    scr = in_range(creatinine_mg_dl, "creatinine_mg_dl", 0.1, 20.0, "mg/dL")
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = scr / kappa
    egfr = 142.0 * min(ratio, 1.0) ** alpha * max(ratio, 1.0) ** -1.200 * 0.9938**age
    return float(egfr * 1.012 if female else egfr)


def cockcroft_gault_ml_min(age_years: float, weight_kg: float, creatinine_mg_dl: float,
                           sex: str) -> float:
    """Creatinine clearance (mL/min, not indexed) by Cockcroft-Gault (Nephron 1976;16:31-41);
    see :func:`rareonco.clinical.dosing.creatinine_clearance_ml_min`. Adults only."""
    return creatinine_clearance_ml_min(age_years, weight_kg, creatinine_mg_dl, _sex(sex))


def _sex(sex: object) -> str:
    key = {"f": "female", "female": "female", "m": "male", "male": "male"}.get(
        sex.strip().lower() if isinstance(sex, str) else "")
    if key is None:
        raise InvalidInput("sex", f"must be 'female' or 'male', got {sex!r}")
    return key


@dataclass(frozen=True)
class Egfr:
    """An estimated GFR with the method that produced it."""

    egfr_ml_min_173m2: float
    method: Literal["schwartz_bedside", "ckd_epi_2021"]
    source: str


def estimated_gfr(*, age_years: float, creatinine_mg_dl: float, height_cm: float | None = None,
                  sex: str | None = None) -> Egfr:
    """The eGFR for this patient: bedside Schwartz from 1 to under 18 years (needs
    ``height_cm``), CKD-EPI 2021 from 18 (needs ``sex``). Under 1 year raises InvalidInput: the
    bedside equation was not derived in infants."""
    age = in_range(age_years, "age_years", 0.0, 120.0, "years")
    if age < 1.0:
        raise InvalidInput("age_years", "no creatinine eGFR under 1 year here (bedside Schwartz "
                           "was derived at 1-16 years); measure GFR")
    if age < 18.0:
        if height_cm is None:
            raise InvalidInput("height_cm", "required for bedside Schwartz (under 18 years)")
        return Egfr(schwartz_bedside_ml_min_173m2(height_cm, creatinine_mg_dl),
                    "schwartz_bedside", "Schwartz GJ et al., J Am Soc Nephrol 2009;20:629-637")
    if sex is None:
        raise InvalidInput("sex", "required for CKD-EPI 2021 (18 years and over)")
    return Egfr(ckd_epi_2021_ml_min_173m2(age, sex, creatinine_mg_dl), "ckd_epi_2021",
                "Inker LA et al., N Engl J Med 2021;385:1737-1749")


def deindexed_gfr_ml_min(egfr_ml_min_173m2: float, bsa_m2: float) -> float:
    """Absolute GFR (mL/min) = indexed eGFR x BSA / 1.73, for formulas such as Calvert's that
    take mL/min."""
    g = in_range(egfr_ml_min_173m2, "egfr_ml_min_173m2", 0.0, 400.0, "mL/min/1.73 m2")
    b = in_range(bsa_m2, "bsa_m2", 0.1, 5.0, "m2")
    return g * b / 1.73


@dataclass(frozen=True)
class CarboplatinDose:
    dose_mg: float
    gfr_used_ml_min: float
    cap_ml_min: float | None
    cap_applied: bool


def carboplatin_calvert(target_auc: float, gfr_ml_min: float, *,
                        gfr_cap_ml_min: float | None = CALVERT_GFR_CAP_ML_MIN) -> CarboplatinDose:
    """Carboplatin dose (mg) = target AUC x (GFR + 25), with the GFR capped at 125 mL/min by
    default (US FDA 2010); ``cap_applied`` says whether the cap lowered the GFR used.

    Source: Calvert AH, Newell DR, Gumbrell LA et al. J Clin Oncol 1989;7(11):1748-1756. Pass
    ``gfr_cap_ml_min=None`` only where a measured GFR (e.g. 51Cr-EDTA) is used and the protocol
    says so.
    """
    auc = in_range(target_auc, "target_auc", 0.5, 10.0, "mg/mL.min")
    gfr = in_range(gfr_ml_min, "gfr_ml_min", 0.0, 300.0, "mL/min")
    cap = None
    if gfr_cap_ml_min is not None:
        cap = in_range(gfr_cap_ml_min, "gfr_cap_ml_min", 30.0, 300.0, "mL/min")
    used = gfr if cap is None else min(gfr, cap)
    return CarboplatinDose(auc * (used + 25.0), used, cap, cap is not None and gfr > cap)


