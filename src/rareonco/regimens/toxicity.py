"""Dose modification for toxicity: the regimen's tables against the grades since the last cycle.

Pure: a regimen, a planned cycle, the proposed doses and ``toxicities`` (CTCAE v5.0 term -> worst
grade since the previous cycle) in; :class:`~rareonco.regimens.findings.SafetyFinding` values out.
Each table is regimen data with its source (``toxicity_modifications`` in the YAML files:
vincristine neuropathy, doxorubicin mucositis, ifosfamide encephalopathy and nephrotoxicity,
methotrexate mucositis and kidney injury, cisplatin ototoxicity and nephrotoxicity).

Severities, as the cycle gate uses them (issue 17):

* the table says 0 % (omit) and the drug is proposed: ``block``;
* the proposed dose exceeds the table's percentage by more than the regimen's dose tolerance:
  ``override`` (a documented clinical decision, co-signed);
* the grade is in a table whose row keeps 100 % but the table has notes (e.g. intensify leucovorin
  after mucositis): ``warn``, showing the note.

The findings' messages live in :data:`MESSAGES` (en, ru) here rather than in
:data:`rareonco.regimens.findings.MESSAGES`; :class:`ToxicityFinding` renders them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rareonco.clinical.drugs import drug_by_id
from rareonco.errors import InvalidInput

from .findings import SafetyFinding, Severity
from .library import get_regimen
from .planning import CyclePlan
from .schema import CTCAE_TERMS, Regimen

__all__ = ["MESSAGES", "TERMS_RU", "ToxicityFinding", "parse_toxicities", "toxicity_findings"]

#: Finding code -> (English, Russian) message templates.
MESSAGES: Mapping[str, tuple[str, str]] = {
    "toxicity_omit": (
        "{drug}: {term} grade {grade} since the last cycle: the protocol omits {drug} ({source_short})",
        "{drug}: {term}, степень {grade} после предыдущего цикла: протокол исключает препарат "
        "({source_short})"),
    "toxicity_dose_modification": (
        "{drug}: {term} grade {grade} calls for {dose_pct:g} % of the dose; {given_pct:.0f} % proposed",
        "{drug}: при «{term}», степень {grade}, показано {dose_pct:g} % дозы; предложено "
        "{given_pct:.0f} %"),
    "toxicity_note": (
        "{drug}: {term} grade {grade}: {notes}",
        "{drug}: «{term}», степень {grade}: см. примечание протокола ({source_short})"),
}

#: CTCAE v5.0 terms in Russian (the official Russian translation's wording where known).
TERMS_RU: Mapping[str, str] = {
    "Peripheral sensory neuropathy": "периферическая сенсорная нейропатия",
    "Peripheral motor neuropathy": "периферическая моторная нейропатия",
    "Constipation": "запор",
    "Mucositis oral": "мукозит полости рта",
    "Encephalopathy": "энцефалопатия",
    "Creatinine increased": "повышение креатинина",
    "Acute kidney injury": "острое повреждение почек",
    "Hematuria": "гематурия",
    "Hearing impaired": "нарушение слуха",
    "Febrile neutropenia": "фебрильная нейтропения",
    "Diarrhea": "диарея",
}

#: one proposed dose: (drug id, day of the cycle, mg), as the cycle gate builds them
Dose = tuple[str, int, float]


@dataclass(frozen=True)
class ToxicityFinding(SafetyFinding):
    """A :class:`SafetyFinding` whose message comes from this module's :data:`MESSAGES`."""

    def message(self, lang: Literal["en", "ru"] = "en") -> str:
        en, ru = MESSAGES[self.code]
        params = dict(self.params)
        if lang != "ru":
            return en.format(**params)
        params["drug"] = drug_by_id(str(params["drug"])).name_ru
        params["term"] = TERMS_RU.get(str(params["term"]), params["term"])
        return ru.format(**params)


