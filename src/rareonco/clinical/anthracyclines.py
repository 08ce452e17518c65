"""Cumulative anthracycline exposure in doxorubicin-equivalent mg/m2, against a protocol limit.

Equivalence factors (multiply a drug's cumulative mg/m2 by its factor):

* daunorubicin 0.6 and mitoxantrone 10.5: International Late Effects of Childhood Cancer
  Guideline Harmonization Group (IGHG) recommendation, from Feijen EAM, Leisenring WM, Stratton
  KL et al. Derivation of anthracycline and anthraquinone equivalence ratios to doxorubicin for
  late-onset cardiotoxicity. JAMA Oncol 2019;5(6):864-871, Table 3 (mean ratios 0.6 and 10.5);
* epirubicin 0.8: the same Table 3 (mean ratio 0.8, 95 % CI 0.5-2.8; the IGHG made no
  recommendation, the evidence being inconclusive);
* idarubicin 5: not estimable in Feijen 2019 (Table 3, "NE"); the study itself multiplied
  idarubicin doses by 5, the factor of the Children's Oncology Group Long-Term Follow-Up
  Guidelines v5.0 (2018), which is kept here;
* doxorubicin liposomal 1.0: no published cardiotoxicity equivalence exists. Liposomal
  formulations are thought less cardiotoxic, but no factor has been validated; counting it as
  doxorubicin is the conservative choice (it can only bring a warning earlier), a RareOnco policy.

Verified: the Table 3 values above were read from the published table (PMC6490232).

Status against a protocol limit (RareOnco policy, issue 17): ``warn`` from :data:`WARN_FRACTION`
(80 %) of the limit; ``override`` beyond the limit plus :data:`ROUNDING_ALLOWANCE_PCT` (1 % of the
limit, so that rounding the last dose to a vial size or a 0.1 mg pump step is not an override);
never ``block``: a cumulative limit is a risk threshold that a documented clinical decision may
pass (Von Hoff DD et al., Ann Intern Med 1979;91:710-717: risk rises continuously with dose).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rareonco.clinical._checks import number
from rareonco.clinical.drugs import resolve_drug
from rareonco.errors import InvalidInput

__all__ = [
    "EQUIVALENCE_SOURCE",
    "IGHG_EQUIVALENCE",
    "ROUNDING_ALLOWANCE_PCT",
    "WARN_FRACTION",
    "CumulativeAnthracycline",
    "cumulative_anthracycline",
    "doxorubicin_equivalent_mg_m2",
    "is_anthracycline",
]

IGHG_EQUIVALENCE: Mapping[str, float] = {
    "doxorubicin": 1.0,
    "doxorubicin-liposomal": 1.0,
    "daunorubicin": 0.6,
    "epirubicin": 0.8,
    "idarubicin": 5.0,
    "mitoxantrone": 10.5,
}
EQUIVALENCE_SOURCE = (
    "IGHG / Feijen EAM et al., JAMA Oncol 2019;5:864-871, Table 3 (daunorubicin 0.6, epirubicin "
    "0.8, mitoxantrone 10.5); idarubicin 5 (COG LTFU v5.0; not estimable in Feijen 2019); "
    "liposomal doxorubicin counted as doxorubicin (no validated factor; RareOnco policy)"
)
WARN_FRACTION = 0.8
ROUNDING_ALLOWANCE_PCT = 1.0

Status = Literal["ok", "warn", "override"]


def is_anthracycline(text: str) -> bool:
    """True when ``text`` names a drug of :data:`IGHG_EQUIVALENCE` (any synonym)."""
    return resolve_drug(text).id in IGHG_EQUIVALENCE


def doxorubicin_equivalent_mg_m2(
    doses: Sequence[tuple[str, float]], field: str = "doses"
) -> float:
    """Sum of (drug, mg/m2) pairs in doxorubicin-equivalent mg/m2.

    Drug names go through the vocabulary (``Adriamycin``, ``Caelyx``, ``Доксорубицин``); a drug
    that is not an anthracycline or an unknown name raises InvalidInput(``{field}.{i}.drug``).
    """
    total = 0.0
    for i, (drug, mg_m2) in enumerate(doses):
        concept = resolve_drug(drug, f"{field}.{i}.drug")
        factor = IGHG_EQUIVALENCE.get(concept.id)
        if factor is None:
            raise InvalidInput(f"{field}.{i}.drug", f"{drug!r} ({concept.id}) is not an "
                               f"anthracycline; known: {', '.join(IGHG_EQUIVALENCE)}")
        amount = number(mg_m2, f"{field}.{i}.mg_m2", "mg/m2")
        if amount < 0:
            raise InvalidInput(f"{field}.{i}.mg_m2", f"cannot be negative ({amount:g} mg/m2)")
        total += factor * amount
    return round(total, 9)


@dataclass(frozen=True)
class CumulativeAnthracycline:
    total_mg_m2: float
    limit_mg_m2: float
    warn_mg_m2: float
    status: Status


def cumulative_anthracycline(
    doses: Sequence[tuple[str, float]], limit_mg_m2: float, field: str = "doses"
) -> CumulativeAnthracycline:
    """Total doxorubicin equivalents of ``doses`` and its status against ``limit_mg_m2``.

    ``warn`` at or above 80 % of the limit; ``override`` above the limit by more than 1 % of it.
    """
    limit = number(limit_mg_m2, "limit_mg_m2", "mg/m2")
    if limit <= 0:
        raise InvalidInput("limit_mg_m2", "must be positive")
    total = doxorubicin_equivalent_mg_m2(doses, field)
    warn = WARN_FRACTION * limit
    status: Status = "ok"
    if total > limit * (1 + ROUNDING_ALLOWANCE_PCT / 100.0) + 1e-9:
        status = "override"
    elif total >= warn - 1e-9:
        status = "warn"
    return CumulativeAnthracycline(total, limit, warn, status)
