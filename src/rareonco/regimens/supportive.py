"""Supportive care of a planned cycle as orders: mesna, dexrazoxane, antiemetics, G-CSF, hydration.

Pure: a regimen, one cycle's drugs with their mg per day, body size (and age, creatinine
clearance where a rule needs them) in; typed :class:`Order` values out, each with its drug, dose,
route, timing relative to the chemotherapy day, and source. The regimen's own facts are data in
its YAML file (``supportive_care``: febrile-neutropenia risk, mesna scheme, dexrazoxane, hydration);
the drug-level rules below are the guidelines' and are cited where they are applied:

* mesna: Mesnex (mesna) US prescribing information, Dosage and Administration (IV mesna 20 % of
  the ifosfamide dose w/w at 0, 4 and 8 h; the label's example: ifosfamide 1.2 g/m2 -> mesna
  240 mg/m2 at each time); continuous schemes per Hensley ML et al., J Clin Oncol 2009;27:127-145
  (ASCO 2008 clinical practice guideline update on chemotherapy and radiation protectants).
* dexrazoxane: Zinecard US prescribing information: 10:1 (e.g. 500 mg/m2 for doxorubicin 50
  mg/m2), IV over 15 minutes before doxorubicin; half the dose (5:1) at creatinine clearance
  < 40 mL/min.
* emetogenic risk: MASCC/ESMO 2016 (Roila F et al., Ann Oncol 2016;27(suppl 5):v119-v133, Table 1
  for intravenous agents); the risk of a day is that of its most emetogenic agent; an anthracycline
  with cyclophosphamide on the same day is "AC", high. Each day of a multi-day regimen is covered
  for its own risk, and the delayed phase for the 2 days after the last day (3 after cisplatin).
  Antiemetic plans and adult doses: same guideline (NK1 antagonist + 5-HT3 antagonist +
  dexamethasone, olanzapine as an option, for high; 5-HT3 antagonist + dexamethasone for moderate;
  a single agent for low; none routinely for minimal). Under 18 years the drugs are ordered and the
  doses are left to the centre's paediatric table (MASCC/ESMO 2016 paediatric recommendations,
  Dupuis LL et al., Support Care Cancer 2017;25:323-331): they are not computed here.
* G-CSF: primary prophylaxis when the regimen's febrile-neutropenia risk is >= 20 % or the protocol
  prescribes it; considered at 10-20 % with patient risk factors (Aapro MS et al., Eur J Cancer
  2011;47:8-32, EORTC 2010 update; Smith TJ et al., J Clin Oncol 2015;33:3199-3212, ASCO 2015).
  Filgrastim 5 microgram/kg/day SC from 24-72 h after chemotherapy until neutrophil recovery;
  pegfilgrastim 6 mg SC once >= 24 h after chemotherapy, by weight band under 45 kg (Neulasta US
  prescribing information, paediatric dosing).
* hydration: regimen data (volume, timing, urine pH >= 7 for high-dose methotrexate).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from rareonco.errors import InvalidInput

from .library import get_regimen
from .schema import Mesna, Regimen

__all__ = [
    "EMETOGENIC_SOURCE",
    "DayRisk",
    "DosedDrug",
    "Order",
    "SupportivePlan",
    "day_risk",
    "supportive_orders",
]

Risk = Literal["high", "moderate", "low", "minimal"]
_RANK: Mapping[Risk, int] = {"minimal": 0, "low": 1, "moderate": 2, "high": 3}

EMETOGENIC_SOURCE = ("MASCC/ESMO 2016: Roila F et al., Ann Oncol 2016;27(suppl 5):v119-v133, "
                     "Table 1 (intravenous agents)")
MESNA_LABEL = ("Mesnex (mesna) US prescribing information, Dosage and Administration: IV mesna 20 % "
               "of the ifosfamide dose (w/w) at 0, 4 and 8 h")
DEXRAZOXANE_LABEL = ("Zinecard (dexrazoxane) US prescribing information: 10:1 to doxorubicin, IV "
                     "over 15 min before it; 50 % of the dose at creatinine clearance < 40 mL/min")
GCSF_SOURCE = ("EORTC 2010 (Aapro MS et al., Eur J Cancer 2011;47:8-32); ASCO 2015 (Smith TJ et al., "
               "J Clin Oncol 2015;33:3199-3212): primary prophylaxis at febrile-neutropenia risk "
               ">= 20 %, considered at 10-20 % with patient risk factors")
PEGFILGRASTIM_LABEL = "Neulasta (pegfilgrastim) US prescribing information, paediatric weight bands"
PAEDIATRIC_ANTIEMETICS = ("Under 18 years: dose from the centre's paediatric table (MASCC/ESMO 2016 "
                          "paediatric recommendations, Dupuis LL et al., Support Care Cancer "
                          "2017;25:323-331); not computed here")

#: Emetogenic risk of single intravenous agents (MASCC/ESMO 2016, Table 1). Cyclophosphamide is
#: high from 1500 mg/m2 (per dose), moderate below. Dactinomycin is not in the adult table: it is
#: classed moderate here by centre convention (to be verified against the paediatric POGO table).
_AGENT_RISK: Mapping[str, Risk] = {
    "cisplatin": "high", "carmustine": "high", "dacarbazine": "high",
    "carboplatin": "moderate", "doxorubicin": "moderate", "daunorubicin": "moderate",
    "epirubicin": "moderate", "idarubicin": "moderate", "ifosfamide": "moderate",
    "irinotecan": "moderate", "oxaliplatin": "moderate", "trabectedin": "moderate",
    "temozolomide": "moderate", "dactinomycin": "moderate",
    "docetaxel": "low", "etoposide": "low", "gemcitabine": "low", "methotrexate": "low",
    "mitoxantrone": "low", "doxorubicin-liposomal": "low", "paclitaxel": "low", "topotecan": "low",
    "vincristine": "minimal", "vinblastine": "minimal", "vinorelbine": "minimal",
    "bleomycin": "minimal",
}
_CYCLOPHOSPHAMIDE_HIGH_MG_M2 = 1500.0
_AC_ANTHRACYCLINES = frozenset({"doxorubicin", "epirubicin"})

class _OrderFn(Protocol):
    def __call__(self, drug: str, day: int, mg: float, route: str, timing: str,
                 optional: bool = False) -> None: ...


OrderKind = Literal["mesna", "dexrazoxane", "antiemetic", "gcsf", "hydration"]


class DosedDrug(Protocol):
    """One chemotherapy drug of a cycle as planned: a :class:`~rareonco.regimens.planning.DrugDose`
    or the course view's planned drug (both have these attributes)."""

    @property
    def drug(self) -> str: ...
    @property
    def days(self) -> Sequence[int]: ...
    @property
    def mg_per_day(self) -> float: ...


