"""Patients: register, read (identified or de-identified), update with a version, search."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rareonco.errors import Conflict, InvalidInput, NotFound
from rareonco.i18n import N_, vocab
from rareonco.identity import Person
from rareonco.records.cases.pathway import parse_status
from rareonco.records.patients import matching
from rareonco.records.patients import search as patient_search
from rareonco.records.patients.schemas import (
    DeidentifiedPatientOut,
    PatientIn,
    PatientOut,
    PatientUpdate,
)
from rareonco.records.patients.search import PatientRow
from rareonco.records.schemas import iso
from rareonco.records.versions import require_version
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, can, require
from rareonco.store.tables.cases import Case
from rareonco.store.tables.patients import Patient, PatientNameToken


def name_search_key(*parts: str | None) -> str:
    """Lower-case, single-spaced concatenation of every name form, for search in either script."""
    return " ".join(" ".join(p.split()) for p in parts if p).casefold()


def name_tokens(search_key: str) -> list[str]:
    """The distinct words of a search key (hyphenated names also give their parts), and the
    transliteration keys of each word (`search.name_keys`: ``~`` and its phonetic skeleton), so
    that Yusupova, Iusupova and Юсупова meet under one key."""
    words = set(search_key.split())
    words |= {part for w in list(words) if "-" in w for part in w.split("-") if part}
    keys = {k for w in words for k in patient_search.name_keys(w)}
    return sorted({w[:120] for w in words} | keys)


def sort_key(family_name_latin: str, given_names_latin: str, patient_id: int) -> str:
    """The list order of patients (Latin family name, given names, id) as one string."""
    return f"{family_name_latin}\x1f{given_names_latin}\x1f{patient_id:010d}"


def _set_tokens(session: Session, patient: Patient) -> None:
    key = sort_key(patient.family_name_latin, patient.given_names_latin, patient.id)
    session.execute(delete(PatientNameToken).where(PatientNameToken.patient_id == patient.id))
    session.execute(insert(PatientNameToken), [
        {"patient_id": patient.id, "token": t, "sort_key": key}
        for t in name_tokens(patient.name_search)])


def _duplicate_check(session: Session, data: dict[str, Any], exclude_id: int | None) -> None:
    checks = []
    if data.get("mrn"):
        checks.append(("mrn", Patient.mrn == data["mrn"]))
    if data.get("national_id"):
        checks.append(("national_id", (Patient.national_id == data["national_id"])
                       & (Patient.citizenship == data["citizenship"])))
    if data.get("passport_number"):
        checks.append(("passport_number", (Patient.passport_number == data["passport_number"])
                       & (Patient.passport_country == data["passport_country"])))
    for field, cond in checks:
        q = select(Patient.id).where(cond)
        if exclude_id is not None:
            q = q.where(Patient.id != exclude_id)
        other = session.scalar(q)
        if other is not None:
            raise Conflict(f"a patient with this {field} is already on file (patient {other})",
                           field=field, existing_patient_id=other)


def person_of_input(data: PatientIn) -> Person:
    """The person being registered, as the identity matcher sees them."""
    return Person(
        family=data.family_name_latin or None, given=data.given_names_latin or None,
        family_native=data.family_name, given_native=data.given_names,
        birth_date=data.birth_date, sex=data.sex,  # type: ignore[arg-type]  # a Sex value by the schema
        passport=data.passport_number, passport_country=data.passport_country,
        national_id=data.national_id, national_id_country=data.citizenship,
        country=data.citizenship)


def _check_identity(session: Session, actor: Actor, data: PatientIn) -> list[int]:
    """Refuse a registration the matcher finds may be a person on file (409 with the
    candidates), unless it is confirmed as a new person with a reason; the ids of the
    candidates so overruled."""
    decision, candidates = matching.find(session, person_of_input(data))
    if decision == "new":
        return []
    if not data.confirm_new:
        raise matching.identity_conflict(decision, candidates)
    if not data.confirm_reason.strip():
        raise InvalidInput("confirm_reason", N_("say why this is a new person and not the "
                                                "patient on file"))
    return [c.id for c in candidates]


def create(session: Session, actor: Actor, data: PatientIn,
           identity_check: bool = True) -> Patient:
    """Register a patient. With `identity_check` (every registration by a user), a person the
    matcher finds may already be on file is refused (`matching.identity_conflict`) unless
    ``confirm_new`` with a reason, which is audited with the candidates overruled; callers
    that ran the matcher themselves (the desk) pass False."""
    require(actor.role, Permission.PATIENT_WRITE)
    overruled = _check_identity(session, actor, data) if identity_check else []
    values = data.model_dump(exclude={"confirm_new", "confirm_reason"})
    _duplicate_check(session, values, None)
    values["family_name_latin"] = values["family_name_latin"] or vocab.transliterate(
        values["family_name"])
    values["given_names_latin"] = values["given_names_latin"] or vocab.transliterate(
        values["given_names"])
    values["mrn"] = values["mrn"] or _new_mrn(session)
    values["name_search"] = name_search_key(values["family_name"], values["given_names"],
                                            values["family_name_latin"],
                                            values["given_names_latin"])
    patient = Patient(pseudonym="P-" + secrets.token_hex(5).upper(), **values)
    session.add(patient)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("a patient with the same identifier is already on file") from exc
    _set_tokens(session, patient)
    audit.record(session, actor, "create", f"patient/{patient.id}")
    if overruled:
        audit.record(session, actor, "confirm_new_person", f"patient/{patient.id}",
                     "candidates=" + ",".join(map(str, overruled))
                     + f";reason={data.confirm_reason.strip()[:500]}")
    return patient


def _new_mrn(session: Session) -> str:
    while True:
        mrn = "RO-" + secrets.token_hex(4).upper()
        if session.scalar(select(Patient.id).where(Patient.mrn == mrn)) is None:
            return mrn


def get(session: Session, actor: Actor, patient_id: int) -> Patient:
    _require_read(actor)
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"patient {patient_id} not found")
    audit.record(session, actor, "read", f"patient/{patient_id}")
    return patient


def update(session: Session, actor: Actor, patient_id: int, data: PatientUpdate) -> Patient:
    require(actor.role, Permission.PATIENT_WRITE)
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"patient {patient_id} not found")
    require_version(f"patient {patient_id}", patient.version, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    merged = {c: getattr(patient, c) for c in ("mrn", "national_id", "citizenship",
                                                "passport_number", "passport_country")}
    merged.update({k: v for k, v in changes.items() if k in merged})
    _duplicate_check(session, merged, patient_id)
    for key, value in changes.items():
        if value is None and key in ("family_name", "given_names", "sex", "birth_date",
                                     "citizenship", "residence_country", "preferred_language"):
            raise InvalidInput(key, "is required and cannot be cleared")
        setattr(patient, key, value)
    patient.name_search = name_search_key(patient.family_name, patient.given_names,
                                          patient.family_name_latin, patient.given_names_latin)
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"patient {patient_id} was changed concurrently; reload") from exc
    _set_tokens(session, patient)
    audit.record(session, actor, "update", f"patient/{patient_id}", ",".join(sorted(changes)))
    return patient


COUNT_LIMIT = patient_search.COUNT_LIMIT


@dataclass(frozen=True)
class SearchFilters:
    q: str | None = None
    country: str | None = None
    icdo: str | None = None
    status: str | None = None


def search(session: Session, actor: Actor, filters: SearchFilters, page: int = 1,
           per_page: int = 25) -> tuple[list[PatientRow], int]:
    """One page of patients matching `filters`, in list order (Latin family name, given
    names), and how many match (counted up to COUNT_LIMIT + 1). The rows carry the
    patient's columns and `cases`, enough for `view`; see `records.patients.search`."""
    _require_read(actor)
    if page < 1:
        raise InvalidInput("page", "must be 1 or more")
    if not 1 <= per_page <= 200:
        raise InvalidInput("per_page", "must be between 1 and 200")
    if filters.q and not can(actor.role, Permission.PATIENT_READ):
        raise InvalidInput("q", "name search is not available in de-identified views")
    conn = session.connection()
    offset = (page - 1) * per_page
    country = vocab.country(filters.country, "country") if filters.country else None
    if filters.q and not (country or filters.icdo or filters.status):
        ids, total = patient_search.page_by_name(conn, filters.q, offset, per_page)
    elif country and not (filters.q or filters.icdo or filters.status):
        ids, total = patient_search.page_by_country(conn, country, offset, per_page)
    else:
        ids, total = patient_search.page_by_filters(conn, _conditions(filters, country),
                                                    offset, per_page)
    rows = patient_search.load_patients(conn, ids)
    audit.record(session, actor, "search", "patients",
                 f"q={filters.q or ''};country={filters.country or ''};icdo={filters.icdo or ''};"
                 f"status={filters.status or ''};page={page};results={len(rows)}")
    return rows, total


