"""De-identification of registry rows for researchers and partner registries (issue 23).

Methods and their sources:

* Dates shifted per patient by a fixed number of days drawn from a keyed hash of the patient's
  key (HMAC-SHA256 with a secret the centre keeps): intervals within one patient are exact,
  dates across patients cannot be linked back (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C)
  removes dates; date shifting is the expert-determination practice of Hripcsak G et al.,
  J Am Med Inform Assoc 2016;23(e1):e43-e50 - "Preserving temporal relations ... date shifting").
* Ages over 89 pooled into one group "90+" (45 CFR 164.514(b)(2)(i)(C)).
* Small cells: a count of 1 to ``threshold - 1`` (default 5) is never shown; when one cell of a
  table with a shown total is hidden, the next smallest is hidden too so the first cannot be
  recovered by subtraction (complementary suppression; Statistics Canada / ONS disclosure
  control practice, e.g. ONS "Disclosure control guidance for tables", 2019).
* k-anonymity on the quasi-identifiers (Sweeney L, Int J Uncertain Fuzziness Knowl-Based Syst
  2002;10(5):557-570): each combination of quasi-identifier values is shared by at least k rows;
  where it is not, values are generalised one step at a time up a hierarchy (age in 5 -> 10 ->
  20-year bands -> any; ICD-O-3 morphology 8806/3 -> 880 -> any; country -> any), the column with
  the most distinct values first (Samarati P, IEEE TKDE 2001;13(6):1010-1027, full-domain
  generalisation), and rows still in classes under k are suppressed and counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from rareonco.errors import InvalidInput

__all__ = ["KAnonymity", "age_group", "date_shift_days", "generalise_to_k", "k_anonymity",
           "shift_date", "suppress_small_cells"]

MAX_SHIFT_DAYS = 182
ANY = "*"


def date_shift_days(patient_key: str, secret: bytes, *, max_days: int = MAX_SHIFT_DAYS) -> int:
    """The patient's own shift in days, between -``max_days`` and +``max_days``, never 0."""
    if not secret:
        raise InvalidInput("secret", "an empty secret would make every shift guessable")
    if max_days < 1:
        raise InvalidInput("max_days", "must be at least 1")
    digest = hmac.new(secret, patient_key.encode("utf-8"), hashlib.sha256).digest()
    span = int.from_bytes(digest[:8], "big") % (2 * max_days)
    return span - max_days if span < max_days else span - max_days + 1


def shift_date(value: dt.date, shift_days: int) -> dt.date:
    return value + dt.timedelta(days=shift_days)


