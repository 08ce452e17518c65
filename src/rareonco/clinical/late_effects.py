"""Late-effect surveillance driven by treatment exposure (issue 23, follow-up clinic).

Cardiomyopathy: Armenian SH, Hudson MM, Mulder RL et al. Recommendations for cardiomyopathy
surveillance for survivors of childhood cancer: a report from the International Late Effects of
Childhood Cancer Guideline Harmonization Group (IGHG). Lancet Oncol 2015;16(3):e123-e136,
Table 4 (harmonised recommendations):

* who: surveillance is *recommended* after high-dose anthracyclines (>= 250 mg/m2 doxorubicin
  equivalent), high-dose chest radiation (>= 35 Gy), or anthracyclines >= 100 mg/m2 together with
  chest radiation >= 15 Gy; *reasonable* after moderate-dose anthracyclines (100 to < 250 mg/m2);
  *may be reasonable* after low-dose anthracyclines (< 100 mg/m2) or moderate chest radiation
  (15 to < 35 Gy); no recommendation for chest radiation < 15 Gy alone;
* how: echocardiography (left-ventricular systolic function);
* when: beginning no later than 2 years after the end of cardiotoxic therapy, repeated at 5 years
  after diagnosis and every 5 years thereafter; more frequent surveillance is reasonable for the
  high-risk group, for which RareOnco uses every 2 years (the COG guideline's interval for its
  highest-risk groups). The risk groups were checked against Table 4's text (PMC4485458); the
  intervals are as the IGHG summary states them and were not re-read in the full paper.

The doxorubicin equivalent comes from :mod:`rareonco.clinical.anthracyclines` (IGHG/Feijen 2019
isotoxic factors).

Kidney and hearing after ifosfamide and platinum: Children's Oncology Group Long-Term Follow-Up
Guidelines for Survivors of Childhood, Adolescent and Young Adult Cancers, version 5.0 (2018):
ifosfamide -> blood pressure yearly; serum creatinine, electrolytes and urinalysis at entry into
long-term follow-up, then as clinically indicated; cisplatin or carboplatin -> audiological
evaluation at entry into long-term follow-up (repeated as the hearing result indicates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from rareonco.clinical._checks import in_range
from rareonco.clinical.followup import add_months
from rareonco.errors import InvalidInput

__all__ = ["CardiacRisk", "Surveillance", "cardiomyopathy_risk", "late_effect_plan"]

Level = Literal["high", "moderate", "low", "none"]


@dataclass(frozen=True)
class CardiacRisk:
    level: Level
    #: IGHG's wording: recommended / reasonable / may be reasonable / no recommendation
    strength: str
    interval_years: int | None


@dataclass(frozen=True)
class Surveillance:
    """One test due at ``due`` because of ``exposure``."""

    test: str
    due: dt.date
    exposure: str
    source: str


IGHG_2015 = "Armenian SH et al., Lancet Oncol 2015;16:e123-e136, Table 4 (IGHG)"
COG_V5 = "COG Long-Term Follow-Up Guidelines v5.0 (2018)"


def cardiomyopathy_risk(doxorubicin_equivalent_mg_m2: float, chest_radiation_gy: float = 0.0
                        ) -> CardiacRisk:
    """The IGHG 2015 risk group for a cumulative anthracycline dose and a chest radiation dose."""
    dox = in_range(doxorubicin_equivalent_mg_m2, "doxorubicin_equivalent_mg_m2", 0, 2000, "mg/m2")
    rt = in_range(chest_radiation_gy, "chest_radiation_gy", 0, 100, "Gy")
    if dox >= 250 or rt >= 35 or (dox >= 100 and rt >= 15):
        return CardiacRisk("high", "recommended", 2)
    if dox >= 100:
        return CardiacRisk("moderate", "reasonable", 5)
    if dox > 0 or rt >= 15:
        return CardiacRisk("low", "may be reasonable", 5)
    return CardiacRisk("none", "no recommendation", None)


def late_effect_plan(*, diagnosis: dt.date, end_of_treatment: dt.date,
                     doxorubicin_equivalent_mg_m2: float = 0.0, chest_radiation_gy: float = 0.0,
                     ifosfamide: bool = False, platinum: bool = False, years: int = 10
                     ) -> tuple[Surveillance, ...]:
    """The exposure-driven tests from the end of treatment to ``years`` after it, by date.

    Echocardiography: first at 2 years after the end of treatment (the IGHG's latest start), then
    at 5 years after diagnosis if that is later, then every ``interval_years``. Renal tests and
    audiology: at entry into long-term follow-up, taken as 2 years after the end of treatment
    (COG: survivors enter long-term follow-up 2 years after completing therapy).
    """
    if end_of_treatment < diagnosis:
        raise InvalidInput("end_of_treatment", "is before the diagnosis")
    if not 1 <= years <= 40:
        raise InvalidInput("years", "must be 1-40")
    horizon = add_months(end_of_treatment, 12 * years)
    entry = add_months(end_of_treatment, 24)
    out: list[Surveillance] = []
    risk = cardiomyopathy_risk(doxorubicin_equivalent_mg_m2, chest_radiation_gy)
    if risk.interval_years is not None:
        exposure = (f"anthracycline {doxorubicin_equivalent_mg_m2:g} mg/m2, chest radiation "
                    f"{chest_radiation_gy:g} Gy: {risk.level} risk")
        due = entry
        five_years = add_months(diagnosis, 60)
        while due <= horizon:
            out.append(Surveillance("echocardiography", due, exposure, IGHG_2015))
            nxt = add_months(due, 12 * risk.interval_years)
            # the 5-years-after-diagnosis echo anchors the 5-yearly rhythm; the 2-yearly one is
            # already more frequent
            due = five_years if risk.interval_years == 5 and due < five_years < nxt else nxt
    if ifosfamide:
        if entry <= horizon:
            out.append(Surveillance("creatinine, electrolytes, urinalysis", entry, "ifosfamide",
                                    COG_V5))
        out += [Surveillance("blood pressure", add_months(end_of_treatment, 12 * y), "ifosfamide",
                             COG_V5) for y in range(1, years + 1)]
    if platinum and entry <= horizon:
        out.append(Surveillance("audiology", entry, "cisplatin/carboplatin", COG_V5))
    return tuple(sorted(out, key=lambda s: (s.due, s.test)))
