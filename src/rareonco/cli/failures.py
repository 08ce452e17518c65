"""How a failed command reports itself: the one place that turns an error into a message and an
exit status. Every command group is a `ReportingGroup`, so a `RareOncoError` or a file error
raised anywhere below a command ends as `report(exc)` and exit status 2, whether the CLI runs
from `main()` or under Typer's test runner; no command catches them itself.

A command says how its errors should read before it works: `errors_as(json=True)` for commands
whose output is JSON (the error is then also one JSON object ``{"error", "field"}`` on
standard output), and `field_names` to name a service's field by the option the user typed
(``start`` -> ``--start``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import typer
from typer.core import TyperGroup

from rareonco.errors import InvalidInput, RareOncoError

#: Exit status of a refused input or a domain rule (bad input, not found, conflict...).
EXIT_REFUSED = 2


@dataclass(frozen=True)
class ErrorStyle:
    json: bool = False
    field_names: Mapping[str, str] = field(default_factory=dict)


_DEFAULT = ErrorStyle()
_STYLE: ContextVar[ErrorStyle] = ContextVar("cli_error_style", default=_DEFAULT)


def errors_as(json: bool = False, field_names: Mapping[str, str] | None = None) -> None:
    """Declare, at the start of a command, how its errors are to be reported."""
    _STYLE.set(ErrorStyle(json, dict(field_names or {})))


def report(exc: RareOncoError | OSError) -> int:
    """Print the error (stderr; and JSON on stdout for JSON commands); the exit status."""
    style = _STYLE.get()
    payload: dict[str, object]
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        message, payload = f"{where}{exc.strerror or exc}", {"error": str(exc), "field": None}
    elif isinstance(exc, InvalidInput):
        name = style.field_names.get(exc.field, exc.field)
        message, payload = f"{name}: {exc.reason}", {"error": exc.reason, "field": name}
    else:
        message, payload = exc.message, {**exc.to_dict(), "field": None}
    if style.json:
        print(json.dumps(payload, ensure_ascii=False))
    print(f"error: {message}", file=sys.stderr)
    return EXIT_REFUSED


class ReportingGroup(TyperGroup):
    """A Typer command group whose commands' errors are reported by `report`."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (RareOncoError, OSError) as exc:
            raise typer.Exit(report(exc)) from None
