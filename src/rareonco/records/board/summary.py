"""The automatic case summary put before the board: what the case holds, read at the time.

The summary is built from the case itself (diagnosis with codes, molecular findings) and from
its timeline, which every feature writes to (chemotherapy cycles, surgery, HIPEC, response
assessments, imaging, resection plans). A feature with richer tables of its own can add a
section with `register_source(name, fn)`; a source that fails is reported, never fatal, so the
board can always see the summary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from rareonco.clinical.codes import lookup_morphology, lookup_topography
from rareonco.errors import InvalidInput
from rareonco.records.board.schemas import (
    CaseSummary,
    SummaryEvent,
    SummaryResponse,
    SummaryTreatment,
)
from rareonco.store.tables.cases import Case, TimelineEvent

log = logging.getLogger("rareonco.board")

SummarySource = Callable[[Session, Case], dict[str, Any] | list[Any] | None]
_SOURCES: dict[str, SummarySource] = {}

TREATMENT_KINDS = ("surgery", "hipec", "radiotherapy", "board_decision")
LATEST_IMAGING = 3


def register_source(name: str, fn: SummarySource) -> None:
    """Add a section `name` to every summary, computed by `fn(session, case)`."""
    _SOURCES[name] = fn


def _label(lookup: Callable[[str], Any], code: str | None) -> tuple[str | None, str | None]:
    if not code:
        return None, None
    try:
        entry = lookup(code)
    except InvalidInput:
        return None, None
    return entry.label_en, entry.label_ru


def _ev(e: TimelineEvent) -> SummaryEvent:
    return {"date": e.event_date.isoformat(), "kind": e.kind, "summary": e.summary}


def _chemotherapy(events: list[TimelineEvent]) -> list[SummaryTreatment]:
    """Cycles grouped into lines by regimen and phase, in the order they were given."""
    lines: list[SummaryTreatment] = []
    for e in events:
        regimen = str(e.payload.get("regimen") or "chemotherapy")
        phase = str(e.payload.get("phase") or "")
        last = lines[-1] if lines else None
        if last and last["regimen"] == regimen and last["phase"] == phase:
            last["cycles"] += 1
            last["date_to"] = e.event_date.isoformat()
            continue
        lines.append({"kind": "chemotherapy", "regimen": regimen, "phase": phase, "cycles": 1,
                      "date": e.event_date.isoformat(), "date_to": e.event_date.isoformat(),
                      "summary": ""})
    for line in lines:
        phase = f" ({line['phase']})" if line["phase"] else ""
        line["summary"] = f"{line['regimen']}{phase} × {line['cycles']}"
    return lines


def _treatment(e: TimelineEvent) -> SummaryTreatment:
    return {"date": e.event_date.isoformat(), "kind": e.kind, "summary": e.summary}


def _response(e: TimelineEvent) -> SummaryResponse:
    return {"date": e.event_date.isoformat(), "kind": e.kind, "summary": e.summary,
            "recist": e.payload.get("recist") or e.payload.get("category")}


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def build(session: Session, case: Case, question: str = "", as_of: date | None = None,
          ) -> CaseSummary:
    """The summary as JSON-ready data (it is stored with the agenda item and the decision);
    `as_of` leaves out later events (a past meeting sees what was known then)."""
    today = as_of or date.today()
    p = case.patient
    events = sorted((e for e in case.events if as_of is None or e.event_date <= as_of),
                    key=lambda e: (e.event_date, e.id))
    by_kind: dict[str, list[TimelineEvent]] = {}
    for e in events:
        by_kind.setdefault(e.kind, []).append(e)
    morph_en, morph_ru = _label(lookup_morphology, case.morphology_code)
    topo_en, topo_ru = _label(lookup_topography, case.topography_code)
    treatment = _chemotherapy(by_kind.get("chemotherapy_cycle", []))
    treatment += [_treatment(e) for k in TREATMENT_KINDS for e in by_kind.get(k, [])]
    treatment.sort(key=lambda t: t["date"])
    responses = by_kind.get("response_assessment", [])
    latest = responses[-1] if responses else None
    summary: CaseSummary = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "case_id": case.id,
        "status": case.status,
        "patient": {
            "name": f"{p.family_name_latin}, {p.given_names_latin}",
            "name_original": f"{p.family_name} {p.given_names}", "mrn": p.mrn,
            "birth_date": p.birth_date.isoformat(), "age_years": _age(p.birth_date, today),
            "sex": p.sex, "citizenship": p.citizenship,
        },
        "diagnosis": {
            "morphology_code": case.morphology_code, "morphology_en": morph_en,
            "morphology_ru": morph_ru, "topography_code": case.topography_code,
            "topography_en": topo_en, "topography_ru": topo_ru, "laterality": case.laterality,
            "site_detail": case.site_detail, "grade": case.grade, "stage": case.stage,
            "diagnosis_date": case.diagnosis_date.isoformat() if case.diagnosis_date else None,
        },
        "molecular": [{"finding": m.finding, "gene": m.gene, "method": m.method,
                       "date": m.finding_date.isoformat() if m.finding_date else None}
                      for m in case.molecular_findings],
        "pathology": [_ev(e) for e in by_kind.get("pathology", [])[-2:]],
        "treatment": treatment,
        "response": None if latest is None else _response(latest),
        "imaging": [_ev(e) for e in by_kind.get("imaging", [])[-LATEST_IMAGING:]],
        "planning": [_ev(e) for e in by_kind.get("resection_plan", [])[-2:]],
        "open_questions": [line.strip() for line in question.splitlines() if line.strip()],
        "extra": {},
    }
    for name, fn in _SOURCES.items():
        try:
            with session.begin_nested():
                section = fn(session, case)
        except Exception as exc:  # a feature's bug must not hide the summary
            log.warning("summary source %s failed on case %s: %s", name, case.id, exc)
            summary["extra"][name] = {"unavailable": str(exc)[:200]}
            continue
        if section:
            summary["extra"][name] = section
    return summary
