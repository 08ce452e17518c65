"""A person as the matcher sees it (`Person`, values as typed on a form) and as it compares
it (`Profile`: name keys computed once, document numbers normalised).

Document numbers are normalised to upper-case letters and digits only (spaces, dashes, dots
and slashes dropped; Cyrillic look-alike letters of series such as "АА" or "КА" mapped to
their Latin twins, since clerks type either), so "AA 123-45-67", "aa1234567" and "АА1234567"
are one passport number. A passport is compared only within one issuing country (its
``passport_country``, else the person's ``country``), a national ID likewise (Uzbekistan's
PINFL, Kazakhstan's IIN and Russia's SNILS are national, not global, numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from .names import NameKeys, name_keys

Sex = Literal["female", "male", "other", "unknown"]

#: Cyrillic letters that look like Latin ones, as clerks type passport series either way.
_LOOKALIKE = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True)
class Person:
    """One person's identifying data; every field is optional.

    ``family``/``given`` are the names as written in Latin (or in any script),
    ``family_native``/``given_native`` in the native script (usually Cyrillic);
    ``country`` is an ISO 3166-1 alpha-2 code (citizenship), and also the issuing country of
    the passport and national ID unless ``passport_country``/``national_id_country`` say
    otherwise."""

    family: str | None = None
    given: str | None = None
    family_native: str | None = None
    given_native: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    passport: str | None = None
    passport_country: str | None = None
    national_id: str | None = None
    national_id_country: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Profile:
    """A `Person` prepared for comparison (see `prepare`)."""

    family: NameKeys
    given: NameKeys
    birth_date: date | None
    sex: Literal["female", "male"] | None  # "other" and "unknown" are not compared
    passport: str | None
    passport_country: str | None
    national_id: str | None
    national_id_country: str | None
    country: str | None


def document_number(text: str | None) -> str | None:
    """A passport or ID number normalised: upper case, letters and digits only.

    >>> document_number(" aa 123-45-67 "), document_number("АА1234567"), document_number("-")
    ('AA1234567', 'AA1234567', None)
    """
    if text is None:
        return None
    norm = _NOT_ALNUM.sub("", text.upper().translate(_LOOKALIKE))
    return norm or None


def _country(code: str | None) -> str | None:
    return code.strip().upper() or None if code else None


def _compared_sex(sex: Sex | None) -> Literal["female", "male"] | None:
    if sex == "female" or sex == "male":
        return sex
    return None


def prepare(person: Person) -> Profile:
    """The comparison profile of `person`: name keys of both spellings of each name together,
    normalised documents, each document with its issuing country."""
    country = _country(person.country)
    return Profile(
        family=name_keys(person.family, person.family_native),
        given=name_keys(person.given, person.given_native),
        birth_date=person.birth_date,
        sex=_compared_sex(person.sex),
        passport=document_number(person.passport),
        passport_country=_country(person.passport_country) or country,
        national_id=document_number(person.national_id),
        national_id_country=_country(person.national_id_country) or country,
        country=country,
    )
