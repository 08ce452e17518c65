"""The ICD-O-3 pickers' search: a code, or words of its English or Russian label.

"9180", "9180/3", "c414", "C41.4", "остеосарк", "osteosarc", "саркома юинга", "pelvic bone" all
find what a clinician means: every word of the query must occur in the code or in one of the two
labels (case, "ё"/"е" and punctuation ignored). Results are ranked: the exact code, codes that
start with the query, labels that start with it, then the rest, each in the list's order; a
query that is (the start of) a code finds codes only.
"""

from __future__ import annotations

import re
from typing import Literal

from rareonco.clinical.codes import Morphology, Topography, all_morphologies, all_topographies
from rareonco.errors import InvalidInput
from rareonco.records.cases.schemas import CodeOptionOut

Axis = Literal["morphology", "topography"]
AXES: tuple[Axis, ...] = ("morphology", "topography")
_WORD = re.compile(r"[0-9a-zа-я]+")


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold().replace("ё", "е")))


def _code_key(code: str) -> str:
    """``C41.4`` -> ``c414``, ``9180/3`` -> ``91803``: codes compared without punctuation."""
    return re.sub(r"[^0-9a-z]", "", code.casefold())


def _entries(axis: Axis) -> list[Morphology | Topography]:
    if axis == "morphology":
        return list[Morphology | Topography](all_morphologies())
    if axis == "topography":
        return list[Morphology | Topography](all_topographies())
    raise InvalidInput("axis", f"one of {', '.join(AXES)}")


def _rank(entry: Morphology | Topography, query: str, words: list[str]) -> int | None:
    """0 exact code, 1 code prefix, 2 label prefix, 3 words found; None: no match."""
    code = _code_key(entry.code)
    compact = _code_key(query)
    if compact and compact == code:
        return 0
    if compact and code.startswith(compact):
        return 1
    labels = (_norm(entry.label_en), _norm(entry.label_ru))
    haystack = " ".join((code, *labels))
    if not all(w in haystack for w in words):
        return None
    joined = " ".join(words)
    return 2 if any(label.startswith(joined) for label in labels) else 3


def search(axis: Axis, query: str, limit: int = 200) -> list[CodeOptionOut]:
    """The codes of `axis` matching `query` (every code for a blank query), best first."""
    if axis not in AXES:
        raise InvalidInput("axis", f"one of {', '.join(AXES)}")
    words = _norm(query).split()
    found: list[tuple[int, int, Morphology | Topography]] = []
    for i, entry in enumerate(_entries(axis)):
        rank = _rank(entry, query, words) if words else 3
        if rank is not None:
            found.append((rank, i, entry))
    if any(rank <= 1 for rank, _, _ in found):  # a code was typed: codes only ("C41.4")
        found = [f for f in found if f[0] <= 1]
    found.sort(key=lambda t: (t[0], t[1]))
    return [CodeOptionOut(code=e.code, label_en=e.label_en, label_ru=e.label_ru)
            for _, _, e in found[:limit]]


def option(axis: Axis, code: str) -> CodeOptionOut:
    """The one entry of `code` (InvalidInput naming the axis when unknown)."""
    for e in _entries(axis):
        if e.code == code:
            return CodeOptionOut(code=e.code, label_en=e.label_en, label_ru=e.label_ru)
    raise InvalidInput(f"{axis}_code", f"unknown ICD-O-3 {axis} code {code!r}")
