"""Benchmark of identity matching: one candidate against N synthetic existing persons.

Run: .venv/bin/python benchmarks/identity_match.py [--persons 100000] [--seed 7]

The existing persons mix scripts as our registrations do: a third Cyrillic only, a third Latin
only (romanised under a random system of `rareonco.identity.SYSTEMS`), a third both; birth
dates over 90 years, passports, countries. The script prints, for

* the matcher: building the prepared index (`prepare` of every person, caches cleared first),
  scoring one candidate against every prepared person (`match_profiles`), and the end-to-end
  `match_person` from raw persons;
* the same-run baseline: exact-key matching, a dict keyed on (normalised family name, birth
  date), built then looked up once;

wall time, peak traced memory (tracemalloc, in a second pass so that tracing does not slow
the timed pass) and comparisons per second.

In the platform the matcher would not see every patient: a blocking step in the database
(an indexed column holding each patient's family-name skeletons, one row per skeleton, plus the
birth year) selects the candidates that share a skeleton or, failing that, the birth year and
country, typically tens to a few thousand rows, which are then scored here in milliseconds.
Blocking by skeleton keeps every transliteration variant in the block (that is what the
skeleton is for); blocking by birth year catches the family-name typos the skeleton misses;
what neither block catches (a wrong birth year and another family name) is by design not a
match.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from rareonco.identity import SYSTEMS, Person, clean, match_person, match_profiles, prepare, romanise
from rareonco.identity.names import _keys_of

T = TypeVar("T")

FAMILY_STEMS = ["Рахимов", "Каримов", "Юсупов", "Ходжаев", "Исмоилов", "Турсунов", "Алиев",
                "Назаров", "Абдуллаев", "Хасанов", "Умаров", "Шарипов", "Султанов", "Иванов",
                "Смирнов", "Кузнецов", "Жумабаев", "Нурланов", "Сейткали", "Ахмедов",
                "Қодиров", "Раҳмонов", "Эргашев", "Мирзаев", "Зиёев", "Ташкентов", "Юлдашев",
                "Кенжебаев", "Оспанов", "Сатпаев"]
GIVEN = {"male": ["Азиз", "Алишер", "Жасур", "Бахтиёр", "Ерлан", "Нурлан", "Дмитрий", "Иван",
                  "Фаррух", "Шухрат", "Тимур", "Рустам", "Ойбек", "Сардор", "Евгений"],
         "female": ["Дилноза", "Гулнора", "Мария", "Анна", "Айгерим", "Малика", "Нигора",
                    "Шахноза", "Юлия", "Асель", "Зарина", "Мадина", "Феруза", "Динара"]}
COUNTRIES = ["UZ", "UZ", "UZ", "KZ", "KZ", "TJ", "RU", "KG"]


def synthetic_persons(n: int, seed: int) -> list[Person]:
    rng = random.Random(seed)
    systems = list(SYSTEMS.values())
    out = []
    for _ in range(n):
        sex = rng.choice(("male", "female"))
        family = rng.choice(FAMILY_STEMS) + ("а" if sex == "female" else "")
        given = rng.choice(GIVEN[sex])
        system = rng.choice(systems)
        latin = (romanise(family, system).title(), romanise(given, system).title())
        script = rng.randrange(3)
        out.append(Person(
            family=latin[0] if script else None, given=latin[1] if script else None,
            family_native=family if script != 1 else None,
            given_native=given if script != 1 else None,
            birth_date=date(1935, 1, 1) + timedelta(days=rng.randrange(90 * 365)),
            sex=sex,  # type: ignore[arg-type]  # one of the literal values, drawn at random
            passport=f"{rng.choice('AFKN')}{rng.choice('ABC')}{rng.randrange(10**7):07d}"
            if rng.random() < 0.6 else None,
            country=rng.choice(COUNTRIES)))
    return out


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def traced_peak_mb(fn: Callable[[], object]) -> float:
    _keys_of.cache_clear()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def exact_key(p: Person) -> tuple[str, date | None]:
    return clean(p.family_native or p.family or ""), p.birth_date


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n = args.persons
    existing = list(enumerate(synthetic_persons(n, args.seed), start=1))
    # the candidate: a re-registration in Latin of an existing Cyrillic-only person
    target_id, target = next((i, p) for i, p in existing if p.family is None)
    assert target.family_native and target.given_native
    candidate = Person(family=romanise(target.family_native, SYSTEMS["uzbek"]).title(),
                       given=romanise(target.given_native, SYSTEMS["icao"]).title(),
                       birth_date=target.birth_date, sex=target.sex, country=target.country)
    print(f"{n:,} existing persons; candidate {candidate.family} {candidate.given} "
          f"{candidate.birth_date} (is #{target_id}, registered in Cyrillic)")

    _keys_of.cache_clear()
    index, t_index = timed(lambda: [(i, prepare(p)) for i, p in existing])
    cand = prepare(candidate)
    result, t_match = timed(lambda: match_profiles(cand, index))
    _keys_of.cache_clear()
    result_e2e, t_e2e = timed(lambda: match_person(candidate, existing))
    assert result_e2e.decision == result.decision

    def build_exact() -> dict[tuple[str, date | None], list[int]]:
        table: dict[tuple[str, date | None], list[int]] = {}
        for i, p in existing:
            table.setdefault(exact_key(p), []).append(i)
        return table

    table, t_exact_build = timed(build_exact)
    hits, t_exact_lookup = timed(lambda: table.get(exact_key(candidate), []))

    mem_index = traced_peak_mb(lambda: [(i, prepare(p)) for i, p in existing])
    mem_match = traced_peak_mb(lambda: match_profiles(cand, index))
    mem_exact = traced_peak_mb(build_exact)

    top = result.matches[0] if result.matches else None
    print(f"decision {result.decision}; best #{top.id if top else '-'} score "
          f"{top.score if top else 0} {list(top.agreements) if top else ''}; "
          f"{len(result.matches)} listed")
    print(f"exact-key baseline finds {hits or 'nothing'} (the Latin spelling misses the "
          "Cyrillic record)")
    rows = [
        ("prepare index (N profiles)", t_index, mem_index),
        ("match one vs N prepared", t_match, mem_match),
        ("match_person end to end", t_e2e, float("nan")),
        ("baseline: build exact-key dict", t_exact_build, mem_exact),
        ("baseline: one dict lookup", t_exact_lookup, float("nan")),
    ]
    print(f"{'step':34} {'time s':>9} {'per s':>14} {'peak MB':>9}")
    for name, seconds, mb in rows:
        per_s = n / seconds if "lookup" not in name else 1 / seconds
        print(f"{name:34} {seconds:9.4f} {per_s:14,.0f} {mb:9.1f}")


if __name__ == "__main__":
    main()