@dataclass(frozen=True)
class Order:
    """One supportive order. ``day`` is the day of the cycle (1 = first chemotherapy day) it is
    given on; ``timing`` says when on that day relative to the chemotherapy. ``dose_mg`` is None
    for fluids (volume in ``dose``) and where the dose is not computed (say why in ``dose``)."""

    kind: OrderKind
    drug: str
    day: int
    dose_mg: float | None
    dose: str
    route: str
    timing: str
    source: str
    optional: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "drug": self.drug, "day": self.day,
                "dose_mg": None if self.dose_mg is None else round(self.dose_mg, 2),
                "dose": self.dose, "route": self.route, "timing": self.timing,
                "source": self.source, "optional": self.optional}


@dataclass(frozen=True)
class DayRisk:
    """The emetogenic risk of one chemotherapy day and the agent (or rule) that sets it."""

    day: int
    risk: Risk
    reason: str


@dataclass(frozen=True)
class SupportivePlan:
    emetogenic: tuple[DayRisk, ...]
    febrile_neutropenia_risk: str
    orders: tuple[Order, ...]

    def to_dict(self) -> dict[str, object]:
        return {"emetogenic": [{"day": d.day, "risk": d.risk, "reason": d.reason}
                               for d in self.emetogenic],
                "febrile_neutropenia_risk": self.febrile_neutropenia_risk,
                "orders": [o.to_dict() for o in self.orders]}


