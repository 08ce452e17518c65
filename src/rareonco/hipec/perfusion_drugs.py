"""Plausibility of a perfusion (HIPEC) drug dose: per m2 and per litre of perfusate.

The protocol data (ranges, caps, sources) are in ``data/perfusion_drugs.yaml``, validated when
loaded. Rules, in order of severity (``block``; ``needs_reason``, the override a clinician gives
with a written reason; ``warn``; the HIPEC procedures keep this vocabulary, the chemotherapy
cycles use :mod:`rareonco.regimens.gate`):

``block``
    more than 1.5 x the cap per m2 (1,000 mg/m2 of cisplatin is ten times the protocol dose: a
    unit or decimal error), more than the absolute cap in mg by the same factor, or a
    concentration above 2 x the highest per litre; an unknown drug.
``needs_reason``
    above the cap per m2 (by more than the courses' 10 % tolerance) or above the absolute cap in
    mg, or a concentration above the highest per litre (the carrier is small for the dose).
``warn``
    below the protocol range by more than 10 % (an intended reduction must be visible).

The 1.5 x and 2 x factors and the reuse of the 10 % tolerance are RareOnco policy (issue 19),
not published values. Each finding has a ``code`` and ``params`` for the page to translate, and
the message in English and Russian (the two languages of the clinical pages).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rareonco.errors import InvalidInput

__all__ = [
    "DoseFinding",
    "DrugLimits",
    "Severity",
    "check_perfusion_dose",
    "check_perfusion_drugs",
    "drug_limits",
]

Severity = Literal["block", "needs_reason", "warn"]

#: Tolerance above the cap and below the range before a reason is needed (as the courses).
TOLERANCE = 0.10
#: Beyond these multiples of the cap the dose is blocked, not overridable.
BLOCK_FACTOR_DOSE = 1.5
BLOCK_FACTOR_CONCENTRATION = 2.0


class DrugLimits(BaseModel):
    """One drug's protocol limits (units in the names) and the sources they come from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    names: list[str] = Field(min_length=1)
    range_mg_m2: tuple[float, float]
    cap_mg_m2: float = Field(gt=0)
    max_mg: float = Field(gt=0)
    max_mg_l: float = Field(gt=0)
    sources: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> DrugLimits:
        low, high = self.range_mg_m2
        if not (0 < low <= high <= self.cap_mg_m2):
            raise ValueError("need 0 < range low <= range high <= cap_mg_m2")
        return self


class _DrugFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    reviewed: str
    perfusate_l_per_m2_min: float = Field(gt=0)
    drugs: dict[str, DrugLimits]


@lru_cache(maxsize=1)
def _library() -> dict[str, tuple[str, DrugLimits]]:
    text = resources.files(__package__).joinpath("data/perfusion_drugs.yaml").read_text("utf-8")
    try:
        data = _DrugFile.model_validate(yaml.safe_load(text))
    except ValidationError as exc:  # pragma: no cover - the bundled file is tested
        raise InvalidInput("perfusion_drugs.yaml", str(exc)) from None
    return {alias.lower(): (key, limits) for key, limits in data.drugs.items()
            for alias in [key, *limits.names]}


def drug_limits(drug: str) -> tuple[str, DrugLimits] | None:
    """The canonical name and limits of ``drug`` (any listed alias, any case), or None."""
    return _library().get(drug.strip().lower())


@dataclass(frozen=True)
class DoseFinding:
    """What is wrong with a perfusion dose: ``code`` + ``params`` (to translate), severity,
    and the message in English and Russian."""

    code: str
    severity: Severity
    drug: str
    params: tuple[tuple[str, float | str], ...]
    message_en: str
    message_ru: str

    def message(self, locale: str = "en") -> str:
        return self.message_ru if locale.startswith("ru") else self.message_en

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "drug": self.drug,
                "params": dict(self.params), "message": {"en": self.message_en,
                                                         "ru": self.message_ru}}


