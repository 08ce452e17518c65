"""The ``supportive_care`` part of a regimen file: the regimen's own facts that
:mod:`rareonco.regimens.supportive` turns into orders (febrile-neutropenia risk, mesna scheme,
dexrazoxane, hydration), each with its source."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ._model import DrugName, Text, _Strict

__all__ = ["Dexrazoxane", "FebrileNeutropeniaRisk", "Hydration", "Mesna", "SupportiveCare"]


class Sourced(_Strict):
    source: Text


class FebrileNeutropeniaRisk(Sourced):
    """The regimen's febrile-neutropenia risk (EORTC 2010 / ASCO 2015 categories): ``high``
    >= 20 %, ``intermediate`` 10-20 %, ``low`` < 10 %. ``gcsf`` names what the protocol itself
    prescribes (``filgrastim`` / ``pegfilgrastim``), else the guideline's default applies."""

    category: Literal["high", "intermediate", "low"]
    gcsf: Literal["filgrastim", "pegfilgrastim"] | None = None
    start_h_after_last_day: float = Field(default=24, ge=24, le=96)


class Mesna(Sourced):
    """Mesna with an oxazaphosphorine. ``bolus_0_4_8h``: 20 % of the drug's dose (w/w) IV at 0, 4
    and 8 h of each dose (mesna US label). ``continuous``: ``pct_of_dose`` of each day's dose as
    an infusion beside it, continued ``continue_h_after`` hours after the last dose (Hensley 2009)."""

    with_drug: Literal["ifosfamide", "cyclophosphamide"]
    scheme: Literal["bolus_0_4_8h", "continuous"]
    pct_of_dose: float | None = Field(default=None, gt=0, le=150)
    continue_h_after: float | None = Field(default=None, ge=0, le=48)

    @model_validator(mode="after")
    def _scheme(self) -> Mesna:
        if self.scheme == "continuous" and (self.pct_of_dose is None or self.continue_h_after is None):
            raise ValueError("continuous: give pct_of_dose and continue_h_after")
        if self.scheme == "bolus_0_4_8h" and self.pct_of_dose is not None:
            raise ValueError("bolus_0_4_8h: the label fixes 3 x 20 %; pct_of_dose not allowed")
        return self


class Dexrazoxane(Sourced):
    """Dexrazoxane before doxorubicin at ``ratio``:1 (mg/m2), as the protocol uses it."""

    ratio: float = Field(gt=0, le=20)


class Hydration(Sourced):
    """Hydration around ``with_drugs``; ``urine_ph_min`` adds alkalinisation (HD-MTX)."""

    with_drugs: tuple[DrugName, ...] = Field(min_length=1)
    volume_ml_m2_day: float | None = Field(default=None, gt=0, le=6000)
    volume_ml_day: float | None = Field(default=None, gt=0, le=8000)
    start_h_before: float = Field(ge=0, le=24)
    continue_h_after: float = Field(ge=0, le=96)
    urine_ph_min: float | None = Field(default=None, ge=6, le=8)
    fluid: Text

    @model_validator(mode="after")
    def _volume(self) -> Hydration:
        if (self.volume_ml_m2_day is None) == (self.volume_ml_day is None):
            raise ValueError("give exactly one of volume_ml_m2_day or volume_ml_day")
        return self


class SupportiveCare(_Strict):
    febrile_neutropenia: FebrileNeutropeniaRisk
    mesna: tuple[Mesna, ...] = ()
    dexrazoxane: Dexrazoxane | None = None
    hydration: tuple[Hydration, ...] = ()