def _conditions(filters: SearchFilters, country: str | None) -> list[Any]:
    conds: list[Any] = []
    if filters.q:
        conds.append(patient_search.name_condition(filters.q))
    if country:
        conds.append(or_(Patient.citizenship == country, Patient.residence_country == country))
    if filters.icdo or filters.status:
        sub = select(Case.patient_id)
        if filters.icdo:
            code = filters.icdo.strip()
            sub = sub.where(or_(Case.morphology_code == code, Case.topography_code == code))
        if filters.status:
            sub = sub.where(Case.status == parse_status(filters.status, "status").value)
        conds.append(Patient.id.in_(sub))
    return conds


def _require_read(actor: Actor) -> None:
    if not (can(actor.role, Permission.PATIENT_READ)
            or can(actor.role, Permission.PATIENT_READ_DEIDENTIFIED)):
        require(actor.role, Permission.PATIENT_READ)


def search_page(session: Session, actor: Actor, filters: SearchFilters, page: int = 1,
                per_page: int = 25) -> dict[str, Any]:
    """One page of `search` as the API answers it: a plain dict shaped as `PatientPageOut`
    (items as `view` gives them; ``total`` capped at COUNT_LIMIT, ``total_exceeds_limit`` set
    beyond). Plain values, not models: the search runs on most requests and is serialised
    directly by pydantic-core (`web.json_responses`)."""
    rows, total = search(session, actor, filters, page, per_page)
    return {"items": [view(p, actor) for p in rows], "total": min(total, COUNT_LIMIT),
            "total_exceeds_limit": total > COUNT_LIMIT, "page": page, "per_page": per_page}


