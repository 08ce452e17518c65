"""Field-by-field comparison of two profiles, each field at one level of agreement.

Every comparison here is symmetric (comparing a with b gives what b with a gives), so a
pair's weight and score do not depend on which person is the candidate. A field missing on
either side is not compared.

Names are compared on their keys (`names.NameKeys`): ``same`` when a standard spelling is
shared, ``variant`` when only the skeleton is, ``first_word`` when only the first words agree
(a given name with and without a patronymic, a compound name cut short), ``similar`` when the
best Jaro-Winkler similarity of two skeletons is at least `SIMILAR_JW` (Winkler WE. String
comparator metrics and enhanced decision rules in the Fellegi-Sunter model of record linkage.
Proc Section on Survey Research Methods, American Statistical Association 1990:354-359;
computed with rapidfuzz), else ``different``. Family and given names crossed over (the
family name typed as the given name) are reported as ``names:swapped``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from rapidfuzz.distance import JaroWinkler

from .names import NameKeys
from .person import Profile
from .weights import WEIGHTS

#: The Jaro-Winkler similarity of two skeletons above which names count as similar.
SIMILAR_JW = 0.90


@dataclass(frozen=True)
class FieldResult:
    """One field's comparison: its level (a key of `weights.LEVELS`), the code reported
    (``field:what``), its weight in bits, and whether it counts for (True) or against
    (False) the pair being one person, or neither (None)."""

    field: str
    level: str
    code: str
    weight: float
    agrees: bool | None


@lru_cache(maxsize=1 << 16)  # names repeat: a registry holds far fewer names than persons
def _name_level(a: NameKeys, b: NameKeys) -> str | None:
    if a.empty or b.empty:
        return None
    if a.spellings & b.spellings:
        return "same"
    if a.skeletons & b.skeletons:
        return "variant"
    if a.first & b.first:
        return "first_word"
    best = max(JaroWinkler.similarity(x, y) for x in a.skeletons for y in b.skeletons)
    return "similar" if best >= SIMILAR_JW else "different"


_NAME_WEIGHT_LEVEL = {"same": "agree", "variant": "agree", "first_word": "agree",
                      "similar": "similar", "different": "different"}
_AGREEING = frozenset({"same", "variant", "first_word"})


@cache
def _name(field: str, level: str) -> FieldResult:
    weight = WEIGHTS[(field, _NAME_WEIGHT_LEVEL[level])]
    # "similar" is listed among the agreements, but it is weak: never enough to link
    return FieldResult(field, level, f"{field}:{level}", weight, level != "different")


def compare_names(a: Profile, b: Profile) -> list[FieldResult]:
    """Family and given names, or ``names:swapped`` if they agree only crossed over."""
    family = _name_level(a.family, b.family)
    given = _name_level(a.given, b.given)
    if family == "different" and given == "different":
        cross = (_name_level(a.family, b.given), _name_level(a.given, b.family))
        if cross[0] in _AGREEING and cross[1] in _AGREEING:
            both = WEIGHTS[("family", "similar")] + WEIGHTS[("given", "similar")]
            return [FieldResult("names", "swapped", "names:swapped", both, True)]
    out = []
    if family is not None:
        out.append(_name("family", family))
    if given is not None:
        out.append(_name("given", given))
    return out


def birth_date_level(a: date, b: date) -> str:
    """exact, transposed (day and month swapped, same year), year_only or different."""
    if a == b:
        return "exact"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "transposed"
    return "year_only" if a.year == b.year else "different"


@cache
def _field(field: str, level: str) -> FieldResult:
    agrees = level in ("exact", "same")
    return FieldResult(field, level, f"{field}:{level}", WEIGHTS[(field, level)], agrees)


def _document(field: str, a: str | None, a_country: str | None, b: str | None,
              b_country: str | None) -> FieldResult | None:
    if a is None or b is None:
        return None
    if a_country and b_country and a_country != b_country:
        if a == b:  # not evidence either way, but a coordinator should see it
            return FieldResult(field, "other_country", f"{field}:same_number_other_country",
                               0.0, False)
        return None
    return _field(field, "same" if a == b else "different")


def compare(a: Profile, b: Profile) -> list[FieldResult]:
    """Every field both profiles have, compared (see the module docstring)."""
    out = compare_names(a, b)
    if a.birth_date is not None and b.birth_date is not None:
        out.append(_field("birth_date", birth_date_level(a.birth_date, b.birth_date)))
    if a.sex is not None and b.sex is not None:
        out.append(_field("sex", "same" if a.sex == b.sex else "different"))
    for doc in (
        _document("passport", a.passport, a.passport_country, b.passport, b.passport_country),
        _document("national_id", a.national_id, a.national_id_country,
                  b.national_id, b.national_id_country),
    ):
        if doc is not None:
            out.append(doc)
    if a.country is not None and b.country is not None:
        out.append(_field("country", "same" if a.country == b.country else "different"))
    return out
