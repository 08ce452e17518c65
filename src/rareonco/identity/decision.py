"""Decide, for a candidate person and the existing persons, ``link``, ``review`` or ``new``.

The score (Fellegi-Sunter, `weights`) ranks the existing persons; the decision adds rules
that the score alone cannot keep, because the model assumes fields agree independently and
twins, namesakes and shared documents break that assumption:

``link`` (this is the same person; attach without asking) needs all of
    - family and given names agree as the same name (``same`` or ``variant``; not only a
      first word, not merely similar),
    - the birth date agrees exactly,
    - at least one more field agrees (sex, passport, national ID, country),
    - no hard conflict (`HARD_CONFLICTS`),
    - a score of at least `LINK_SCORE`.
``review`` (a coordinator compares them side by side) when a pair is not a link but its
    score is at least `REVIEW_SCORE`, or a passport or national ID agrees: one identifier
    never links by itself, whatever the score, and a shared identifier with other fields in
    conflict is exactly what a coordinator must see.
``new`` otherwise.

The outcome for the candidate: ``link`` if exactly one existing person is a link (two links
mean the index already holds a duplicate: ``review``), else ``review`` if any pair is,
else ``new``. Twins (family and birth date agree, given names differ) have a hard conflict on
the given name; namesakes (names agree, birth date differs) one on the birth date: neither
ever links.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

from .compare import FieldResult, compare
from .person import Person, Profile, prepare
from .weights import score

Outcome = Literal["link", "review", "new"]

LINK_SCORE = 0.95
REVIEW_SCORE = 0.5
#: Matches scoring below this are left out of `MatchResult.matches` unless they are `review`.
LIST_FLOOR = 0.05

#: Conflicts that forbid a link. Not hard: a different passport number (passports are
#: renewed), a different country (citizenship changes, or residence was typed), the same
#: passport number issued by another country.
HARD_CONFLICTS = frozenset({
    "family:different", "given:different", "birth_date:different", "birth_date:year_only",
    "birth_date:transposed", "sex:different", "national_id:different",
})
_STRONG_NAME = frozenset({"same", "variant"})
_IDENTIFIERS = frozenset({"passport:same", "national_id:same"})
_ONE_MORE = frozenset({"sex:same", "passport:same", "national_id:same", "country:same"})


@dataclass(frozen=True)
class Match:
    """One existing person scored against the candidate."""

    id: Hashable
    score: float
    outcome: Outcome
    agreements: tuple[str, ...]
    conflicts: tuple[str, ...]
    weight_bits: float


@dataclass(frozen=True)
class MatchResult:
    """The decision for the candidate and the matches, best first."""

    decision: Outcome
    matches: tuple[Match, ...]


def pair_outcome(fields: list[FieldResult], pair_score: float) -> Outcome:
    """`link`, `review` or `new` for one pair, by the rules of the module docstring."""
    codes = {f.code for f in fields}
    levels = {f.field: f.level for f in fields}
    if (levels.get("family") in _STRONG_NAME and levels.get("given") in _STRONG_NAME
            and levels.get("birth_date") == "exact" and codes & _ONE_MORE
            and not codes & HARD_CONFLICTS and pair_score >= LINK_SCORE):
        return "link"
    if pair_score >= REVIEW_SCORE or codes & _IDENTIFIERS:
        return "review"
    return "new"


def score_pair(candidate: Profile, other: Profile, other_id: Hashable) -> Match:
    """The `Match` of one prepared pair (symmetric in the two profiles)."""
    fields = compare(candidate, other)
    bits = sum(f.weight for f in fields)
    pair_score = score(bits)
    return Match(
        id=other_id,
        score=pair_score,
        outcome=pair_outcome(fields, pair_score),
        agreements=tuple(f.code for f in fields if f.agrees is True),
        conflicts=tuple(f.code for f in fields if f.agrees is False),
        weight_bits=round(bits, 3),
    )


def decide(matches: Iterable[Match]) -> Outcome:
    """The candidate's outcome from its pairs' outcomes (see the module docstring)."""
    outcomes = [m.outcome for m in matches]
    if outcomes.count("link") == 1:
        return "link"
    return "review" if "link" in outcomes or "review" in outcomes else "new"


def match_profiles(candidate: Profile, existing: Iterable[tuple[Hashable, Profile]],
                   floor: float = LIST_FLOOR) -> MatchResult:
    """Score prepared profiles (prepare each existing person once, e.g. in an index)."""
    scored = [score_pair(candidate, profile, key) for key, profile in existing]
    listed = [m for m in scored if m.outcome != "new" or m.score >= floor]
    listed.sort(key=lambda m: (-m.score, str(m.id)))
    return MatchResult(decide(scored), tuple(listed))


def match_person(candidate: Person, existing: Iterable[tuple[Hashable, Person]],
                 floor: float = LIST_FLOOR) -> MatchResult:
    """Score `candidate` against each existing ``(id, person)`` and decide.

    >>> from datetime import date
    >>> aziz = Person("Rakhimov", "Aziz", birth_date=date(2007, 8, 11), country="UZ")
    >>> match_person(Person(family_native="Рахимов", given_native="Азиз",
    ...                     birth_date=date(2007, 8, 11), country="UZ"), [(1, aziz)]).decision
    'link'
    """
    return match_profiles(prepare(candidate),
                          ((key, prepare(p)) for key, p in existing), floor)