def view(patient: Patient | PatientRow, actor: Actor) -> dict[str, Any]:
    """The patient as the actor's role may see it: a plain dict shaped as `PatientOut`
    (identified) or `DeidentifiedPatientOut` (de-identified), the JSON of the API."""
    cases = [{"id": c.id, "status": c.status, "morphology_code": c.morphology_code,
              "topography_code": c.topography_code} for c in patient.cases]
    if not can(actor.role, Permission.PATIENT_READ):
        return {"id": patient.id, "pseudonym": patient.pseudonym, "sex": patient.sex,
                "birth_year": patient.birth_date.year, "citizenship": patient.citizenship,
                "residence_country": patient.residence_country, "cases": cases,
                "deidentified": True}
    return {
        "id": patient.id, "version": patient.version, "mrn": patient.mrn,
        "family_name": patient.family_name, "given_names": patient.given_names,
        "family_name_latin": patient.family_name_latin,
        "given_names_latin": patient.given_names_latin, "sex": patient.sex,
        "birth_date": iso(patient.birth_date), "citizenship": patient.citizenship,
        "residence_country": patient.residence_country,
        "preferred_language": patient.preferred_language,
        "other_languages": patient.other_languages or [],
        "interpreter_needed": patient.interpreter_needed, "national_id": patient.national_id,
        "passport_number": patient.passport_number, "passport_country": patient.passport_country,
        "phone": patient.phone, "email": patient.email, "address": patient.address,
        "cases": cases,
    }


_PATIENT_OUT: TypeAdapter[PatientOut | DeidentifiedPatientOut] = TypeAdapter(
    PatientOut | DeidentifiedPatientOut)


def patient_out(patient: Patient | PatientRow, actor: Actor) -> PatientOut | DeidentifiedPatientOut:
    """`view` as a typed value (for the patient page)."""
    return _PATIENT_OUT.validate_python(view(patient, actor))
