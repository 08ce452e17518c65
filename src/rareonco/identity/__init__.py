"""Identity matching, the way a master patient index does it (pure: values in, values out).

A candidate person (from an inquiry, a referral, a FHIR import) is scored against existing
persons: names in both scripts through their transliteration keys (`names`, `romanisation`),
birth date, sex, passport, national ID and country, each field weighed after Fellegi and
Sunter (`weights`, `compare`); `decision` then says ``link``, ``review`` or ``new``, never
linking on one identifier alone, nor twins, nor namesakes.

    >>> from datetime import date
    >>> from rareonco.identity import Person, match_person
    >>> match_person(Person("Iusupova", "Dilnoza", birth_date=date(1990, 5, 2), sex="female"),
    ...              [(7, Person(family_native="Юсупова", given_native="Дилноза",
    ...                          birth_date=date(1990, 5, 2), sex="female"))]).decision
    'link'
"""

from .compare import FieldResult, compare
from .decision import (
    HARD_CONFLICTS,
    LINK_SCORE,
    LIST_FLOOR,
    REVIEW_SCORE,
    Match,
    MatchResult,
    Outcome,
    decide,
    match_person,
    match_profiles,
    score_pair,
)
from .names import NameKeys, clean, name_keys, skeleton, spellings
from .person import Person, Profile, Sex, document_number, prepare
from .romanisation import SYSTEMS, Romanisation, romanisations, romanise

__all__ = [
    "HARD_CONFLICTS",
    "LINK_SCORE",
    "LIST_FLOOR",
    "REVIEW_SCORE",
    "SYSTEMS",
    "FieldResult",
    "Match",
    "MatchResult",
    "NameKeys",
    "Outcome",
    "Person",
    "Profile",
    "Romanisation",
    "Sex",
    "clean",
    "compare",
    "decide",
    "document_number",
    "match_person",
    "match_profiles",
    "name_keys",
    "prepare",
    "romanisations",
    "romanise",
    "score_pair",
    "skeleton",
    "spellings",
]