def day_risk(day: int, mg_m2_by_drug: Mapping[str, float]) -> DayRisk:
    """MASCC/ESMO 2016 risk of one day: the most emetogenic agent given that day; anthracycline
    plus cyclophosphamide ("AC") is high. Raises InvalidInput for an agent not classified here."""
    worst: tuple[Risk, str] = ("minimal", "no chemotherapy")
    for drug, mg_m2 in sorted(mg_m2_by_drug.items()):
        if drug == "cyclophosphamide":
            risk: Risk = "high" if mg_m2 >= _CYCLOPHOSPHAMIDE_HIGH_MG_M2 else "moderate"
            why = f"cyclophosphamide {mg_m2:.0f} mg/m2 ({'>=' if risk == 'high' else '<'} 1500)"
        elif drug in _AGENT_RISK:
            risk, why = _AGENT_RISK[drug], drug
        else:
            raise InvalidInput("drug", f"{drug!r} has no emetogenic class here ({EMETOGENIC_SOURCE})")
        if _RANK[risk] > _RANK[worst[0]]:
            worst = (risk, why)
    if "cyclophosphamide" in mg_m2_by_drug and _AC_ANTHRACYCLINES & set(mg_m2_by_drug):
        worst = ("high", "anthracycline + cyclophosphamide (AC)")
    return DayRisk(day, worst[0], worst[1])


def supportive_orders(
    regimen: Regimen | str,
    drugs: Sequence[DosedDrug],
    *,
    bsa_m2: float,
    weight_kg: float,
    age_years: float | None = None,
    crcl_ml_min: float | None = None,
) -> SupportivePlan:
    """Supportive orders for one cycle whose chemotherapy is ``drugs`` (mg per day per drug).

    ``age_years`` None gives adult antiemetic doses: pass it whenever known (under 18 the
    antiemetic doses are left to the paediatric table, not computed). ``crcl_ml_min``
    (Cockcroft-Gault or measured) halves dexrazoxane below 40 mL/min; without it the full ratio
    is ordered with a note.
    """
    reg = regimen if isinstance(regimen, Regimen) else get_regimen(regimen)
    if not 0.1 <= bsa_m2 <= 5.0:
        raise InvalidInput("bsa_m2", f"{bsa_m2!r} m2 is outside 0.1-5")
    if not 0.3 <= weight_kg <= 650:
        raise InvalidInput("weight_kg", f"{weight_kg!r} kg is outside 0.3-650")
    if age_years is not None and not 0 <= age_years <= 120:
        raise InvalidInput("age_years", f"{age_years!r} is outside 0-120 years")
    chemo = [d for d in drugs if d.mg_per_day > 0 and d.days]
    if not chemo:
        raise InvalidInput("drugs", "no chemotherapy in the cycle")
    days = sorted({day for d in chemo for day in d.days})
    risks = tuple(day_risk(day, {d.drug: d.mg_per_day / bsa_m2 for d in chemo if day in d.days})
                  for day in days)
    orders: list[Order] = []
    orders += _mesna(reg.supportive_care.mesna, chemo)
    orders += _dexrazoxane(reg, chemo, bsa_m2, crcl_ml_min)
    orders += _antiemetics(risks, age_years)
    orders += _gcsf(reg, _gcsf_day(risks), weight_kg)
    orders += _hydration(reg, chemo, bsa_m2)
    orders.sort(key=lambda o: (o.day, _KIND_ORDER[o.kind]))
    return SupportivePlan(risks, reg.supportive_care.febrile_neutropenia.category, tuple(orders))


_KIND_ORDER: Mapping[str, int] = {"hydration": 0, "antiemetic": 1, "dexrazoxane": 2, "mesna": 3,
                                  "gcsf": 4}


def _src(text: str) -> str:
    return " ".join(text.split())


def _mesna(schemes: Sequence[Mesna], chemo: Sequence[DosedDrug]) -> list[Order]:
    out: list[Order] = []
    for scheme in schemes:
        given = next((d for d in chemo if d.drug == scheme.with_drug), None)
        if given is None:
            continue
        src = _src(scheme.source)
        if scheme.scheme == "bolus_0_4_8h":
            for day in given.days:
                for hour in (0, 4, 8):
                    out.append(Order("mesna", "mesna", day, 0.2 * given.mg_per_day,
                                     f"20 % of {scheme.with_drug} {given.mg_per_day:.0f} mg", "IV",
                                     f"{hour} h after the start of {scheme.with_drug}", src))
            continue
        pct = scheme.pct_of_dose or 0.0
        after = scheme.continue_h_after or 0.0
        for day in given.days:
            out.append(Order("mesna", "mesna", day, pct / 100 * given.mg_per_day,
                             f"{pct:g} % of {scheme.with_drug} {given.mg_per_day:.0f} mg", "IV",
                             f"continuous over 24 h from the start of {scheme.with_drug}", src))
        if after > 0:
            last = given.days[-1]
            out.append(Order("mesna", "mesna", last + 1, pct / 100 * given.mg_per_day * after / 24,
                             f"{pct:g} % of the last {scheme.with_drug} dose, pro rata over {after:g} h",
                             "IV", f"continuous for {after:g} h after the last {scheme.with_drug}",
                             src))
    return out


