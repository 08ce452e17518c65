"""Loader of the bundled ICD-O-3 lists (`icdo3.yaml`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from rareonco.errors import InvalidInput

_MORPH_RE = re.compile(r"^\d{4}/[0-9]$")
_TOPO_RE = re.compile(r"^C\d{2}(\.\d)?$")


@dataclass(frozen=True)
class Morphology:
    code: str
    label_en: str
    label_ru: str
    fusions: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Topography:
    code: str
    label_en: str
    label_ru: str


@lru_cache
def _load() -> tuple[dict[str, Morphology], dict[str, Topography]]:
    text = resources.files(__package__).joinpath("icdo3.yaml").read_text(encoding="utf-8")
    return _parse(text)


def _parse(text: str) -> tuple[dict[str, Morphology], dict[str, Topography]]:
    """Validate and index the YAML code lists (codes well-formed and unique)."""
    raw = yaml.safe_load(text)
    morph: dict[str, Morphology] = {}
    for item in raw["morphology"]:
        code = item["code"]
        if not _MORPH_RE.match(code) or code in morph:
            raise ValueError(f"icdo3.yaml: bad or duplicate morphology code {code!r}")
        morph[code] = Morphology(code, item["en"], item["ru"], tuple(item.get("fusions", ())))
    topo: dict[str, Topography] = {}
    for item in raw["topography"]:
        code = item["code"]
        if not _TOPO_RE.match(code) or code in topo:
            raise ValueError(f"icdo3.yaml: bad or duplicate topography code {code!r}")
        topo[code] = Topography(code, item["en"], item["ru"])
    return morph, topo


def lookup_morphology(code: str, field_name: str = "morphology") -> Morphology:
    """Return the morphology for an ICD-O-3 code such as ``9180/3``; InvalidInput if unknown."""
    morph, _ = _load()
    if not isinstance(code, str) or not _MORPH_RE.match(code.strip()):
        raise InvalidInput(field_name, f"{code!r} is not an ICD-O-3 morphology code (form 9180/3)")
    try:
        return morph[code.strip()]
    except KeyError:
        raise InvalidInput(field_name, f"unknown ICD-O-3 morphology code {code!r}") from None


def lookup_topography(code: str, field_name: str = "topography") -> Topography:
    """Return the topography for an ICD-O-3 code such as ``C41.4``; InvalidInput if unknown."""
    _, topo = _load()
    if not isinstance(code, str) or not _TOPO_RE.match(code.strip().upper()):
        raise InvalidInput(field_name, f"{code!r} is not an ICD-O-3 topography code (form C41.4)")
    try:
        return topo[code.strip().upper()]
    except KeyError:
        raise InvalidInput(field_name, f"unknown ICD-O-3 topography code {code!r}") from None


def fusions_for(code: str, field_name: str = "morphology") -> tuple[str, ...]:
    """Characteristic fusion genes of the entity with this morphology code (may be empty).

    Source: WHO Classification of Tumours, Soft Tissue and Bone Tumours, 5th ed. (2020), the
    "Genetic profile" of each entity. InvalidInput for an unknown code.
    """
    return lookup_morphology(code, field_name).fusions


def all_morphologies() -> list[Morphology]:
    return list(_load()[0].values())


def all_topographies() -> list[Topography]:
    return list(_load()[1].values())
