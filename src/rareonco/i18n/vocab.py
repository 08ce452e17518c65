"""Controlled vocabularies for demographics: ISO 3166-1 countries and ISO 639-1 languages
(from the CLDR data that Babel ships), sexes, lateralities, and Cyrillic-to-Latin
transliteration of names per ICAO Doc 9303 (machine-readable travel documents, part 3)."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

from rareonco.errors import InvalidInput

SEXES = ("female", "male", "other", "unknown")
LATERALITIES = ("left", "right", "bilateral", "midline", "not_applicable", "unknown")


@lru_cache
def countries() -> dict[str, str]:
    terr = Locale("en").territories
    return {k: v for k, v in terr.items() if len(k) == 2 and k.isalpha() and k not in {"ZZ"}}


@lru_cache
def languages() -> dict[str, str]:
    return {k: v for k, v in Locale("en").languages.items() if len(k) == 2}


def country(code: str, field: str) -> str:
    c = (code or "").strip().upper()
    if c not in countries():
        raise InvalidInput(field, f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return c


def language(code: str, field: str) -> str:
    c = (code or "").strip().lower()
    if c not in languages():
        raise InvalidInput(field, f"{code!r} is not an ISO 639-1 language code")
    return c


def country_name(code: str, locale: str = "en") -> str:
    try:
        return str(Locale.parse(locale).territories.get(code, code))
    except (ValueError, TypeError):
        return code


_ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    # Uzbek Cyrillic letters (transliterated as in the Uzbek Latin alphabet)
    "ў": "o'", "қ": "q", "ғ": "g'", "ҳ": "h",
}


def transliterate(text: str) -> str:
    """Cyrillic to Latin per ICAO Doc 9303 (Russian passports since 2014); other scripts kept."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in _ICAO:
            lat = _ICAO[low]
            out.append(lat.capitalize() if ch != low and lat else lat)
        else:
            out.append(ch)
    return "".join(out)
