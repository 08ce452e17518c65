"""Safety findings with three severities and messages in English and Russian; override reasons.

Severities (issue 17):

``block``
    The cycle cannot be recorded: a required pre-check missing, a dose more than 1.5 x a protocol
    cap or more than 1.5 x the computed dose (beyond any published variation: a transcription or
    unit error, not a clinical choice), a drug the organ-function table says not to give.
``override``
    Can be recorded only with a structured reason (:data:`OVERRIDE_REASONS`) plus free text, by a
    clinician, and then waits for a co-signature (the later slice): a cap exceeded at all (a cap
    has no tolerance above it), a dose > 10 % from the computed dose, a failed start criterion, a
    cycle before its earliest day, cumulative anthracycline beyond the limit.
``warn``
    Shown, never stopping.

A failed start criterion is ``override``, not ``block``: protocols set count thresholds as
recovery criteria, and clinicians do proceed below them with documented reasons (rising counts
under G-CSF, tumour emergency); what must never pass silently is a *missing* value.

Messages are a code plus parameters; :data:`MESSAGES` renders them in English and Russian.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from rareonco.clinical.drugs import drug_by_id
from rareonco.errors import InvalidInput

_TESTS_RU = {"ANC": "АЧН", "platelets": "тромбоциты", "GFR": "СКФ", "bilirubin": "билирубин",
             "LVEF": "ФВ ЛЖ", "creatinine clearance": "клиренс креатинина", "ALT": "АЛТ",
             "CPK": "КФК"}

__all__ = ["MESSAGES", "OVERRIDE_REASONS", "Override", "SafetyFinding", "Severity", "meaningful_text",
           "parse_override"]

Severity = Literal["block", "override", "warn"]

MESSAGES: Mapping[str, tuple[str, str]] = {
    "cap_exceeded": ("{drug}: {given_mg:g} mg in the {per} exceeds the protocol cap of {cap_mg:g} mg",
                     "{drug}: {given_mg:g} мг за {per_ru} превышает предел протокола {cap_mg:g} мг"),
    "dose_deviation": ("{drug} day {day}: {given_mg:g} mg is {deviation_pct:+.1f} % from the computed "
                       "{computed_mg:.2f} mg (tolerance {tolerance_pct:g} %)",
                       "{drug}, день {day}: {given_mg:g} мг отличается на {deviation_pct:+.1f} % от "
                       "расчётной дозы {computed_mg:.2f} мг (допуск {tolerance_pct:g} %)"),
    "unplanned_dose": ("{drug} on day {day} is not in the protocol for this cycle",
                       "{drug} в день {day} не предусмотрен протоколом в этом цикле"),
    "precheck_missing": ("{test} not measured; required before {drugs}",
                         "{test} не измерен(а); обязателен перед {drugs}"),
    "precheck_failed": ("{test} {value:g} {unit}: the protocol requires {op} {limit:g} {unit}",
                        "{test} {value:g} {unit}: протокол требует {op} {limit:g} {unit}"),
    "organ_dose_modification": ("{drug}: {test} {value:g} {unit} calls for {dose_pct:g} % of the dose; "
                                "{given_pct:.0f} % proposed",
                                "{drug}: при {test} {value:g} {unit} показано {dose_pct:g} % дозы; "
                                "предложено {given_pct:.0f} %"),
    "before_earliest_day": ("cycle {cycle} starts on day {day} after the previous cycle; earliest day "
                            "is {earliest_day}",
                            "цикл {cycle} начинается на {day}-й день после предыдущего; не ранее "
                            "{earliest_day}-го дня"),
    "after_latest_day": ("cycle {cycle} starts on day {day} after the previous cycle, later than day "
                         "{latest_day}", "цикл {cycle} начинается на {day}-й день после предыдущего, "
                         "позже {latest_day}-го дня"),
    "anthracycline_warning": ("cumulative doxorubicin-equivalent {total:.1f} mg/m2 reaches 80 % of the "
                              "{limit:g} mg/m2 limit", "кумулятивная доза в эквиваленте доксорубицина "
                              "{total:.1f} мг/м2 достигла 80 % предела {limit:g} мг/м2"),
    "anthracycline_limit": ("cumulative doxorubicin-equivalent {total:.1f} mg/m2 exceeds the {limit:g} "
                            "mg/m2 limit", "кумулятивная доза в эквиваленте доксорубицина {total:.1f} "
                            "мг/м2 превышает предел {limit:g} мг/м2"),
    "regimen_unapproved": ("regimen {regimen} v{version} is not approved by a pharmacist and a "
                           "clinician", "схема {regimen} v{version} не утверждена фармацевтом и "
                           "врачом"),
    "board_decision_differs": ("{regimen} differs from the signed board decision ({board})",
                               "{regimen} отличается от подписанного решения консилиума ({board})"),
    "cycle_overlap": ("a cycle of another course of this patient started on {other_start}, {days} "
                      "days apart (cycle length {cycle_length_days} days)",
                      "цикл другого курса этого пациента начат {other_start}, через {days} дн. "
                      "(длительность цикла {cycle_length_days} дн.)"),
    "weight_missing": ("no weight recorded for dosing this cycle",
                       "нет измерения массы тела для расчёта доз этого цикла"),
    "weight_stale": ("weight measured {days} days before the cycle (more than {max_days}); re-weigh "
                     "and recompute doses", "масса тела измерена за {days} дн. до цикла (более "
                     "{max_days}); взвесьте пациента и пересчитайте дозы"),
    "regimen_draft": ("regimen {regimen} v{version} is a draft, not approved for prescribing",
                      "схема {regimen} v{version} — черновик, не утверждена для назначения"),
}

#: Structured override reasons; the free text must add at least 10 letters or digits.
OVERRIDE_REASONS = (
    "clinical_judgement_documented",
    "protocol_amendment",
    "rounding_to_vial",
    "tumour_board_decision",
    "counts_recovering_gcsf",
    "patient_weight_change",
    "toxicity_dose_reduction",
    "transcription_corrected",
)
MIN_REASON_CHARS = 10


@dataclass(frozen=True)
class SafetyFinding:
    code: str
    severity: Severity
    drug: str | None = None
    day: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: Literal["en", "ru"] = "en") -> str:
        en, ru = MESSAGES[self.code]
        if lang != "ru":
            return en.format(**self.params)
        params = dict(self.params)
        if "drug" in params:
            params["drug"] = drug_by_id(params["drug"]).name_ru
        if "drugs" in params:
            params["drugs"] = ", ".join(_name_ru(d.strip()) for d in str(params["drugs"]).split(","))
        if "test" in params:
            params["test"] = _TESTS_RU.get(params["test"], params["test"])
        return ru.format(**params)

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "drug": self.drug, "day": self.day,
                "message": self.message("en"), "message_ru": self.message("ru"),
                "params": dict(self.params)}


def _name_ru(drug_id: str) -> str:
    try:
        return drug_by_id(drug_id).name_ru
    except InvalidInput:
        return drug_id  # "*" (every drug of the cycle)


@dataclass(frozen=True)
class Override:
    code: str
    text: str


_MEANINGFUL = re.compile(r"[^\W_]", re.UNICODE)


def parse_override(code: object, text: object, field_prefix: str = "override") -> Override:
    """A structured override reason, or InvalidInput naming ``{prefix}.code`` / ``{prefix}.text``.

    The text needs at least :data:`MIN_REASON_CHARS` letters or digits ("x" or "......" is not a
    reason)."""
    if code not in OVERRIDE_REASONS:
        raise InvalidInput(f"{field_prefix}.code",
                           f"must be one of {', '.join(OVERRIDE_REASONS)}; got {code!r}")
    return Override(str(code), meaningful_text(text, f"{field_prefix}.text"))


def meaningful_text(text: object, field: str) -> str:
    """``text`` stripped, if it has at least :data:`MIN_REASON_CHARS` letters or digits (a return
    reason, a cancellation); else InvalidInput(``field``)."""
    if not isinstance(text, str) or len(_MEANINGFUL.findall(text)) < MIN_REASON_CHARS:
        raise InvalidInput(field, f"a reason needs at least {MIN_REASON_CHARS} "
                           f"letters or digits explaining the decision; got {text!r}")
    return text.strip()
