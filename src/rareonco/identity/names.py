"""Name keys: every Latin spelling a name may have, and a phonetic skeleton of each.

A name (Latin or Cyrillic, any case, with diacritics, apostrophes, hyphens, spaces) becomes:

* its **spellings**: the name itself normalised (lower case, Latin letters a-z only) if it is
  Latin, or its romanisation under every system of `romanisation.SYSTEMS` if it is Cyrillic
  (mixed names are romanised letter by letter);
* the **skeleton** of each spelling (`skeleton`), which folds the differences between those
  systems and the informal spellings seen on forms: KH = H = X (Х, Ҳ), ZH = J = DZH = DJ
  (Ж, Ҷ, ДЖ), TS = CZ = C (Ц), SHCH = SHH = SCH (Щ), CH, SH, Q = K (Қ), Y = I (Й, Ы),
  YE = IE = E, doubled letters single. So Rakhimov, Rahimov, Raximov and Рахимов share the
  skeleton ``raHimov``; Khodjaev, Khodzhaev, Xo'jayev and Ходжаев share ``HoJaev``;
  Yusupova, Iusupova and Юсупова share ``iusupova``.

Two names agree when their spellings or skeletons intersect. The skeleton is deliberately
lossy (it equates Ё-spellings E/YO only through E, and it cannot tell Ы from И); that is why
the skeleton is only one piece of evidence, weighed with the birth date and the documents.

Tokens: a name of several words ("Abdul Aziz", "Aziz Karimovich") is also keyed word by word,
so that a given name with a patronymic still meets the bare given name (``first``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .romanisation import is_cyrillic, romanisations

#: Characters mapped before diacritics are stripped: letters whose base letter alone would be
#: wrong (Kazakh/Turkic Ş = Ш, Ç = Ч) or that do not decompose.
_BEFORE_STRIP = str.maketrans({
    "ş": "sh", "ç": "ch", "ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "đ": "d", "ł": "l",
})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,/]+")
#: Apostrophes and marks that romanisations use (Uzbek O' G', GOST's ` and ``, BGN's ' ").
_MARKS = re.compile(r"[\"'`ʻʼʹʺ‘’‛“”″′´]")

#: Ordered replacements of the skeleton (upper-case letters are tokens for one sound).
_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("shch", "S"), ("shh", "S"), ("sch", "S"), ("sh", "S"),
    ("tch", "C"), ("ch", "C"),
    ("dzh", "J"), ("dj", "J"), ("zh", "J"),
    ("kh", "H"), ("x", "H"), ("h", "H"), ("gh", "g"),
    ("ts", "Z"), ("tz", "Z"), ("cz", "Z"), ("c", "Z"),
    ("q", "k"), ("w", "v"),
)
_J_BEFORE_VOWEL = re.compile(r"j(?=[aeiouy])")
_DOUBLE = re.compile(r"(.)\1+")


def clean(text: str) -> str:
    """Lower case, no diacritics, no apostrophes, words separated by one space.

    >>> clean("  Xo'jayev-ÖMER  ")
    'xojayev omer'
    """
    low = unicodedata.normalize("NFC", text).casefold().translate(_BEFORE_STRIP)
    # keep Cyrillic letters whole (Й, Ў, Ә are letters, not a letter plus a mark)
    out = []
    for ch in low:
        if is_cyrillic(ch):
            out.append(ch)
        else:
            out.append("".join(c for c in unicodedata.normalize("NFKD", ch)
                               if not unicodedata.combining(c)))
    text = _MARKS.sub("", "".join(out))
    return _SEPARATORS.sub(" ", text).strip()


def _latin_only(text: str) -> str:
    return "".join(ch for ch in text if "a" <= ch <= "z" or ch == " ")


def spellings(text: str) -> frozenset[str]:
    """Every Latin spelling of `text` (normalised, words separated by one space)."""
    cleaned = clean(text)
    if not cleaned:
        return frozenset()
    if not any(is_cyrillic(ch) for ch in cleaned):
        latin = _latin_only(cleaned).strip()
        return frozenset({latin}) if latin else frozenset()
    # Ё is written Е on most forms: romanise both (GOST's YO and ICAO's E are both keys)
    variants = {cleaned, cleaned.replace("ё", "е")}
    out = {_latin_only(clean(r)).strip() for v in variants for r in romanisations(v).values()}
    return frozenset(s for s in out if s)


def skeleton(spelling: str) -> str:
    """The phonetic skeleton of one normalised Latin spelling (see the module docstring).

    >>> skeleton("khodzhaev"), skeleton("xojayev"), skeleton("rahimov")
    ('HoJaev', 'HoJaev', 'raHimov')
    """
    s = spelling.replace(" ", "")
    for old, new in _SKELETON_RULES[:9]:  # the digraphs first: SH before H, DZH before ZH
        s = s.replace(old, new)
    s = _J_BEFORE_VOWEL.sub("J", s).replace("j", "i")  # Uzbek/Tajik J = Ж; GOST J = Й
    for old, new in _SKELETON_RULES[9:]:
        s = s.replace(old, new)
    s = s.replace("y", "i")
    s = _DOUBLE.sub(r"\1", s)
    s = s.replace("ie", "e")  # YE = IE = E (Е after a vowel, Ъ in ICAO)
    return _DOUBLE.sub(r"\1", s)


@dataclass(frozen=True)
class NameKeys:
    """The keys of one name (or of a Latin and a native spelling of the same name)."""

    spellings: frozenset[str]
    skeletons: frozenset[str]
    first: frozenset[str]  # skeletons of the first word alone

    @property
    def empty(self) -> bool:
        return not self.spellings


EMPTY = NameKeys(frozenset(), frozenset(), frozenset())


@lru_cache(maxsize=65536)
def _keys_of(text: str) -> NameKeys:
    found = spellings(text)
    return NameKeys(
        found,
        frozenset(skeleton(s) for s in found),
        frozenset(skeleton(s.split(" ", 1)[0]) for s in found),
    )


def name_keys(*texts: str | None) -> NameKeys:
    """The union of the keys of each given text (e.g. ``family`` and ``family_native``);
    `EMPTY` if none has a letter. Cached: names repeat."""
    parts = [_keys_of(t) for t in texts if t]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    return NameKeys(
        frozenset().union(*(p.spellings for p in parts)),
        frozenset().union(*(p.skeletons for p in parts)),
        frozenset().union(*(p.first for p in parts)),
    )