def _dexrazoxane(reg: Regimen, chemo: Sequence[DosedDrug], bsa_m2: float,
                 crcl_ml_min: float | None) -> list[Order]:
    care = reg.supportive_care.dexrazoxane
    doxo = next((d for d in chemo if d.drug == "doxorubicin"), None)
    if care is None or doxo is None:
        return []
    if crcl_ml_min is not None and crcl_ml_min < 0:
        raise InvalidInput("crcl_ml_min", "must not be negative")
    halved = crcl_ml_min is not None and crcl_ml_min < 40
    ratio = care.ratio / 2 if halved else care.ratio
    note = (f"{ratio:g}:1 to doxorubicin" + (" (halved: creatinine clearance < 40 mL/min)" if halved
            else "" if crcl_ml_min is not None else " (creatinine clearance not given: halve if < 40)"))
    src = f"{_src(care.source)}; {DEXRAZOXANE_LABEL}"
    return [Order("dexrazoxane", "dexrazoxane", day, ratio * doxo.mg_per_day,
                  f"{note}: {ratio * doxo.mg_per_day / bsa_m2:.0f} mg/m2", "IV",
                  "over 15 min, immediately before doxorubicin (doxorubicin within 30 min)", src)
            for day in doxo.days]


def _episodes(risks: Sequence[DayRisk]) -> list[list[DayRisk]]:
    """Runs of consecutive chemotherapy days (MAP: days 1-2, then 22, then 29): each has its own
    delayed phase."""
    runs: list[list[DayRisk]] = []
    for r in risks:
        if runs and r.day - runs[-1][-1].day <= 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs


def _delayed(episode: Sequence[DayRisk], order: _OrderFn) -> None:
    """Delayed-phase prophylaxis after a run of days (MASCC/ESMO 2016): high, NK1 antagonist for
    2 days and dexamethasone for 2 days (3 after cisplatin), none for AC; moderate, dexamethasone
    for 2 days as an option (agents with known delayed emesis); low and minimal, none."""
    last = episode[-1].day
    worst = max(episode, key=lambda r: _RANK[r.risk])
    only_ac = all(r.reason.endswith("(AC)") for r in episode if r.risk == "high")
    if worst.risk == "high":
        for k in (1, 2):
            order("aprepitant", last + k, 80, "PO", "morning (delayed phase)")
        if not only_ac:
            for k in (1, 2, 3) if any(r.reason == "cisplatin" for r in episode) else (1, 2):
                order("dexamethasone", last + k, 8, "PO", "morning (delayed phase)")
    elif worst.risk == "moderate":
        for k in (1, 2):
            order("dexamethasone", last + k, 8, "PO", "morning (delayed phase, for agents with known "
                  "delayed emesis: anthracyclines, cyclophosphamide)", optional=True)


def _gcsf_day(risks: Sequence[DayRisk]) -> int:
    """G-CSF starts after the last run of days carrying the cycle's highest emetogenic rank, a
    stand-in for its myelosuppressive block (MAP: after AP, not after methotrexate; GEM-DOC: after
    day 8)."""
    runs = _episodes(risks)
    top = max(_RANK[r.risk] for r in risks)
    return [run for run in runs if max(_RANK[r.risk] for r in run) == top][-1][-1].day


