"""Small validators shared by the clinical rules: each raises InvalidInput naming the field."""

from __future__ import annotations

import math

from rareonco.errors import InvalidInput


def number(value: object, field: str, unit: str = "") -> float:
    """A finite real number (bools refused: ``True`` is not a measurement)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(field, f"must be a number{f' ({unit})' if unit else ''}, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise InvalidInput(field, f"must be finite, got {value!r}")
    return v


def in_range(value: object, field: str, low: float, high: float, unit: str = "") -> float:
    v = number(value, field, unit)
    if not low <= v <= high:
        raise InvalidInput(field, f"must be within {low:g}-{high:g}{f' {unit}' if unit else ''}, got {v:g}")
    return v


def integer(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, f"must be a whole number {low}-{high}, got {value!r}")
    if not low <= value <= high:
        raise InvalidInput(field, f"must be within {low}-{high}, got {value}")
    return value


def choice(value: object, field: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise InvalidInput(field, f"must be one of {', '.join(options)}; got {value!r}")
    return value