_TERM_KEYS = {t.lower(): t for t in CTCAE_TERMS}


def parse_toxicities(toxicities: Mapping[str, object], field: str = "toxicities") -> dict[str, int]:
    """``{term: grade}`` with each term matched to its CTCAE v5.0 name (case-insensitive) and each
    grade a whole number from 0 (none) to the term's highest grade below 5.

    Raises InvalidInput naming ``toxicities.<term>`` for an unknown term or impossible grade."""
    if not isinstance(toxicities, Mapping):
        raise InvalidInput(field, "must be an object of CTCAE term -> grade")
    out: dict[str, int] = {}
    for raw, grade in toxicities.items():
        term = _TERM_KEYS.get(" ".join(str(raw).split()).lower())
        if term is None:
            raise InvalidInput(f"{field}.{raw}", f"unknown CTCAE v5.0 term {raw!r}; known: "
                               f"{', '.join(sorted(CTCAE_TERMS))}")
        if isinstance(grade, bool) or not isinstance(grade, int):
            raise InvalidInput(f"{field}.{raw}", f"the grade must be a whole number, got {grade!r}")
        if grade != 0 and grade not in CTCAE_TERMS[term]:
            raise InvalidInput(f"{field}.{raw}", f"{term!r} has grades 0 (none) and "
                               f"{', '.join(map(str, CTCAE_TERMS[term]))} here; got {grade}")
        if term in out:
            raise InvalidInput(f"{field}.{raw}", f"{term!r} given twice")
        out[term] = grade
    return out


def _short(source: str, limit: int = 120) -> str:
    """The source's citation before its first colon, cut at a word boundary."""
    text = " ".join(source.split()).split(":")[0]
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "..."


def toxicity_findings(
    regimen: Regimen | str,
    cycle_plan: CyclePlan,
    doses: Sequence[Dose],
    toxicities: Mapping[str, int],
    tolerance_pct: float | None = None,
) -> list[SafetyFinding]:
    """Findings for the proposed ``doses`` of ``cycle_plan`` given the ``toxicities`` since the
    previous cycle (CTCAE v5.0 term -> worst grade; terms are matched case-insensitively).

    The given percentage of a drug is its proposed total over the cycle against the protocol
    total for this patient (``protocol_mg_per_day`` x days), as for the organ-function tables.
    ``tolerance_pct`` defaults to the regimen's ``dose_tolerance`` (10 % if it has none).
    """
    reg = regimen if isinstance(regimen, Regimen) else get_regimen(regimen)
    grades = parse_toxicities(toxicities)
    tol = tolerance_pct if tolerance_pct is not None else (
        reg.dose_tolerance.pct if reg.dose_tolerance else 10.0)
    planned = {d.drug: d for d in cycle_plan.drugs}
    out: list[SafetyFinding] = []
    for table in reg.toxicity_modifications:
        grade = grades.get(table.term)
        plan = planned.get(table.drug)
        given_mg = sum(mg for drug, _, mg in doses if drug == table.drug)
        if grade is None or grade not in table.grades or plan is None or given_mg <= 0:
            continue
        pct = table.grades[grade]
        given_pct = given_mg / (plan.protocol_mg_per_day * len(plan.days)) * 100.0
        source_short = _short(table.source)
        params = {"drug": table.drug, "term": table.term, "grade": grade, "dose_pct": pct,
                  "given_pct": round(given_pct, 1), "source": " ".join(table.source.split()),
                  "source_short": source_short, "notes": table.notes or ""}
        severity: Severity
        if pct == 0:
            code, severity = "toxicity_omit", "block"
        elif given_pct > pct + tol + 1e-9:
            code, severity = "toxicity_dose_modification", "override"
        elif pct == 100 and table.notes:
            code, severity = "toxicity_note", "warn"
        else:
            continue
        out.append(ToxicityFinding(code, severity, table.drug, None, params))
    return out
