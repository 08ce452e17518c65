"""Who among the patients on file may be this person: candidate retrieval on the indexes, then
the master-patient-index scoring of `rareonco.identity` (``link``, ``review`` or ``new``).

Retrieval (blocking) reads a few index ranges, never the whole registry: the same birth date
(or the same date with day and month transposed), a transliteration key of the family name
(`search.name_keys`: Каримов and Karimov share ``~karimov``), the same passport or national ID.
Each block is capped at `BLOCK_LIMIT` patients; the matcher then scores every pair on names in
both scripts, birth date, sex, documents and country, and never links on one identifier alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rareonco.errors import Conflict
from rareonco.identity import Match, Outcome, Person, document_number, match_person
from rareonco.records.patients.schemas import CandidateOut
from rareonco.records.patients.search import name_keys
from rareonco.store.tables.patients import Patient, PatientNameToken

#: Patients read per block (birth date, each family-name key, each document).
BLOCK_LIMIT = 200
#: The fields a side-by-side view shows, in order (`CandidateOut.fields`).
FIELDS = ("family", "given", "birth_date", "sex", "passport", "national_id", "country")


def person_of(patient: Patient) -> Person:
    """A patient on file as the matcher sees them (both scripts of each name)."""
    return Person(
        family=patient.family_name_latin, given=patient.given_names_latin,
        family_native=patient.family_name, given_native=patient.given_names,
        birth_date=patient.birth_date, sex=patient.sex,  # type: ignore[arg-type]  # a Sex value by the schema
        passport=patient.passport_number, passport_country=patient.passport_country,
        national_id=patient.national_id, national_id_country=patient.citizenship,
        country=patient.citizenship)


def _transposed(day: date) -> date | None:
    try:
        swapped = date(day.year, day.day, day.month)
    except ValueError:
        return None
    return swapped if swapped != day else None


def candidate_ids(session: Session, person: Person) -> set[int]:
    """Patients sharing a block with `person` (see the module docstring)."""
    found: set[int] = set()
    if person.birth_date is not None:
        days = [d for d in (person.birth_date, _transposed(person.birth_date)) if d]
        found |= set(session.scalars(select(Patient.id).where(Patient.birth_date.in_(days))
                                     .limit(BLOCK_LIMIT)))
    keys = {k for name in (person.family, person.family_native) if name
            for word in name.split() for k in name_keys(word)}
    for key in sorted(keys):
        found |= set(session.scalars(select(PatientNameToken.patient_id)
                                     .where(PatientNameToken.token == key).limit(BLOCK_LIMIT)))
    for column, value in ((Patient.passport_number, person.passport),
                          (Patient.national_id, person.national_id)):
        if value and (norm := document_number(value)):
            found |= set(session.scalars(select(Patient.id).where(
                or_(column == value, column == norm)).limit(BLOCK_LIMIT)))
    return found


def _field_states(match: Match) -> dict[str, str]:
    """field -> "agree" or "conflict" for the fields the pair shares (side-by-side view)."""
    states: dict[str, str] = {}
    for code, state in [*((c, "agree") for c in match.agreements),
                        *((c, "conflict") for c in match.conflicts)]:
        field, _, level = code.partition(":")
        if field == "names":  # family and given names crossed over
            states["family"] = states["given"] = "conflict"
        elif level == "similar":
            states[field] = "similar"
        else:
            states[field] = state
    return states


def find(session: Session, person: Person,
         exclude: Iterable[int] = ()) -> tuple[Outcome, list[CandidateOut]]:
    """The decision for `person` against the patients on file, and the candidates worth
    showing (best first), each with what agrees and what conflicts."""
    ids = candidate_ids(session, person) - set(exclude)
    if not ids:
        return "new", []
    on_file = {p.id: p for p in session.scalars(select(Patient).where(Patient.id.in_(ids)))}
    result = match_person(person, ((pid, person_of(p)) for pid, p in on_file.items()))
    shown = [m for m in result.matches if m.outcome != "new"]
    out = []
    for m in shown:
        p = on_file[int(m.id)]  # type: ignore[call-overload]  # ids are the int keys given above
        out.append(CandidateOut(
            id=p.id, mrn=p.mrn, family_name=p.family_name, given_names=p.given_names,
            family_name_latin=p.family_name_latin, given_names_latin=p.given_names_latin,
            birth_date=p.birth_date, sex=p.sex, citizenship=p.citizenship,
            passport_number=p.passport_number, national_id=p.national_id,
            score=m.score, outcome=m.outcome, agreements=list(m.agreements),
            conflicts=list(m.conflicts), fields=_field_states(m)))
    return result.decision, out


def identity_conflict(decision: Outcome, candidates: list[CandidateOut]) -> Conflict:
    """The refusal of a registration that may be a person already on file (HTTP 409 with the
    candidates; confirm a new person with ``confirm_new`` and a reason)."""
    return Conflict(
        "this person may already be on file: open the existing record, or confirm a new "
        "person with a reason (confirm_new, confirm_reason)",
        field="identity", decision=decision,
        candidates=[c.model_dump(mode="json") for c in candidates])