def age_group(age_years: float, *, width: int = 5) -> str:
    """``15-19`` style bands of ``width`` years; 90 and over is ``90+``."""
    if not 0 <= age_years <= 130:
        raise InvalidInput("age_years", f"{age_years} is not an age")
    if width < 1:
        raise InvalidInput("width", "must be at least 1 year")
    if age_years >= 90:
        return "90+"
    low = int(age_years // width * width)
    high = min(low + width - 1, 89)
    return f"{low}-{high}"


def suppress_small_cells(counts: Mapping[str, int], *, threshold: int = 5,
                         total_shown: bool = True) -> dict[str, int | None]:
    """``counts`` with every count from 1 to ``threshold - 1`` as None (0 stays: an empty cell
    discloses no one). With ``total_shown`` a lone hidden cell takes the next smallest with it."""
    if threshold < 2:
        raise InvalidInput("threshold", "must be 2 or more")
    for k, v in counts.items():
        if v < 0:
            raise InvalidInput(f"counts.{k}", f"{v} is negative")
    out: dict[str, int | None] = {k: (None if 0 < v < threshold else v) for k, v in counts.items()}
    hidden = [k for k, v in out.items() if v is None]
    if total_shown and len(hidden) == 1:
        shown = sorted((v, k) for k, v in out.items() if v)
        if shown:
            out[shown[0][1]] = None
    return out


@dataclass(frozen=True)
class KAnonymity:
    """The smallest class size, the classes and rows under ``k``."""

    k: int
    smallest_class: int
    classes_below_k: int
    rows_below_k: int

    @property
    def satisfied(self) -> bool:
        return self.classes_below_k == 0


Row = Mapping[str, Hashable]


def k_anonymity(rows: Sequence[Row], quasi_identifiers: Sequence[str], k: int = 5) -> KAnonymity:
    if k < 2:
        raise InvalidInput("k", "must be 2 or more")
    for q in quasi_identifiers:
        if rows and q not in rows[0]:
            raise InvalidInput("quasi_identifiers", f"no column {q!r}")
    sizes = Counter(tuple(r[q] for q in quasi_identifiers) for r in rows)
    below = [n for n in sizes.values() if n < k]
    return KAnonymity(k, min(sizes.values(), default=0), len(below), sum(below))


def _age_steps(value: Hashable) -> Hashable:
    """``15-19`` -> ``10-19`` -> ``0-19`` -> ``*``; ``90+`` -> ``*``."""
    if not isinstance(value, str) or value in (ANY, "90+"):
        return ANY
    low_s, high_s = value.split("-")
    low, width = int(low_s), int(high_s) - int(low_s) + 1
    new_width = {5: 10, 10: 20}.get(width)
    if new_width is None:
        return ANY
    new_low = low // new_width * new_width
    return f"{new_low}-{min(new_low + new_width - 1, 89)}"


def _to_any(_value: Hashable) -> Hashable:
    return ANY


def _morphology_steps(value: Hashable) -> Hashable:
    """``8806/3`` -> ``880`` (the ICD-O-3 morphology group) -> ``*``."""
    if isinstance(value, str) and "/" in value:
        return value[:3]
    return ANY


#: one generalisation step per quasi-identifier; a column without one goes straight to ``*``
HIERARCHIES: dict[str, Callable[[Hashable], Hashable]] = {
    "age_group": _age_steps, "morphology": _morphology_steps}


def generalise_to_k(rows: Sequence[Row], quasi_identifiers: Sequence[str], k: int = 5, *,
                    max_suppressed_fraction: float = 0.05) -> tuple[list[dict[str, Hashable]], int]:
    """Rows generalised until at most ``max_suppressed_fraction`` of them sit in classes under
    ``k``; those are then suppressed. Returns the kept rows and how many were suppressed.

    Each step generalises the one column (by one level of its hierarchy) that leaves the fewest
    rows under ``k``, ties broken by keeping more distinct values (less information lost) -
    Samarati's minimal generalisation with a suppression threshold, searched greedily."""
    k_anonymity(rows, quasi_identifiers, k)  # validates k and the column names
    if not 0 <= max_suppressed_fraction < 1:
        raise InvalidInput("max_suppressed_fraction", "must be from 0 to below 1")
    budget = int(max_suppressed_fraction * len(rows))
    work = [dict(r) for r in rows]
    while k_anonymity(work, quasi_identifiers, k).rows_below_k > budget:
        options = []
        for q in quasi_identifiers:
            if all(r[q] == ANY for r in work):
                continue
            step = HIERARCHIES.get(q, _to_any)
            trial = [{**r, q: step(r[q]) if r[q] != ANY else ANY} for r in work]
            rep = k_anonymity(trial, quasi_identifiers, k)
            distinct = sum(len({r[c] for r in trial}) for c in quasi_identifiers)
            options.append((rep.rows_below_k, -distinct, quasi_identifiers.index(q), trial))
        if not options:
            break
        work = min(options, key=lambda o: o[:3])[3]
    sizes = Counter(tuple(r[q] for q in quasi_identifiers) for r in work)
    kept = [r for r in work if sizes[tuple(r[q] for q in quasi_identifiers)] >= k]
    return kept, len(work) - len(kept)
