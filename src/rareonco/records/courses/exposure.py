"""Cumulative anthracycline exposure of a patient from every source the platform knows (issue 17).

Sources, each drug resolved through the vocabulary (:func:`rareonco.clinical.drugs.resolve_drug`,
so "Doxorubicin", "Adriamycin" and "доксорубицин" are one concept):

- doses **administered** here: ``given_mg`` over the cycle's BSA, every course of every case of
  the patient. Prescribed or verified doses of other cycles are not counted (not given yet); the
  cycle under check adds its own proposed doses in the gate;
- treatment abroad: the courses' ``external_anthracyclines`` (mg/m2). The same entry is often
  copied onto each new course of the patient, so identical entries (drug, mg/m2) count once;
- ``chemotherapy_cycle`` timeline events with doses (``payload.doses``: [{"drug", "dose_mg_m2"}]
  or "mg_m2") that are not the event of a course cycle (those are counted from the cycle).

The result is a list of (drug id, mg/m2) per drug, as :class:`rareonco.regimens.gate.PriorIn`
takes it; the equivalence and the limit are the gate's (IGHG / Feijen 2019).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.clinical.anthracyclines import IGHG_EQUIVALENCE
from rareonco.clinical.drugs import resolve_drug
from rareonco.errors import InvalidInput
from rareonco.store.tables.cases import Case, TimelineEvent
from rareonco.store.tables.courses import Course, CourseCycle, CycleDose

__all__ = ["anthracycline_sources", "doxorubicin_equivalent_mg_m2", "patient_case_ids"]


def patient_case_ids(session: Session, case_id: int) -> list[int]:
    """Every case of the patient whose case ``case_id`` is."""
    patient = select(Case.patient_id).where(Case.id == case_id).scalar_subquery()
    return list(session.scalars(select(Case.id).where(Case.patient_id == patient)))


def anthracycline_sources(session: Session, case_id: int, before: date | None = None,
                          exclude_cycle_id: int | None = None,
                          strict: bool = True) -> list[tuple[str, float]]:
    """(drug id, mg/m2) per anthracycline the patient of ``case_id`` has received (every source
    above), optionally only what started before ``before``.

    ``strict``: a timeline dose naming no known drug raises InvalidInput naming it (a cycle is
    never checked against an incomplete total); not strict (a page showing the total), it is
    left out."""
    case_ids = patient_case_ids(session, case_id)
    totals: dict[str, float] = defaultdict(float)
    given = (select(CycleDose.drug, CycleDose.given_mg, CourseCycle.bsa_m2)
             .join(CourseCycle, CycleDose.cycle_id == CourseCycle.id)
             .join(Course, CourseCycle.course_id == Course.id)
             .where(Course.case_id.in_(case_ids), CycleDose.given_mg.is_not(None)))
    if before is not None:
        given = given.where(CourseCycle.start_date < before)
    if exclude_cycle_id is not None:
        given = given.where(CourseCycle.id != exclude_cycle_id)
    for drug, mg, bsa in session.execute(given):
        drug_id = resolve_drug(drug, "doses.drug").id
        if drug_id in IGHG_EQUIVALENCE and mg:
            totals[drug_id] += mg / bsa
    external: set[tuple[str, float]] = set()
    for entries in session.scalars(select(Course.external_anthracyclines)
                                   .where(Course.case_id.in_(case_ids))):
        for i, entry in enumerate(entries or []):
            drug_id = resolve_drug(entry["drug"], f"external_anthracyclines.{i}.drug").id
            external.add((drug_id, float(entry["dose_mg_m2"])))
    for drug_id, mg_m2 in external:
        totals[drug_id] += mg_m2
    for drug_id, mg_m2 in _timeline_doses(session, case_ids, before, strict):
        totals[drug_id] += mg_m2
    return sorted(totals.items())


def _timeline_doses(session: Session, case_ids: list[int], before: date | None,
                    strict: bool) -> list[tuple[str, float]]:
    linked = select(CourseCycle.timeline_event_id).where(
        CourseCycle.timeline_event_id.is_not(None))
    query = select(TimelineEvent).where(
        TimelineEvent.case_id.in_(case_ids), TimelineEvent.kind == "chemotherapy_cycle",
        TimelineEvent.id.not_in(linked))
    if before is not None:
        query = query.where(TimelineEvent.event_date < before)
    out = []
    for event in session.scalars(query):
        for i, dose in enumerate((event.payload or {}).get("doses") or []):
            try:
                out.extend(_timeline_dose(event.id, i, dose))
            except InvalidInput:
                if strict:
                    raise
    return out


def _timeline_dose(event_id: int, i: int, dose: Any) -> list[tuple[str, float]]:
    field = f"timeline/{event_id}.doses.{i}"
    if not isinstance(dose, dict):
        raise InvalidInput(field, "a dose is {'drug', 'dose_mg_m2'}")
    drug_id = resolve_drug(dose.get("drug"), f"{field}.drug").id
    mg_m2 = dose.get("dose_mg_m2", dose.get("mg_m2"))
    if drug_id not in IGHG_EQUIVALENCE:
        return []
    if not isinstance(mg_m2, int | float) or mg_m2 < 0:
        raise InvalidInput(f"{field}.dose_mg_m2", f"must be a dose in mg/m2, got {mg_m2!r}")
    return [(drug_id, float(mg_m2))]


def doxorubicin_equivalent_mg_m2(sources: list[tuple[str, float]]) -> float:
    """The doxorubicin-equivalent total of :func:`anthracycline_sources` (IGHG factors)."""
    return sum(IGHG_EQUIVALENCE[drug] * mg_m2 for drug, mg_m2 in sources)
