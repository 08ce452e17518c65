"""Data-quality rules for registry records, reported as REDCap's data-quality module reports them
(missing values, values out of range, inconsistencies between fields; Harris PA et al., J Biomed
Inform 2009;42:377-381 - REDCap; rule kinds as in REDCap's "Data Quality" rules A-H).

Each rule names the field and says why, in English and Russian. Rules never change a record: the
report lists what exists so that the people who entered it can correct it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from .registry_record import EVENT_KINDS, MARGINS, RESPONSES, TREATMENT_KINDS, RegistryRecord

__all__ = ["QualityIssue", "check_record", "quality_report"]

Kind = Literal["missing", "out_of_range", "inconsistent"]
#: reports one issue: (field, kind, message in English, message in Russian)
Add = Callable[[str, Kind, str, str], None]
#: morphologies graded by Huvos necrosis (osteosarcoma 9180-9187, 9192-9194; Ewing 9260/9364):
#: Huvos AG, Rosen G, Marcove RC, Arch Pathol Lab Med 1977;101:14-18
HUVOS_MORPHOLOGY_PREFIXES = ("918", "9192", "9193", "9194", "9260", "9364")
REQUIRED = ("morphology", "topography", "diagnosis_date", "age_years", "sex", "last_contact")
_FIELD_RU = {"morphology": "морфология", "topography": "топография",
             "diagnosis_date": "дата диагноза", "age_years": "возраст", "sex": "пол",
             "last_contact": "последний контакт"}


@dataclass(frozen=True)
class QualityIssue:
    key: str
    field: str
    kind: Kind
    message_en: str
    message_ru: str


def _d(value: dt.date) -> str:
    return value.isoformat()


def check_record(r: RegistryRecord, as_of: dt.date) -> list[QualityIssue]:
    """Every problem with one record, as of the date the report is run."""
    out: list[QualityIssue] = []

    def add(field: str, kind: Kind, en: str, ru: str) -> None:
        out.append(QualityIssue(r.key, field, kind, en, ru))

    for name in REQUIRED:
        if getattr(r, name) in (None, ""):
            add(name, "missing", f"{name.replace('_', ' ')} is missing",
                f"не указано: {_FIELD_RU[name]}")
    if r.age_years is not None and not 0 <= r.age_years <= 120:
        add("age_years", "out_of_range", f"age {r.age_years} is outside 0-120",
            f"возраст {r.age_years} вне 0-120")
    if r.huvos_grade is not None and r.huvos_grade not in (1, 2, 3, 4):
        add("huvos_grade", "out_of_range", f"Huvos grade {r.huvos_grade} is not I-IV",
            f"степень по Huvos {r.huvos_grade} не I-IV")
    if r.margin is not None and r.margin not in MARGINS:
        add("margin", "out_of_range", f"margin {r.margin!r} is not R0, R1 or R2",
            f"край резекции {r.margin!r} не R0, R1 или R2")
    if r.best_response is not None and r.best_response not in RESPONSES:
        add("best_response", "out_of_range", f"response {r.best_response!r} is not a RECIST category",
            f"ответ {r.best_response!r} не категория RECIST")
    _dates(r, as_of, add)
    _clinical(r, add)
    return out


def _dates(r: RegistryRecord, as_of: dt.date, add: Add) -> None:
    dx = r.diagnosis_date
    dated: list[tuple[str, dt.date]] = []
    for i, t in enumerate(r.treatments):
        if t.kind not in TREATMENT_KINDS:
            add(f"treatments.{i}.kind", "out_of_range", f"unknown treatment {t.kind!r}",
                f"неизвестное лечение {t.kind!r}")
        if t.start is None:
            add(f"treatments.{i}.start", "missing", f"{t.kind} has no start date",
                f"{t.kind}: нет даты начала")
            continue
        dated.append((f"treatments.{i}.start", t.start))
        if t.end is not None:
            dated.append((f"treatments.{i}.end", t.end))
            if t.end < t.start:
                add(f"treatments.{i}.end", "inconsistent",
                    f"{t.kind} ends ({_d(t.end)}) before it starts ({_d(t.start)})",
                    f"{t.kind}: окончание ({_d(t.end)}) раньше начала ({_d(t.start)})")
    for i, e in enumerate(r.events):
        if e.kind not in EVENT_KINDS:
            add(f"events.{i}.kind", "out_of_range", f"unknown event {e.kind!r}",
                f"неизвестное событие {e.kind!r}")
        if e.date is None:
            add(f"events.{i}.date", "missing", f"{e.kind.replace('_', ' ')} has no date",
                f"событие {e.kind} без даты")
        else:
            dated.append((f"events.{i}.date", e.date))
    dated += [(f"visits.{i}", v) for i, v in enumerate(r.visits)]
    if r.last_contact is not None:
        dated.append(("last_contact", r.last_contact))
    for field, value in dated:
        if value > as_of:
            add(field, "out_of_range", f"{_d(value)} is in the future", f"{_d(value)} в будущем")
        if dx is not None and value < dx and not field.startswith("treatments"):
            add(field, "inconsistent", f"{_d(value)} is before the diagnosis ({_d(dx)})",
                f"{_d(value)} раньше диагноза ({_d(dx)})")
    deaths = [e.date for e in r.events if e.kind == "death" and e.date is not None]
    if len([e for e in r.events if e.kind == "death"]) > 1:
        add("events", "inconsistent", "more than one death recorded", "записано более одной смерти")
    if deaths:
        death = min(deaths)
        for field, value in dated:
            if value > death and not field.startswith("events"):
                add(field, "inconsistent", f"{_d(value)} is after the death ({_d(death)})",
                    f"{_d(value)} позже даты смерти ({_d(death)})")
            elif value > death and field.startswith("events"):
                add(field, "inconsistent", f"an event on {_d(value)} after the death ({_d(death)})",
                    f"событие {_d(value)} после смерти ({_d(death)})")
    ends = [t.end for t in r.treatments if t.end is not None]
    if ends:
        last_end = max(ends)
        for i, v in enumerate(r.visits):
            if v < last_end:
                add(f"visits.{i}", "inconsistent",
                    f"follow-up visit {_d(v)} is before treatment ended ({_d(last_end)})",
                    f"контрольный визит {_d(v)} раньше окончания лечения ({_d(last_end)})")


def _clinical(r: RegistryRecord, add: Add) -> None:
    if r.huvos_grade is not None and r.morphology and not r.morphology.startswith(
            HUVOS_MORPHOLOGY_PREFIXES):
        add("huvos_grade", "inconsistent",
            f"Huvos grading is for osteosarcoma and Ewing sarcoma, not {r.morphology}",
            f"степень по Huvos применяется к остеосаркоме и саркоме Юинга, не к {r.morphology}")
    if r.margin is not None and not any(t.kind == "surgery" for t in r.treatments):
        add("margin", "inconsistent", "a margin is recorded without a surgery",
            "край резекции указан без операции")


def quality_report(records: Iterable[RegistryRecord], as_of: dt.date
                   ) -> tuple[list[QualityIssue], dict[str, int]]:
    """Every issue of every record, and the count per (field, kind) as ``"field:kind"``."""
    issues = [i for r in records for i in check_record(r, as_of)]
    counts = Counter(f"{i.field.split('.')[0]}:{i.kind}" for i in issues)
    return issues, dict(sorted(counts.items()))
