"""The schema every regimen file must satisfy, checked when the file is loaded.

A regimen file describes one published protocol as data: its source, the drugs of each cycle (dose
per m2 or per kg, days, route, infusion time, caps), the pre-checks the protocol requires before a
cycle, the supportive drugs it names and its cumulative anthracycline limit. Cycles may share a
named ``block`` of drugs (P6 alternates two blocks over 7 courses); the loader expands each cycle's
block into its own ``drugs`` so downstream code only ever reads ``cycle.drugs``.

Days are numbered from 1 (day 1 = the first day of the cycle). ``start_day`` on a cycle numbers the
day of the whole course (day 1 = the start date) on which that cycle begins; it is how a protocol
with a non-uniform calendar (MAP, in weeks) is written down. A cycle without it begins when the
previous one ends (``length_days`` of that cycle, else the regimen's ``cycle_length_days``).

Every threshold carries its source (``source`` / ``cap_source`` beside it); tests/regimens walks the
files and fails on one without. Dose modification is data too: ``organ_modifications`` (bands of a
lab value) and ``toxicity_modifications`` (percent of the dose by the worst CTCAE v5.0 grade of a
term since the previous cycle), read by :mod:`rareonco.regimens.toxicity` and the cycle gate.
``variants`` replace named blocks (P6 for previously treated patients); a drug's ``young_child``
rule doses per kg below an age (P6 cyclophosphamide under 10 years). ``supportive_care`` holds the
regimen's facts for :mod:`rareonco.regimens.supportive` (febrile-neutropenia risk, mesna scheme,
dexrazoxane, hydration).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from rareonco.errors import InvalidInput

from ._model import DrugName, Text, _Strict
from .modification_schema import CTCAE_TERMS, Band, OrganModification, ToxicityModification
from .supportive_schema import Dexrazoxane, FebrileNeutropeniaRisk, Hydration, Mesna, SupportiveCare

__all__ = [
    "CTCAE_TERMS",
    "PRECHECK_TESTS",
    "AnthracyclineLimit",
    "Band",
    "CycleSpec",
    "Dexrazoxane",
    "DrugSpec",
    "FebrileNeutropeniaRisk",
    "Hydration",
    "Mesna",
    "OrganModification",
    "Precheck",
    "Regimen",
    "RegimenFileError",
    "Supportive",
    "SupportiveCare",
    "ToxicityModification",
    "Variant",
    "format_validation_error",
]

#: Doxorubicin-equivalent anthracyclines the safety checks count (names as in regimen files).
ANTHRACYCLINES = frozenset(
    {"doxorubicin", "daunorubicin", "epirubicin", "idarubicin", "mitoxantrone"}
)

#: Pre-check tests a regimen may require; the unit is in the name. ``*_x_uln`` are multiples of
#: the upper limit of normal.
PRECHECK_TESTS = (
    "anc_10e9_l",
    "platelets_10e9_l",
    "gfr_ml_min_173m2",
    "bilirubin_mg_dl",
    "crcl_ml_min",
    "lvef_pct",
    "bilirubin_x_uln",
    "alt_x_uln",
    "cpk_x_uln",
)

class YoungChildRule(_Strict):
    """Below ``below_age_years`` the drug is dosed per kg instead of per m2 (Kushner 1995:
    cyclophosphamide 70 mg/kg/day under 10 years)."""

    below_age_years: float = Field(gt=0, le=18)
    dose_per_kg_mg: float = Field(gt=0)
    source: Text


class DrugSpec(_Strict):
    """One drug of a cycle as the protocol prescribes it."""

    drug: DrugName
    dose_per_m2_mg: float | None = Field(default=None, gt=0)
    dose_per_kg_mg: float | None = Field(default=None, gt=0)
    days: tuple[Annotated[int, Field(ge=1, le=366)], ...] = Field(min_length=1)
    route: Literal["IV", "PO", "SC", "IM"]
    infusion: Text | None = None
    #: Cap in mg, per ``cap_per``: ``day`` caps each day's dose, ``course`` caps the sum over the
    #: cycle's days (P6 vincristine: 2 mg per 72-hour course).
    cap_mg: float | None = Field(default=None, gt=0)
    cap_per: Literal["day", "course"] = "day"
    cap_source: Text | None = None
    rounding_mg: float | None = Field(default=None, gt=0)
    young_child: YoungChildRule | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> DrugSpec:
        if (self.dose_per_m2_mg is None) == (self.dose_per_kg_mg is None):
            raise ValueError("give exactly one of dose_per_m2_mg or dose_per_kg_mg")
        if list(self.days) != sorted(set(self.days)):
            raise ValueError(f"days: must be increasing without repeats, got {list(self.days)}")
        if self.cap_mg is not None and self.cap_source is None:
            raise ValueError("cap_source: required with cap_mg (where the cap comes from)")
        return self


class CycleSpec(_Strict):
    number: int = Field(ge=1)
    block: str | None = None
    phase: Text | None = None
    start_day: int | None = Field(default=None, ge=1)
    length_days: int | None = Field(default=None, ge=1)
    drugs: tuple[DrugSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_drugs(self) -> CycleSpec:
        names = [d.drug for d in self.drugs]
        if len(names) != len(set(names)):
            raise ValueError(f"drugs: a drug appears twice in the cycle: {names}")
        return self


class Precheck(_Strict):
    """A test the protocol requires before giving ``drugs`` ("*" = any drug of the cycle)."""

    test: Literal[
        "anc_10e9_l",
        "platelets_10e9_l",
        "gfr_ml_min_173m2",
        "bilirubin_mg_dl",
        "crcl_ml_min",
        "lvef_pct",
        "bilirubin_x_uln",
        "alt_x_uln",
        "cpk_x_uln",
    ]
    min: float | None = None
    max: float | None = None
    drugs: tuple[str, ...] = Field(min_length=1)
    source: Text
    notes: Text | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Precheck:
        # Neither bound: the value must be measured (it feeds a dose-modification table).
        if self.min is not None and self.max is not None:
            raise ValueError("give at most one of min or max")
        return self


class NextCycleWindow(_Strict):
    """When the next cycle may start, relative to its nominal day (the previous cycle's start
    plus the planned interval): earlier than ``earliest_days_before_nominal`` days before it is an
    override; later than ``latest_days_after_nominal`` after it is a warning (a delay)."""

    earliest_days_before_nominal: int = Field(ge=0, le=14)
    latest_days_after_nominal: int = Field(ge=0, le=120)
    source: Text


class DoseTolerance(_Strict):
    pct: float = Field(gt=0, le=25)
    source: Text


class Supportive(_Strict):
    drug: DrugName
    with_drugs: tuple[DrugName, ...] = Field(min_length=1)
    schedule: Text
    source: Text


class AnthracyclineLimit(_Strict):
    """Cumulative doxorubicin-equivalent limit of the protocol (mg/m2)."""

    warn_mg_m2: float = Field(gt=0)
    limit_mg_m2: float = Field(gt=0)
    source: Text

    @model_validator(mode="after")
    def _order(self) -> AnthracyclineLimit:
        if self.warn_mg_m2 > self.limit_mg_m2:
            raise ValueError("warn_mg_m2: must not be above limit_mg_m2")
        return self


class Block(_Strict):
    label: Text
    drugs: tuple[DrugSpec, ...] = Field(min_length=1)


class Variant(_Strict):
    """A published variant that replaces named blocks (same drugs, other doses)."""

    label: Text
    blocks: dict[str, Block] = Field(min_length=1)
    source: Text


class Regimen(_Strict):
    id: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")]
    name: Text
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    #: ``draft`` until a clinician has checked every number against the source.
    status: Literal["draft", "verified"]
    source: Text
    indication: tuple[Annotated[str, Field(pattern=r"^\d{4}/\d$")], ...] = Field(min_length=1)
    cycle_length_days: int = Field(ge=1)
    #: The protocol repeats the last cycle until progression; ``cycles`` lists the nominal course.
    repeat_until_progression: bool = False
    blocks: dict[str, Block] = Field(default_factory=dict)
    cycles: tuple[CycleSpec, ...] = Field(min_length=1)
    prechecks: tuple[Precheck, ...] = ()
    supportive: tuple[Supportive, ...] = ()
    anthracycline_limit: AnthracyclineLimit | None = None
    organ_modifications: tuple[OrganModification, ...] = ()
    toxicity_modifications: tuple[ToxicityModification, ...] = ()
    supportive_care: SupportiveCare
    variants: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")], Variant] = Field(
        default_factory=dict)
    next_cycle_window: NextCycleWindow
    dose_tolerance: DoseTolerance | None = None
    notes: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _expand_blocks(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        blocks = data.get("blocks") or {}
        cycles = data.get("cycles")
        if not isinstance(blocks, dict) or not isinstance(cycles, list):
            return data
        expanded = []
        for i, cycle in enumerate(cycles):
            if isinstance(cycle, dict) and "block" in cycle and "drugs" not in cycle:
                name = cycle["block"]
                if name not in blocks:
                    raise ValueError(
                        f"cycles.{i}.block: unknown block {name!r}; known: {sorted(blocks)}"
                    )
                block = blocks[name]
                cycle = {**cycle, "drugs": block.get("drugs") if isinstance(block, dict) else None}
            expanded.append(cycle)
        return {**data, "cycles": expanded}

    @model_validator(mode="after")
    def _consistent(self) -> Regimen:
        numbers = [c.number for c in self.cycles]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"cycles: must be numbered 1..{len(numbers)} in order, got {numbers}")
        starts = [c.start_day for c in self.cycles if c.start_day is not None]
        if starts != sorted(set(starts)):
            raise ValueError(f"cycles: start_day values must increase, got {starts}")
        if self.cycles[0].start_day not in (None, 1):
            raise ValueError("cycles.0.start_day: cycle 1 starts on day 1 of the course")
        start = 1
        for i, cycle in enumerate(self.cycles):
            length = cycle.length_days or self.cycle_length_days
            last_day = max(d.days[-1] for d in cycle.drugs)
            if last_day > length:
                raise ValueError(f"cycles.{i}.drugs: a drug is given on day {last_day}, after the "
                                 f"cycle's {length} days")
            if cycle.start_day is not None:
                if cycle.start_day < start:
                    raise ValueError(f"cycles.{i}.start_day: {cycle.start_day} overlaps the "
                                     f"previous cycle, which ends on day {start - 1}")
                start = cycle.start_day
            start += length
        drugs = self.drug_names()
        for i, check in enumerate(self.prechecks):
            unknown = [d for d in check.drugs if d != "*" and d not in drugs]
            if unknown:
                raise ValueError(f"prechecks.{i}.drugs: {unknown} not given in any cycle")
        for i, item in enumerate(self.supportive):
            unknown = [d for d in item.with_drugs if d not in drugs]
            if unknown:
                raise ValueError(f"supportive.{i}.with_drugs: {unknown} not given in any cycle")
        named: list[tuple[str, tuple[str, ...]]] = [
            ("organ_modifications", tuple(t.drug for t in self.organ_modifications)),
            ("toxicity_modifications", tuple(t.drug for t in self.toxicity_modifications)),
            ("supportive_care.mesna", tuple(m.with_drug for m in self.supportive_care.mesna))]
        for name, table_drugs in named:
            for i, drug in enumerate(table_drugs):
                if drug not in drugs:
                    raise ValueError(f"{name}.{i}.drug: {drug!r} is not given in any cycle")
        for i, h in enumerate(self.supportive_care.hydration):
            unknown = [d for d in h.with_drugs if d not in drugs]
            if unknown:
                raise ValueError(f"supportive_care.hydration.{i}.with_drugs: {unknown} not given "
                                 "in any cycle")
        if self.supportive_care.dexrazoxane and "doxorubicin" not in drugs:
            raise ValueError("supportive_care.dexrazoxane: the regimen gives no doxorubicin")
        self._check_variants()
        planned = self.planned_anthracycline_mg_m2()
        if planned > 0 and self.anthracycline_limit is None:
            raise ValueError("anthracycline_limit: required, the regimen gives an anthracycline")
        if self.anthracycline_limit and planned > self.anthracycline_limit.limit_mg_m2 + 1e-6:
            raise ValueError(
                f"anthracycline_limit: the cycles plan {planned:g} mg/m2, above the limit "
                f"{self.anthracycline_limit.limit_mg_m2:g} mg/m2"
            )
        return self

    def _check_variants(self) -> None:
        for key, variant in self.variants.items():
            for name, block in variant.blocks.items():
                if name not in self.blocks:
                    raise ValueError(f"variants.{key}.blocks.{name}: no block {name!r} to replace; "
                                     f"known: {sorted(self.blocks)}")
                same = [d.drug for d in self.blocks[name].drugs]
                if [d.drug for d in block.drugs] != same:
                    raise ValueError(f"variants.{key}.blocks.{name}.drugs: must give the same drugs "
                                     f"in the same order as the block ({same})")

    def cycle_drugs(self, cycle: CycleSpec, variant: str | None = None) -> tuple[DrugSpec, ...]:
        """The drugs of ``cycle``, with ``variant``'s replacement block where it has one."""
        if variant is None or cycle.block is None:
            return cycle.drugs
        replaced = self.variants[variant].blocks.get(cycle.block)
        return cycle.drugs if replaced is None else replaced.drugs

    def drug_names(self) -> tuple[str, ...]:
        """Every drug the regimen gives, in order of first appearance."""
        seen: dict[str, None] = {}
        for cycle in self.cycles:
            for d in cycle.drugs:
                seen.setdefault(d.drug, None)
        return tuple(seen)

    def planned_anthracycline_mg_m2(self) -> float:
        """Per-m2 anthracycline summed over the listed cycles (not doxorubicin-equivalents)."""
        return sum(
            (d.dose_per_m2_mg or 0.0) * len(d.days)
            for c in self.cycles
            for d in c.drugs
            if d.drug in ANTHRACYCLINES
        )


