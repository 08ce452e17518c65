"""Patient search paths (merged index runs, sorted fallback, country top-k, filters) against a
brute-force oracle, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from rareonco.records.patients import search as patient_search
from rareonco.records.patients import service as patients
from rareonco.records.patients.schemas import PatientIn
from rareonco.records.patients.service import (
    SearchFilters,
    name_search_key,
    name_tokens,
)
from rareonco.security.audit import Actor
from rareonco.store.db import Database

CLINICIAN = Actor(None, "tester", "clinician", "test")
FAMILIES = [("Иванов", "Ivanov"), ("Иванова", "Ivanova"), ("Иваненко", "Ivanenko"),
            ("Петров", "Petrov"), ("Петрова", "Petrova"), ("Ивашкин", "Ivashkin"),
            ("Рахимов", "Rakhimov"), ("Юсупова", "Iusupova")]
GIVEN = [("Иван", "Ivan"), ("Азиз", "Aziz"), ("Анна", "Anna"), ("Ивета", "Iveta")]
COUNTRIES = ["UZ", "KZ", "RU"]


@pytest.fixture
def registry(db: Database) -> list[SimpleNamespace]:
    """60 patients whose names share prefixes across several words (so one patient can
    match a prefix twice: Иванов Иван), with citizenship and residence differing."""
    rng = random.Random(3)
    made = []
    with db.session() as s:
        for k in range(60):
            fam, fam_lat = rng.choice(FAMILIES)
            giv, giv_lat = rng.choice(GIVEN)
            p = patients.create(s, CLINICIAN, PatientIn(
                family_name=fam, given_names=giv, family_name_latin=fam_lat,
                given_names_latin=giv_lat, sex="female", birth_date="2001-01-01",
                citizenship=rng.choice(COUNTRIES), residence_country=rng.choice(COUNTRIES),
                preferred_language="ru", passport_number=f"P{k:05d}"), identity_check=False)
            made.append(SimpleNamespace(id=p.id, mrn=p.mrn, citizenship=p.citizenship,
                                        residence=p.residence_country,
                                        order=(fam_lat, giv_lat, p.id),
                                        words=name_tokens(name_search_key(fam, giv, fam_lat,
                                                                          giv_lat))))
    return made


def _expected_by_name(registry: list[SimpleNamespace], q: str) -> list[int]:
    """Every word of `q`, or one of its transliteration keys, starts a word or key of the
    patient's names."""
    terms = [[t, *patient_search.name_keys(t)] for t in q.casefold().split()]
    hits = [p for p in registry
            if all(any(w.startswith(k) for k in keys for w in p.words) for keys in terms)]
    return [p.id for p in sorted(hits, key=lambda p: p.order)]


def _search(db: Database, filters: SearchFilters, page: int, per_page: int
            ) -> tuple[list[int], int]:
    with db.session(read=True) as s:
        rows, total = patients.search(s, CLINICIAN, filters, page, per_page)
    return [r.id for r in rows], total


@pytest.mark.parametrize("q", ["ив", "иван", "ivan", "IVA", "petr", "iv an", "иван аз",
                               "ivanova anna", "rakh", "zzz", "yusupova", "юсуп", "iusup",
                               "rahim", "рахим", "raxim an"])
def test_name_search_matches_brute_force_on_every_page(db: Database, registry, q: str) -> None:
    expected = _expected_by_name(registry, q)
    for per_page in (1, 7, 25):
        got: list[int] = []
        for page in range(1, len(expected) // per_page + 3):
            ids, total = _search(db, SearchFilters(q=q), page, per_page)
            assert total == len(expected)
            got += ids
        assert got == expected, (q, per_page)


def test_the_sorted_fallback_gives_the_same_pages(db: Database, registry, monkeypatch) -> None:
    """A prefix starting more distinct words than the merge takes falls back to one sort."""
    merged = [_search(db, SearchFilters(q="iv"), page, 5) for page in (1, 2, 3)]
    monkeypatch.setattr(patient_search, "MAX_TOKEN_RUNS", 1)
    assert [_search(db, SearchFilters(q="iv"), page, 5) for page in (1, 2, 3)] == merged
    assert merged[0][1] == len(_expected_by_name(registry, "iv"))


def test_mrn_leads_the_first_page_once(db: Database, registry) -> None:
    target = registry[17]
    ids, total = _search(db, SearchFilters(q=target.mrn.lower()), 1, 25)
    assert ids == [target.id] and total == 1


@pytest.mark.parametrize("country", COUNTRIES)
def test_country_search_is_citizens_and_residents_once_in_list_order(
        db: Database, registry, country: str) -> None:
    expected = [p.id for p in sorted(registry, key=lambda p: p.order)
                if country in (p.citizenship, p.residence)]
    got: list[int] = []
    for page in range(1, len(expected) // 6 + 3):
        ids, total = _search(db, SearchFilters(country=country), page, 6)
        assert total == len(expected)
        got += ids
    assert got == expected


def test_name_and_country_together(db: Database, registry) -> None:
    expected = [i for i in _expected_by_name(registry, "ivan")
                if any(p.id == i and "KZ" in (p.citizenship, p.residence) for p in registry)]
    ids, total = _search(db, SearchFilters(q="ivan", country="KZ"), 1, 200)
    assert ids == expected and total == len(expected)


def test_counts_stop_after_the_limit(db: Database, registry, monkeypatch) -> None:
    monkeypatch.setattr(patient_search, "COUNT_LIMIT", 3)
    for filters in (SearchFilters(q="iv"), SearchFilters(country="RU"),
                    SearchFilters(q="iv", country="RU"), SearchFilters(q="iv an")):
        assert _search(db, filters, 1, 25)[1] == 4, filters  # COUNT_LIMIT + 1: "more than 3"


@pytest.mark.parametrize("q", ["Yusupova", "Iusupova", "Юсупова", "yusup"])
def test_search_is_tolerant_of_transliteration(db: Database, registry, q: str) -> None:
    """Issue 18: "Yusupova" finds "Iusupova" (and Юсупова); "Рахимов" finds Rakhimov."""
    expected = [p.id for p in sorted(registry, key=lambda p: p.order)
                if p.order[0] == "Iusupova"]
    assert expected
    assert _search(db, SearchFilters(q=q), 1, 200) == (expected, len(expected))
    rakhimov = [p.id for p in sorted(registry, key=lambda p: p.order) if p.order[0] == "Rakhimov"]
    assert _search(db, SearchFilters(q="Рахимов"), 1, 200)[0] == rakhimov
    assert _search(db, SearchFilters(q="Rahimov"), 1, 200)[0] == rakhimov
