"""One patient's registry record and the survival times it gives (issue 23).

The record is what every case contributes to the rare-tumour registry: the diagnosis (ICD-O-3
morphology and topography), age, sex, country, stage, molecular finding, treatments with their
dates, surgical margin, Huvos grade, best response and the events that follow (relapse,
metastasis, second cancer, death) up to the last contact.

End points (definitions as in the EURAMOS-1 and Euro-EWING 2008 reports, e.g. Smeland S et al.,
Eur J Cancer 2019;109:36-50, "Survival and prognosis with osteosarcoma: outcomes in more than
2000 patients in the EURAMOS-1 cohort"):

* overall survival (OS): diagnosis to death from any cause; alive patients censored at last contact;
* event-free survival (EFS): diagnosis to the first of local relapse, metastasis (new or
  progressive), second malignancy or death; otherwise censored at last contact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["ENDPOINTS", "EVENT_KINDS", "SITE_GROUPS", "Event", "RegistryRecord", "Treatment", "site_group",
           "survival_time"]

EVENT_KINDS = ("local_relapse", "metastasis", "second_cancer", "death")
TREATMENT_KINDS = ("chemotherapy", "surgery", "radiotherapy", "hipec")
MARGINS = ("R0", "R1", "R2")
RESPONSES = ("CR", "PR", "SD", "PD", "NE")
ENDPOINTS = ("os", "efs")
EventKind = Literal["local_relapse", "metastasis", "second_cancer", "death"]
Endpoint = Literal["os", "efs"]


@dataclass(frozen=True)
class Treatment:
    kind: str
    start: dt.date | None
    end: dt.date | None = None


@dataclass(frozen=True)
class Event:
    kind: str
    date: dt.date | None
    cause: str = ""


@dataclass(frozen=True)
class RegistryRecord:
    key: str
    morphology: str | None
    topography: str | None
    diagnosis_date: dt.date | None
    age_years: float | None
    sex: str | None
    country: str | None
    last_contact: dt.date | None
    stage: str | None = None
    molecular: str | None = None
    margin: str | None = None
    huvos_grade: int | None = None
    best_response: str | None = None
    treatments: tuple[Treatment, ...] = ()
    events: tuple[Event, ...] = ()
    visits: tuple[dt.date, ...] = field(default_factory=tuple)


def survival_time(record: RegistryRecord, endpoint: Endpoint) -> tuple[int, int] | None:
    """(days from diagnosis, 1 if the end point's event happened else 0), or None when the
    record cannot give one (no diagnosis date, or neither an event date nor a last contact).
    Run :func:`rareonco.outcomes.quality.check_record` first: inconsistent records are reported
    there, not guessed at here."""
    if record.diagnosis_date is None:
        return None
    kinds = {"os": {"death"}, "efs": set(EVENT_KINDS)}[endpoint]
    dated = sorted(e.date for e in record.events if e.kind in kinds and e.date is not None)
    if dated:
        return (dated[0] - record.diagnosis_date).days, 1
    if record.last_contact is None:
        return None
    return (record.last_contact - record.diagnosis_date).days, 0


#: ICD-O-3 topography -> the registry's site group (ICD-O-3, 3rd edition, topography chapter
#: C40-C41 bones, C48 retroperitoneum and peritoneum, C49 connective and soft tissue)
SITE_GROUPS = ("limb", "pelvis", "axial", "head_neck", "trunk", "retroperitoneum", "peritoneum",
               "other")
_SITE_PREFIXES = (
    ("C41.4", "pelvis"), ("C49.5", "pelvis"), ("C40", "limb"), ("C49.1", "limb"), ("C49.2", "limb"),
    ("C41.2", "axial"), ("C41.3", "axial"), ("C41.0", "head_neck"), ("C41.1", "head_neck"),
    ("C49.0", "head_neck"), ("C49.3", "trunk"), ("C49.4", "trunk"), ("C49.6", "trunk"),
    ("C48.0", "retroperitoneum"), ("C48.1", "peritoneum"), ("C48.2", "peritoneum"),
)


def site_group(topography: str) -> str:
    """``C41.4`` (pelvic bones, sacrum, coccyx) -> ``pelvis``; ``C40.2`` (long bones of the lower
    limb) -> ``limb``; anything not listed -> ``other``."""
    code = topography.strip().upper()
    return next((group for prefix, group in _SITE_PREFIXES if code.startswith(prefix)), "other")
