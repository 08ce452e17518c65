"""Body size, chemotherapy dose arithmetic, renal function and cumulative anthracycline exposure.

Every function takes plain numbers with their units in the names and returns numbers or frozen
value objects. Nothing is clamped: an implausible input raises :class:`InvalidInput` naming it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rareonco.clinical.anthracyclines import EQUIVALENCE_SOURCE, IGHG_EQUIVALENCE
from rareonco.clinical.drugs import normalise, resolve_drug
from rareonco.errors import InvalidInput

__all__ = [
    "ANTHRACYCLINE_SOURCE",
    "BSA_FORMULAS",
    "DOXORUBICIN_EQUIVALENCE",
    "AnthracyclineExposure",
    "Dose",
    "anthracycline_exposure",
    "bsa_m2",
    "carboplatin_dose_mg",
    "creatinine_clearance_ml_min",
    "dose_mg",
]

# Plausibility bounds (not clinical targets): the smallest viable preterm neonate to the tallest and
# heaviest recorded adults. BMI bounds catch impossible pairs such as 250 cm at 2 kg (BMI 0.3).
HEIGHT_CM_RANGE = (20.0, 272.0)
WEIGHT_KG_RANGE = (0.3, 650.0)
BMI_RANGE = (4.0, 200.0)

BSA_FORMULAS = ("mosteller", "dubois", "haycock")


def _positive(value: float, field: str, unit: str, upper: float | None = None) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(field, f"must be a number ({unit})") from None
    if not math.isfinite(v) or v <= 0:
        raise InvalidInput(field, f"must be a positive number ({unit}), got {value!r}")
    if upper is not None and v > upper:
        raise InvalidInput(field, f"{v:g} {unit} is above the plausible maximum {upper:g} {unit}")
    return v


def _body(height_cm: float, weight_kg: float) -> tuple[float, float]:
    h = _positive(height_cm, "height_cm", "cm")
    w = _positive(weight_kg, "weight_kg", "kg")
    if not HEIGHT_CM_RANGE[0] <= h <= HEIGHT_CM_RANGE[1]:
        raise InvalidInput("height_cm", f"{h:g} cm is outside {HEIGHT_CM_RANGE[0]:g}-"
                           f"{HEIGHT_CM_RANGE[1]:g} cm")
    if not WEIGHT_KG_RANGE[0] <= w <= WEIGHT_KG_RANGE[1]:
        raise InvalidInput("weight_kg", f"{w:g} kg is outside {WEIGHT_KG_RANGE[0]:g}-"
                           f"{WEIGHT_KG_RANGE[1]:g} kg")
    bmi = w / (h / 100.0) ** 2
    if not BMI_RANGE[0] <= bmi <= BMI_RANGE[1]:
        raise InvalidInput(
            "weight_kg", f"{w:g} kg at {h:g} cm gives BMI {bmi:.1f} kg/m2, outside the possible "
            f"{BMI_RANGE[0]:g}-{BMI_RANGE[1]:g}; check height and weight"
        )
    return h, w


def bsa_m2(height_cm: float, weight_kg: float, formula: str = "mosteller") -> float:
    """Body surface area in m2, unrounded.

    Formulas:

    * ``mosteller``: sqrt(height_cm * weight_kg / 3600). Mosteller RD, Simplified calculation of
      body-surface area. N Engl J Med 1987;317(17):1098 (letter, the single equation).
    * ``dubois``: 0.007184 * weight_kg ** 0.425 * height_cm ** 0.725. DuBois D, DuBois EF, A formula
      to estimate the approximate surface area if height and weight be known. Arch Intern Med
      1916;17:863-871 (the constant 71.84 in cm2 = 0.007184 m2).
    * ``haycock``: 0.024265 * weight_kg ** 0.5378 * height_cm ** 0.3964. Haycock GB, Schwartz GJ,
      Wisotsky DH, Geometric method for measuring body surface area. J Pediatr 1978;93(1):62-66.

    Raises InvalidInput on ``height_cm``/``weight_kg`` out of range or an impossible pair (BMI
    outside 4-200 kg/m2, reported on ``weight_kg``), or an unknown ``formula``.
    """
    h, w = _body(height_cm, weight_kg)
    if formula == "mosteller":
        return math.sqrt(h * w / 3600.0)
    if formula == "dubois":
        return float(0.007184 * w**0.425 * h**0.725)
    if formula == "haycock":
        return float(0.024265 * w**0.5378 * h**0.3964)
    raise InvalidInput("formula", f"unknown BSA formula {formula!r}; use one of {BSA_FORMULAS}")


@dataclass(frozen=True)
class Dose:
    """A computed single dose in mg.

    ``uncapped_mg`` is the modified dose before cap and rounding; ``capped`` says whether the cap
    lowered the dose actually given.
    """

    dose_mg: float
    uncapped_mg: float
    capped: bool
    modification_pct: float


def _round_to(value: float, step: float) -> float:
    # Round half up to a multiple of `step`; the 1e-9 absorbs binary noise such as 2.05 / 0.1.
    n = math.floor(value / step + 0.5 + 1e-9)
    return round(n * step, 10)


def dose_mg(
    *,
    per_m2_mg: float | None = None,
    per_kg_mg: float | None = None,
    bsa_m2: float | None = None,
    weight_kg: float | None = None,
    cap_mg: float | None = None,
    modification_pct: float = 100.0,
    rounding_mg: float | None = None,
) -> Dose:
    """One dose in mg from a per-m2 or per-kg prescription, with cap, modification and rounding.

    Order, chosen so that a cap is never exceeded: the full dose (``per_m2_mg * bsa_m2`` or
    ``per_kg_mg * weight_kg``) is capped at ``cap_mg`` (e.g. vincristine 2 mg, a protocol datum),
    then multiplied by ``modification_pct`` / 100 (so 50 % of a capped vincristine dose is 1 mg),
    then rounded half-up to a multiple of ``rounding_mg``, and finally capped again so neither an
    escalation above 100 % nor the rounding can exceed the cap.

    Exactly one of ``per_m2_mg`` (needs ``bsa_m2``) or ``per_kg_mg`` (needs ``weight_kg``).
    ``modification_pct`` must be in (0, 200].
    """
    if (per_m2_mg is None) == (per_kg_mg is None):
        raise InvalidInput("per_m2_mg", "give exactly one of per_m2_mg or per_kg_mg")
    if per_m2_mg is not None:
        rate = _nonnegative(per_m2_mg, "per_m2_mg", "mg/m2")
        if bsa_m2 is None:
            raise InvalidInput("bsa_m2", "required with per_m2_mg")
        full = rate * _positive(bsa_m2, "bsa_m2", "m2", upper=5.0)
    else:
        rate = _nonnegative(per_kg_mg, "per_kg_mg", "mg/kg")
        if weight_kg is None:
            raise InvalidInput("weight_kg", "required with per_kg_mg")
        full = rate * _positive(weight_kg, "weight_kg", "kg", upper=WEIGHT_KG_RANGE[1])
    pct = _positive(modification_pct, "modification_pct", "%")
    if pct > 200.0:
        raise InvalidInput("modification_pct", f"{pct:g} % is above 200 %")
    cap = _positive(cap_mg, "cap_mg", "mg") if cap_mg is not None else math.inf
    step = _positive(rounding_mg, "rounding_mg", "mg") if rounding_mg is not None else None

    uncapped = full * pct / 100.0
    given = min(full, cap) * pct / 100.0
    if step is not None:
        given = _round_to(given, step)
    given = min(given, cap)
    return Dose(
        dose_mg=given,
        uncapped_mg=uncapped,
        capped=full > cap or uncapped > cap,
        modification_pct=pct,
    )


def _nonnegative(value: float | None, field: str, unit: str) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]  # None or text from JSON: refused below
    except (TypeError, ValueError):
        raise InvalidInput(field, f"must be a number ({unit})") from None
    if not math.isfinite(v) or v < 0:
        raise InvalidInput(field, f"must be zero or positive ({unit}), got {value!r}")
    return v


Sex = Literal["female", "male"]
_SEX_ALIASES = {"female": "female", "f": "female", "male": "male", "m": "male"}


def creatinine_clearance_ml_min(
    age_years: float, weight_kg: float, serum_creatinine_mg_dl: float, sex: str
) -> float:
    """Creatinine clearance (mL/min) by Cockcroft-Gault.

    CrCl = (140 - age_years) * weight_kg / (72 * serum_creatinine_mg_dl), times 0.85 for women.
    Source: Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine.
    Nephron 1976;16(1):31-41 (equation in the Results; 0.85 for females as suggested there).

    The equation was derived in adults (18-92 years); ``age_years`` below 18 is refused rather
    than extrapolated (use a paediatric estimate such as bedside Schwartz). ``sex`` is "female" or
    "male" ("f"/"m" accepted).
    """
    age = _nonnegative(age_years, "age_years", "years")
    if not 18.0 <= age <= 120.0:
        raise InvalidInput("age_years", f"Cockcroft-Gault applies to adults 18-120 years, got {age:g}")
    w = _positive(weight_kg, "weight_kg", "kg", upper=WEIGHT_KG_RANGE[1])
    scr = _positive(serum_creatinine_mg_dl, "serum_creatinine_mg_dl", "mg/dL", upper=30.0)
    key = _SEX_ALIASES.get(str(sex).strip().lower()) if isinstance(sex, str) else None
    if key is None:
        raise InvalidInput("sex", f"must be 'female' or 'male', got {sex!r}")
    crcl = (140.0 - age) * w / (72.0 * scr)
    return crcl * 0.85 if key == "female" else crcl


def carboplatin_dose_mg(
    target_auc: float, gfr_ml_min: float, *, gfr_cap_ml_min: float | None = 125.0
) -> float:
    """Carboplatin dose (mg) by the Calvert formula: dose = target AUC * (GFR + 25).

    Source: Calvert AH, Newell DR, Gumbrell LA et al. Carboplatin dosage: prospective evaluation of
    a simple formula based on renal function. J Clin Oncol 1989;7(11):1748-1756 (the formula in the
    abstract and Methods; AUC in mg/mL.min, GFR in mL/min).

    ``gfr_cap_ml_min`` is 125 mL/min by default (US FDA 2010 advice: maximum dose AUC x 150 mg);
    pass None only for a measured GFR where the protocol allows it.
    :func:`rareonco.clinical.renal.carboplatin_calvert` also says whether the cap applied.
    ``target_auc`` must be in (0, 10].
    """
    auc = _positive(target_auc, "target_auc", "mg/mL.min", upper=10.0)
    gfr = _positive(gfr_ml_min, "gfr_ml_min", "mL/min", upper=250.0)
    if gfr_cap_ml_min is not None:
        gfr = min(gfr, _positive(gfr_cap_ml_min, "gfr_cap_ml_min", "mL/min"))
    return auc * (gfr + 25.0)


#: Doxorubicin-equivalence factors: the IGHG / Feijen 2019 table of
#: :mod:`rareonco.clinical.anthracyclines` (one table for the whole platform).
DOXORUBICIN_EQUIVALENCE: Mapping[str, float] = IGHG_EQUIVALENCE
ANTHRACYCLINE_SOURCE = EQUIVALENCE_SOURCE


@dataclass(frozen=True)
class AnthracyclineExposure:
    """Cumulative exposure in doxorubicin-equivalent mg/m2 and its status against the limits."""

    doxorubicin_eq_mg_m2: float
    status: Literal["ok", "warning", "limit_exceeded"]


def anthracycline_exposure(
    doses: Sequence[tuple[str, float]],
    warn_mg_m2: float = 400.0,
    limit_mg_m2: float = 450.0,
    equivalence: Mapping[str, float] = DOXORUBICIN_EQUIVALENCE,
) -> AnthracyclineExposure:
    """Cumulative anthracycline exposure as doxorubicin equivalents (mg/m2).

    ``doses`` are (drug, mg/m2) pairs, one per administration or per course; drug names go through
    the drug vocabulary (:func:`rareonco.clinical.drugs.resolve_drug`: any case, synonyms and
    brands such as Adriamycin or Caelyx) and are then looked up in ``equivalence`` (default
    :data:`DOXORUBICIN_EQUIVALENCE`, the IGHG / Feijen 2019 table). Status: ``warning`` when
    the total reaches ``warn_mg_m2``,
    ``limit_exceeded`` when it exceeds ``limit_mg_m2``. The limits are protocol data (MAP reaches
    450 mg/m2 by design, P6 300 mg/m2); the defaults reflect the steep rise of cardiomyopathy risk
    above 400-450 mg/m2 (Von Hoff DD et al., Ann Intern Med 1979;91:710-717).
    """
    warn = _positive(warn_mg_m2, "warn_mg_m2", "mg/m2")
    limit = _positive(limit_mg_m2, "limit_mg_m2", "mg/m2")
    if warn > limit:
        raise InvalidInput("warn_mg_m2", f"warning level {warn:g} is above the limit {limit:g}")
    total = 0.0
    for i, item in enumerate(doses):
        try:
            drug, amount = item
        except (TypeError, ValueError):
            raise InvalidInput(f"doses.{i}", "must be a (drug, mg/m2) pair") from None
        key = normalise(str(drug))
        if key not in equivalence:
            key = resolve_drug(drug, f"doses.{i}.drug").id
        factor = equivalence.get(key)
        if factor is None:
            raise InvalidInput(
                f"doses.{i}.drug", f"unknown anthracycline {drug!r}; known: {sorted(equivalence)}"
            )
        total += factor * _nonnegative(amount, f"doses.{i}.mg_m2", "mg/m2")
    total = round(total, 9)
    if total > limit:
        status: Literal["ok", "warning", "limit_exceeded"] = "limit_exceeded"
    elif total >= warn:
        status = "warning"
    else:
        status = "ok"
    return AnthracyclineExposure(total, status)
