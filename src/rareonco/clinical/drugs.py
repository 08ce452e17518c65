"""The drug vocabulary: free text (English, Russian, brand names) to one coded concept.

Every drug a regimen, a prior-treatment entry or a recorded dose names is resolved here, so that
"Adriamycin", "Doxorubicin", " доксорубицин " and "doxorubicin" are the same concept and a
misspelling is refused with suggestions rather than silently left out of a cumulative total.

The concepts are data (``drugs.yaml``, loaded once and validated): ATC codes from the WHO ATC/DDD
Index (WHO Collaborating Centre for Drug Statistics Methodology, whocc.no), Russian INN from the
Russian State Register of Medicinal Products. Liposomal doxorubicin is its own concept (same ATC
code L01DB01, different formulation) so that its cardiotoxicity factor can differ
(:mod:`rareonco.clinical.anthracyclines`).

Matching: Unicode case-folding, hyphens and underscores read as spaces, runs of whitespace
collapsed, "ё" read as "е". Unknown text raises :class:`InvalidInput` naming the field, with up to
three close matches (:func:`difflib.get_close_matches`, cutoff 0.6).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from rareonco.errors import InvalidInput

__all__ = ["Drug", "all_drugs", "drug_by_id", "normalise", "resolve_drug", "vocabulary_version"]


@dataclass(frozen=True)
class Drug:
    """One coded drug concept. ``id`` is the name regimen files use."""

    id: str
    atc: str
    name_en: str
    name_ru: str
    synonyms: tuple[str, ...]
    classes: tuple[str, ...] = ()
    #: A vesicant (extravasation causes necrosis): its administration needs a second person's check.
    vesicant: bool = False


_SPACES = re.compile(r"[\s_\-]+")
_ATC = re.compile(r"^[A-Z]\d\d[A-Z][A-Z]\d\d$")


def normalise(text: str) -> str:
    """The matching key of ``text``: case-folded, hyphens as spaces, whitespace collapsed."""
    return _SPACES.sub(" ", text.casefold().replace("ё", "е")).strip()


@dataclass(frozen=True)
class _Vocabulary:
    version: str
    by_id: Mapping[str, Drug]
    by_key: Mapping[str, str]


def _parse(raw: object) -> _Vocabulary:
    if not isinstance(raw, dict) or not isinstance(raw.get("drugs"), list):
        raise InvalidInput("drugs.yaml", "must be a mapping with a list 'drugs'")
    by_id: dict[str, Drug] = {}
    by_key: dict[str, str] = {}
    for i, item in enumerate(raw["drugs"]):
        try:
            drug = Drug(str(item["id"]), str(item["atc"]), str(item["en"]), str(item["ru"]),
                        tuple(str(s) for s in item.get("synonyms") or ()),
                        tuple(str(c) for c in item.get("classes") or ()),
                        item.get("vesicant") is True)
        except (KeyError, TypeError):
            raise InvalidInput(f"drugs.yaml: drugs.{i}", "needs id, atc, en and ru") from None
        if not _ATC.match(drug.atc):
            raise InvalidInput(f"drugs.yaml: drugs.{i}.atc", f"{drug.atc!r} is not an ATC code")
        by_id[drug.id] = drug
        for name in (drug.id, drug.name_en, drug.name_ru, *drug.synonyms):
            key = normalise(name)
            if by_key.get(key, drug.id) != drug.id:
                raise InvalidInput(f"drugs.yaml: drugs.{i}",
                                   f"{name!r} already names {by_key[key]!r}")
            by_key[key] = drug.id
    return _Vocabulary(str(raw.get("version", "")), by_id, by_key)


@lru_cache(maxsize=1)
def _bundled() -> _Vocabulary:
    text = resources.files(__package__).joinpath("drugs.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text))


def vocabulary_version() -> str:
    return _bundled().version


def all_drugs() -> tuple[Drug, ...]:
    return tuple(_bundled().by_id.values())


def drug_by_id(drug_id: str) -> Drug:
    """The concept with this exact id (regimen files name drugs by id)."""
    try:
        return _bundled().by_id[drug_id]
    except KeyError:
        raise InvalidInput("drug", f"no drug concept with id {drug_id!r}") from None


def resolve_drug(text: object, field: str = "drug") -> Drug:
    """The concept ``text`` names, whatever its case, spacing, language or brand.

    Raises InvalidInput(``field``) for non-text, empty text or an unknown name; the reason lists up
    to three suggestions ("did you mean ...").
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(field, f"must name a drug, got {text!r}")
    vocab = _bundled()
    key = normalise(text)
    if key in vocab.by_key:
        return vocab.by_id[vocab.by_key[key]]
    close = difflib.get_close_matches(key, list(vocab.by_key), n=3, cutoff=0.6)
    hint = ("; did you mean " + ", ".join(sorted({vocab.by_key[c] for c in close}))
            if close else "; not in the drug vocabulary")
    raise InvalidInput(field, f"unknown drug {text!r}{hint}")