def check_perfusion_dose(drug: str, dose_mg_m2: float, bsa_m2: float,
                         perfusate_l: float | None = None) -> tuple[DoseFinding, ...]:
    """Findings for ``dose_mg_m2`` of ``drug`` for a patient of ``bsa_m2`` in ``perfusate_l``
    litres of carrier (None: not yet known; the concentration is then not checked).

    An empty tuple means the dose is within the protocol. Raises :class:`InvalidInput` naming
    the field for a non-positive or non-finite dose, BSA or volume.
    """
    for field, value in (("dose_mg_m2", dose_mg_m2), ("bsa_m2", bsa_m2)):
        if not (math.isfinite(value) and value > 0):
            raise InvalidInput(field, f"must be a positive number, got {value!r}")
    if perfusate_l is not None and not (math.isfinite(perfusate_l) and perfusate_l > 0):
        raise InvalidInput("perfusate_l", f"must be a positive number of litres, got "
                           f"{perfusate_l!r}")
    found = drug_limits(drug)
    if found is None:
        return (DoseFinding("unknown_drug", "block", drug, (("drug", drug),),
                            f"{drug}: no perfusion protocol range is known; the dose cannot "
                            f"be checked",
                            f"{drug}: диапазон доз для перфузии неизвестен; дозу нельзя "
                            f"проверить"),)
    name, lim = found
    dose_mg = dose_mg_m2 * bsa_m2
    out: list[DoseFinding] = []
    low, high = lim.range_mg_m2
    if dose_mg_m2 > lim.cap_mg_m2 * (1 + TOLERANCE):
        severity: Severity = ("block" if dose_mg_m2 > lim.cap_mg_m2 * BLOCK_FACTOR_DOSE
                              else "needs_reason")
        out.append(DoseFinding(
            "dose_above_cap", severity, name,
            (("dose_mg_m2", dose_mg_m2), ("cap_mg_m2", lim.cap_mg_m2)),
            f"{name} {dose_mg_m2:g} mg/m2 is above the perfusion protocol's "
            f"{lim.cap_mg_m2:g} mg/m2 (range {low:g}-{high:g})",
            f"{name} {dose_mg_m2:g} мг/м2 выше предела протокола перфузии "
            f"{lim.cap_mg_m2:g} мг/м2 (диапазон {low:g}-{high:g})"))
    elif dose_mg_m2 < low * (1 - TOLERANCE):
        out.append(DoseFinding(
            "dose_below_range", "warn", name,
            (("dose_mg_m2", dose_mg_m2), ("low_mg_m2", low)),
            f"{name} {dose_mg_m2:g} mg/m2 is below the protocol range {low:g}-{high:g} mg/m2",
            f"{name} {dose_mg_m2:g} мг/м2 ниже диапазона протокола {low:g}-{high:g} мг/м2"))
    if dose_mg > lim.max_mg * (1 + TOLERANCE):
        severity = "block" if dose_mg > lim.max_mg * BLOCK_FACTOR_DOSE else "needs_reason"
        out.append(DoseFinding(
            "total_above_cap", severity, name,
            (("dose_mg", round(dose_mg)), ("max_mg", lim.max_mg)),
            f"{name} {dose_mg:,.0f} mg in all is above the {lim.max_mg:g} mg maximum",
            f"{name} {dose_mg:,.0f} мг всего больше максимума {lim.max_mg:g} мг"))
    if perfusate_l is not None:
        conc = dose_mg / perfusate_l
        if conc > lim.max_mg_l:
            severity = ("block" if conc > lim.max_mg_l * BLOCK_FACTOR_CONCENTRATION
                        else "needs_reason")
            out.append(DoseFinding(
                "concentration_above_max", severity, name,
                (("mg_l", round(conc, 1)), ("max_mg_l", lim.max_mg_l),
                 ("perfusate_l", perfusate_l)),
                f"{name} {conc:.1f} mg/L in {perfusate_l:g} L of perfusate is above "
                f"{lim.max_mg_l:g} mg/L",
                f"{name} {conc:.1f} мг/л в {perfusate_l:g} л перфузата выше "
                f"{lim.max_mg_l:g} мг/л"))
    return tuple(out)


def check_perfusion_drugs(drugs: Sequence[tuple[str, float]], bsa_m2: float,
                          perfusate_l: float | None = None) -> tuple[DoseFinding, ...]:
    """:func:`check_perfusion_dose` for each ``(drug, dose_mg_m2)`` of a perfusion."""
    return tuple(f for drug, dose in drugs
                 for f in check_perfusion_dose(drug, dose, bsa_m2, perfusate_l))
