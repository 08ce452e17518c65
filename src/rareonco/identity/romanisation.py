"""Romanisation of Cyrillic names under the systems found on our patients' documents.

Each system is data: a letter table plus the few positional rules its standard states. A name
in Cyrillic is romanised under every system (`romanisations`), so that whichever spelling a
passport, a referral letter or a relative used, one of them is among the name's keys.

Systems (letter tables as published; the tables below are checked letter by letter in
``tests/identity/test_romanisation.py``):

``icao``
    ICAO Doc 9303, *Machine Readable Travel Documents*, 7th ed. (2015), Part 3, section 6,
    "Transliteration of Cyrillic characters" (used in Russian passports since the 2010s):
    Ё->E, Ж->ZH, Й->I, Х->KH, Ц->TS, Щ->SHCH, Ъ->IE, Ы->Y, Ь omitted, Ю->IU, Я->IA; also
    Ґ->G, Є->IE, І->I, Ї->I, Ў->U from the same table.
``gost_b``
    GOST 7.79-2000 (ISO 9:1995 adapted), system B (Latin letters without diacritics):
    Ё->YO, Й->J, Х->X, Ц->CZ before Е, И, Ы, Й and C elsewhere, Щ->SHH, Ъ->``, Ы->Y`, Ь->`,
    Э->E`, Ю->YU, Я->YA (the marks vanish when names are normalised).
``bgn_pcgn``
    BGN/PCGN romanization of Russian (1947): Е->YE and Ё->YË word-initially and after a
    vowel, Й, Ъ or Ь (E, Ë elsewhere); Й->Y, Х->KH, Ц->TS, Щ->SHCH, Ъ->", Ы->Y, Ь->',
    Ю->YU, Я->YA.
``passport_1997``
    The spellings of Soviet and Russian passports before ICAO (Russian MVD order No. 310 of
    1997 and the older practice it codified): Й->Y, Х->KH, Ц->TS, Щ->SHCH, Ы->Y, Ъ and Ь
    omitted, Ю->YU, Я->YA.
``uzbek``
    The Uzbek Latin alphabet (Law of the Republic of Uzbekistan of 2 September 1993, as
    amended 6 May 1995) applied to Uzbek Cyrillic: Е->YE initially and after a vowel, Ё->YO,
    Ж->J, Й->Y, Х->X, Ц->TS, Ч->CH, Ш->SH, Ъ->', Ь omitted, Ю->YU, Я->YA, Ў->O', Қ->Q,
    Ғ->G', Ҳ->H.

Letters outside a system's table (the Uzbek, Kazakh and Tajik letters in the Russian systems)
take their common passport value from `EXTRA_LETTERS`: Kazakh Ә->A, Ғ->G, Қ->K, Ң->N, Ө->O,
Ұ->U, Ү->U, Һ->H, І->I (diacritics dropped, as Kazakh documents print Latin names; the 2021
Kazakh Latin alphabet's Ä, Ğ, Q, Ñ, Ö, Ū, Ü fold to the same letters once diacritics are
removed); Tajik Ӣ->I, Ӯ->U, Ҷ->J; Uzbek Ў->U, Ғ->G, Қ->K, Ҳ->KH.

Not covered: the French-style spellings of old Soviet passports (OU for У, CH for Ш), German
(SCH, TSCH, J for Й) and Polish spellings, and Kazakh/Tajik Latin orthographies beyond the
letters above; names spelt that way are still compared by string similarity, not by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_RUSSIAN_COMMON: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "з": "z", "и": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "ч": "ch", "ш": "sh", "э": "e",
}

#: Letters of Uzbek, Kazakh, Tajik and Ukrainian Cyrillic, for systems that lack them.
EXTRA_LETTERS: Mapping[str, str] = MappingProxyType({
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    "ӣ": "i", "ӯ": "u", "ҷ": "j", "ў": "u", "ҳ": "kh", "ґ": "g", "є": "ie", "ї": "i",
})

_VOWELS = frozenset("аеёиоуыэюяәөұүіӣӯўєї")


@dataclass(frozen=True)
class Romanisation:
    """One romanisation system: its letter table and positional rules.

    ``letters`` maps a lower-case Cyrillic letter to Latin; ``initial_or_after_vowel``
    overrides it at the start of a word and after a vowel (or after the letters in
    ``soft_after``); ``before_front`` overrides it before Е, И, Ы, Й (GOST's CZ)."""

    name: str
    source: str
    letters: Mapping[str, str]
    initial_or_after_vowel: Mapping[str, str] = field(default_factory=dict)
    soft_after: frozenset[str] = frozenset()
    before_front: Mapping[str, str] = field(default_factory=dict)

    def letter(self, ch: str, prev: str, nxt: str) -> str | None:
        """The Latin for lower-case `ch` between `prev` and `nxt` ("" at a word edge); None
        if `ch` is not a Cyrillic letter this system or `EXTRA_LETTERS` knows."""
        if ch in self.before_front and nxt in "еиый" and nxt:
            return self.before_front[ch]
        if ch in self.initial_or_after_vowel and (
                not prev.isalpha() or prev in _VOWELS or prev in self.soft_after):
            return self.initial_or_after_vowel[ch]
        if ch in self.letters:
            return self.letters[ch]
        return EXTRA_LETTERS.get(ch)


ICAO = Romanisation("icao", "ICAO Doc 9303 (2015), Part 3, section 6", MappingProxyType({
    **_RUSSIAN_COMMON, "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "щ": "shch",
    "ъ": "ie", "ы": "y", "ь": "", "ю": "iu", "я": "ia",
    "ґ": "g", "є": "ie", "і": "i", "ї": "i", "ў": "u",
}))

GOST_B = Romanisation(
    "gost_b", "GOST 7.79-2000, system B", MappingProxyType({
        **_RUSSIAN_COMMON, "ё": "yo", "ж": "zh", "й": "j", "х": "x", "ц": "c", "щ": "shh",
        "ъ": "``", "ы": "y`", "ь": "`", "э": "e`", "ю": "yu", "я": "ya",
    }),
    before_front=MappingProxyType({"ц": "cz"}),
)

BGN_PCGN = Romanisation(
    "bgn_pcgn", "BGN/PCGN 1947 romanization of Russian", MappingProxyType({
        **_RUSSIAN_COMMON, "ё": "ë", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "щ": "shch",
        "ъ": '"', "ы": "y", "ь": "'", "ю": "yu", "я": "ya",
    }),
    initial_or_after_vowel=MappingProxyType({"е": "ye", "ё": "yë"}),
    soft_after=frozenset("йъь"),
)

PASSPORT_1997 = Romanisation(
    "passport_1997", "Russian passports before ICAO (MVD order No. 310, 1997)",
    MappingProxyType({
        **_RUSSIAN_COMMON, "ё": "e", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "щ": "shch",
        "ъ": "", "ы": "y", "ь": "", "ю": "yu", "я": "ya",
    }),
)

UZBEK = Romanisation(
    "uzbek", "Uzbek Latin alphabet (1993, amended 1995)", MappingProxyType({
        **_RUSSIAN_COMMON, "ё": "yo", "ж": "j", "й": "y", "х": "x", "ц": "ts", "щ": "sh",
        "ъ": "'", "ы": "i", "ь": "", "ю": "yu", "я": "ya",
        "ў": "o'", "қ": "q", "ғ": "g'", "ҳ": "h",
    }),
    initial_or_after_vowel=MappingProxyType({"е": "ye"}),
)

#: Every system a Cyrillic name is romanised under, by name.
SYSTEMS: Mapping[str, Romanisation] = MappingProxyType(
    {s.name: s for s in (ICAO, GOST_B, BGN_PCGN, PASSPORT_1997, UZBEK)})


def is_cyrillic(ch: str) -> bool:
    """True for a letter of the Cyrillic blocks (U+0400-U+052F)."""
    return "\u0400" <= ch <= "\u052f"


def romanise(text: str, system: Romanisation) -> str:
    """`text` with each Cyrillic letter romanised under `system`, in lower case; other
    characters are kept (a Latin name passes through unchanged, lower-cased).

    >>> romanise("Юсупова", ICAO), romanise("Юсупова", UZBEK)
    ('iusupova', 'yusupova')
    """
    low = text.lower()
    out: list[str] = []
    for i, ch in enumerate(low):
        prev = low[i - 1] if i else ""
        nxt = low[i + 1] if i + 1 < len(low) else ""
        lat = system.letter(ch, prev, nxt) if is_cyrillic(ch) else None
        out.append(ch if lat is None else lat)
    return "".join(out)


def romanisations(text: str) -> dict[str, str]:
    """`text` romanised under every system in `SYSTEMS` (system name -> spelling)."""
    return {name: romanise(text, system) for name, system in SYSTEMS.items()}