def _antiemetics(risks: Sequence[DayRisk], age_years: float | None) -> list[Order]:
    adult = age_years is None or age_years >= 18
    out: list[Order] = []

    def order(drug: str, day: int, mg: float, route: str, timing: str, optional: bool = False
              ) -> None:
        if adult:
            out.append(Order("antiemetic", drug, day, mg, f"{mg:g} mg", route, timing,
                             EMETOGENIC_SOURCE, optional))
        else:
            out.append(Order("antiemetic", drug, day, None, PAEDIATRIC_ANTIEMETICS, route, timing,
                             EMETOGENIC_SOURCE, optional))

    first_high = next((r.day for r in risks if r.risk == "high"), None)
    before = "30-60 min before chemotherapy"
    for r in risks:
        if r.risk == "high":
            order("aprepitant", r.day, 125 if r.day == first_high else 80, "PO", before)
            order("ondansetron", r.day, 8, "IV", before)
            order("dexamethasone", r.day, 12 if r.day == first_high else 8, "IV", before)
            order("olanzapine", r.day, 10, "PO", "evening (option: adds to or replaces the NK1 "
                  "antagonist, MASCC/ESMO 2016)", optional=True)
        elif r.risk == "moderate":
            order("ondansetron", r.day, 8, "IV", before)
            order("dexamethasone", r.day, 8, "IV", before)
        elif r.risk == "low":
            order("dexamethasone", r.day, 8, "IV", before + " (single agent; or a 5-HT3 antagonist)")
    for episode in _episodes(risks):
        _delayed(episode, order)
    return out


#: Pegfilgrastim by weight (Neulasta US label, paediatric dosing): (up to kg, mg).
_PEG_BANDS = ((10.0, None), (20.0, 1.5), (30.0, 2.5), (44.999, 4.0))


def _gcsf(reg: Regimen, last_day: int, weight_kg: float) -> list[Order]:
    fn = reg.supportive_care.febrile_neutropenia
    prescribed = fn.gcsf is not None
    if not prescribed and fn.category == "low":
        return []
    optional = not prescribed and fn.category == "intermediate"
    src = f"{_src(fn.source)}; {GCSF_SOURCE}"
    start = f"from {fn.start_h_after_last_day:g} h after the last chemotherapy dose"
    if fn.gcsf == "pegfilgrastim":
        mg = 6.0
        for upper, band_mg in _PEG_BANDS:
            if weight_kg <= upper:
                mg = 0.1 * weight_kg if band_mg is None else band_mg
                break
        return [Order("gcsf", "pegfilgrastim", last_day + 1, mg, f"{mg:g} mg once", "SC",
                      start + " (not within 14 days before the next cycle)",
                      f"{src}; {PEGFILGRASTIM_LABEL}", optional)]
    mg = 0.005 * weight_kg
    return [Order("gcsf", "filgrastim", last_day + 1, mg,
                  f"5 microgram/kg/day x {weight_kg:g} kg = {mg * 1000:.0f} microgram daily", "SC",
                  start + ", daily until neutrophil recovery"
                  + ("; consider with patient risk factors (age >= 65, prior febrile neutropenia...)"
                     if optional else ""), src, optional)]


def _hydration(reg: Regimen, chemo: Sequence[DosedDrug], bsa_m2: float) -> list[Order]:
    out: list[Order] = []
    by_drug = {d.drug: d for d in chemo}
    for h in reg.supportive_care.hydration:
        given = [by_drug[d] for d in h.with_drugs if d in by_drug]
        if not given:
            continue
        ml_day = h.volume_ml_day if h.volume_ml_day is not None else (h.volume_ml_m2_day or 0) * bsa_m2
        volume = (f"{h.volume_ml_day:.0f} mL/day" if h.volume_ml_day is not None
                  else f"{h.volume_ml_m2_day:.0f} mL/m2/day = {ml_day:.0f} mL/day")
        names = ", ".join(d.drug for d in given)
        days = sorted({day for d in given for day in d.days})
        runs: list[list[int]] = []
        for day in days:  # one order per run of consecutive days (MAP methotrexate: 22, then 29)
            if runs and day - runs[-1][-1] <= 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        for run in runs:
            timing = (f"from {h.start_h_before:g} h before {names} on day {run[0]} to "
                      f"{h.continue_h_after:g} h after the last dose (day {run[-1]})")
            if h.urine_ph_min is not None:
                timing += f"; urine pH >= {h.urine_ph_min:g} before the start (sodium bicarbonate)"
            out.append(Order("hydration", h.fluid, run[0], None, volume, "IV", timing, _src(h.source)))
    return out
