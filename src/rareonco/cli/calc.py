"""`rareonco calc NAME`: read one JSON object on stdin, print one JSON object on stdout.

One command per calculator of the shared catalogue (`rareonco.calc.catalogue`). Bad JSON or
invalid input prints `{"error": ..., "field": ...}` on stdout and exits with status 2.
"""

import json
import sys
from collections.abc import Callable
from typing import Any

import typer

from rareonco.calc.catalogue import CALCULATORS, Calculator, run
from rareonco.errors import InvalidInput

from .failures import ReportingGroup, errors_as

app = typer.Typer(
    cls=ReportingGroup,
    help="Clinical calculators: JSON object on stdin -> JSON object on stdout (exit 2 on bad input).",
    no_args_is_help=True,
)


def _reject_constant(token: str) -> float:
    raise ValueError(f"{token} is not a number")


def _emit(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, allow_nan=False))


def _read_payload() -> object:
    text = sys.stdin.read()
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise InvalidInput("body", f"invalid JSON: {exc}") from None


def _command(calc: Calculator) -> Callable[..., None]:
    def command(
        schema: bool = typer.Option(False, "--schema", help="Print the JSON schema of the input."),
        example: bool = typer.Option(False, "--example", help="Print an example input."),
    ) -> None:
        if schema:
            _emit(calc.model.model_json_schema())
            return
        if example:
            _emit(dict(calc.example))
            return
        errors_as(json=True)
        _emit(run(calc.name, _read_payload()))

    command.__doc__ = (
        f"{calc.summary}.\n\nReads a JSON object on stdin, for example:\n\n"
        f"{json.dumps(dict(calc.example))}\n\nSee --schema for every field."
    )
    return command


for _calc in CALCULATORS.values():
    app.command(_calc.name, short_help=_calc.summary)(_command(_calc))
