"""The regimen library: the YAML files bundled in this package, each validated when loaded.

Files are read with :mod:`importlib.resources` so the library works from a wheel as from a source
tree. A file that fails the schema raises :class:`RegimenFileError` naming the file and field;
the bundled library is loaded whole, so one bad file stops every lookup (a dose sheet must never
come from a half-checked library).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from rareonco.errors import InvalidInput

from .schema import Regimen, RegimenFileError, format_validation_error

__all__ = ["all_regimens", "get_regimen", "load_regimen_file", "parse_regimen"]


def parse_regimen(text: str, filename: str) -> Regimen:
    """Validate the YAML ``text`` of a regimen file; ``filename`` is used in error messages."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegimenFileError(filename, "", f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise RegimenFileError(filename, "", "must be a YAML mapping")
    try:
        regimen = Regimen.model_validate(raw)
    except ValidationError as exc:
        raise format_validation_error(filename, exc) from None
    stem = filename.rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".yml")
    if stem.lower() != regimen.id.lower():
        raise RegimenFileError(filename, "id", f"id {regimen.id!r} does not match the file name")
    return regimen


def load_regimen_file(path: str | Path) -> Regimen:
    """Read and validate one regimen file from disk (for files outside the bundled library)."""
    p = Path(path)
    return parse_regimen(p.read_text(encoding="utf-8"), p.name)


@lru_cache(maxsize=1)
def _bundled() -> dict[str, Regimen]:
    found: dict[str, Regimen] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        regimen = parse_regimen(entry.read_text(encoding="utf-8"), entry.name)
        key = regimen.id.upper()
        if key in found:
            raise RegimenFileError(entry.name, "id", f"duplicate regimen id {regimen.id!r}")
        found[key] = regimen
    return found


def all_regimens() -> tuple[Regimen, ...]:
    """Every bundled regimen, ordered by id."""
    return tuple(sorted(_bundled().values(), key=lambda r: r.id))


def get_regimen(regimen_id: str) -> Regimen:
    """The bundled regimen with this id (case-insensitive: ``p6``, ``vdc-ie``).

    Raises InvalidInput(field="regimen") naming the known ids when there is none.
    """
    library = _bundled()
    key = str(regimen_id).strip().upper()
    if key not in library:
        known = ", ".join(sorted(r.id for r in library.values()))
        raise InvalidInput("regimen", f"unknown regimen {regimen_id!r}; known: {known}")
    return library[key]