_LEADING_LOCATION = re.compile(r"^([a-z_]+(?:\.[A-Za-z0-9_-]+)*): (.+)$", re.S)


class RegimenFileError(InvalidInput):
    """A regimen file that cannot be read or does not satisfy the schema.

    ``field`` names the file and the path inside it (``p6.yaml: cycles.0.drugs.1.days``).
    """

    def __init__(self, filename: str, location: str, reason: str) -> None:
        super().__init__(f"{filename}: {location}" if location else filename, reason)
        self.filename = filename
        self.location = location


def format_validation_error(filename: str, exc: ValidationError) -> RegimenFileError:
    """The first schema error of a file as a RegimenFileError (all errors in its reason)."""
    errors = exc.errors()
    # An invalid item also makes its min_length tuple "too short after validation": noise.
    primary = [e for e in errors if "after validation" not in str(e["msg"])] or errors
    located = [_locate(err) for err in primary]
    reason = located[0][1]
    if len(located) > 1:
        more = "; ".join(f"{loc}: {msg}" if loc else msg for loc, msg in located[1:])
        reason += f" (also {more})"
    return RegimenFileError(filename, located[0][0], reason)


def _locate(err: Any) -> tuple[str, str]:
    """(dotted location, message) of one pydantic error.

    Whole-model checks cannot set a location, so their messages start with it ("cycles.2.drugs:
    ..."); it is moved back into the location here.
    """
    loc = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    match = _LEADING_LOCATION.match(msg)
    if match:
        inner, msg = match.group(1), match.group(2)
        loc = f"{loc}.{inner}" if loc else inner
    return loc, msg
