"""`rareonco course`: the regimen library and course planning from the command line.

Thin commands: parse, call :mod:`rareonco.regimens`, print. Bad input prints ``error: ...`` on
standard error (and the error as JSON on standard output with ``--json``) and exits with status 2.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from rareonco.errors import InvalidInput
from rareonco.regimens import all_regimens, plan_course
from rareonco.regimens.planning import CoursePlan

from .failures import ReportingGroup, errors_as

app = typer.Typer(
    cls=ReportingGroup,
    help="Chemotherapy regimens and course planning.",
    no_args_is_help=True,
)

# Error fields of the domain named as the options the user typed.
_OPTION_NAMES = {
    "height_cm": "--height-cm",
    "weight_kg": "--weight-kg",
    "start": "--start",
    "regimen": "--regimen",
    "formula": "--bsa-formula",
    "n_cycles": "--cycles",
}

T = TypeVar("T")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("start", f"{text!r} is not a date; use YYYY-MM-DD") from None


@app.command("regimens")
def regimens(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the regimen library: id, name, version, cycles and source."""
    items = all_regimens()
    if as_json:
        typer.echo(json.dumps([
            {
                "id": r.id,
                "name": r.name,
                "version": r.version,
                "status": r.status,
                "cycles": len(r.cycles),
                "cycle_length_days": r.cycle_length_days,
                "repeat_until_progression": r.repeat_until_progression,
                "drugs": list(r.drug_names()),
                "indication": list(r.indication),
                "anthracycline_limit_mg_m2": (
                    r.anthracycline_limit.limit_mg_m2 if r.anthracycline_limit else None
                ),
                "source": r.source,
            }
            for r in items
        ], ensure_ascii=False, indent=2))
        return
    table = Table(title="Regimen library")
    for column in ("id", "name", "version", "status", "cycles", "drugs"):
        table.add_column(column)
    for r in items:
        drugs = ", ".join(r.drug_names())
        table.add_row(r.id, r.name, r.version, r.status, str(len(r.cycles)), drugs)
    Console().print(table)


@app.command("check")
def check() -> None:
    """Check one proposed cycle: JSON object on stdin -> {"may_proceed", "findings",
    "cumulative_doxorubicin_equivalent_mg_m2", ...} on stdout. Omitted lab keys mean "not
    measured". Bad input: {"error", "field"} on stdout, a message on stderr, exit status 2."""
    import sys

    from rareonco.regimens.gate import check_json

    errors_as(json=True)  # fields are the JSON object's, not option names

    def no_constants(token: str) -> float:
        raise ValueError(f"{token} is not a number")

    try:
        payload = json.loads(sys.stdin.read(), parse_constant=no_constants)
    except ValueError as exc:
        raise InvalidInput("body", f"invalid JSON: {exc}") from None
    typer.echo(json.dumps(check_json(payload), ensure_ascii=False, allow_nan=False))


@app.command("plan")
def plan(
    regimen: Annotated[str, typer.Option("--regimen", help="Regimen id, e.g. P6 or MAP.")],
    height_cm: Annotated[float, typer.Option("--height-cm", help="Height in cm.")],
    weight_kg: Annotated[float, typer.Option("--weight-kg", help="Weight in kg.")],
    start: Annotated[str, typer.Option("--start", help="Day 1 of cycle 1 (YYYY-MM-DD).")],
    bsa_formula: Annotated[
        str, typer.Option("--bsa-formula", help="mosteller, dubois or haycock.")
    ] = "mosteller",
    cycles: Annotated[
        int | None, typer.Option("--cycles", help="Plan only this many cycles.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Dose sheet and calendar of a course: BSA, then mg per drug per day for every cycle."""
    errors_as(json=as_json, field_names=_OPTION_NAMES)
    course = plan_course(regimen, _parse_date(start), height_cm, weight_kg,
                         bsa_formula=bsa_formula, n_cycles=cycles)
    if as_json:
        typer.echo(course.to_json(indent=2))
        return
    _print_plan(course)


def _print_plan(course: CoursePlan) -> None:
    console = Console()
    console.print(
        f"[bold]{course.regimen}[/bold] {course.regimen_name} (v{course.regimen_version}, "
        f"{course.regimen_status})\n"
        f"height {course.height_cm:g} cm, weight {course.weight_kg:g} kg, "
        f"BSA {course.bsa_m2:.4f} m2 ({course.bsa_formula})"
    )
    table = Table(title="Dose sheet")
    for column in ("cycle", "start", "drug", "dose", "days", "mg/day", "total mg", "cap"):
        table.add_column(
            column,
            justify="right" if column in ("mg/day", "total mg") else "left",
            no_wrap=column in ("start", "drug", "mg/day", "total mg"),
        )
    for c in course.cycles:
        for i, d in enumerate(c.drugs):
            dose = (
                f"{d.dose_per_m2_mg:g} mg/m2" if d.dose_per_m2_mg is not None
                else f"{d.dose_per_kg_mg:g} mg/kg"
            )
            if d.modification_pct != 100.0:
                dose += f" x {d.modification_pct:g} %"
            cap = ""
            if d.cap_mg is not None:
                cap = f"{d.cap_mg:g} mg/{d.cap_per}" + (
                    f", applied (uncapped {d.uncapped_mg_per_day:.2f})" if d.capped else ""
                )
            table.add_row(
                str(c.number) if i == 0 else "",
                c.start.isoformat() if i == 0 else "",
                d.drug,
                dose,
                ",".join(str(x) for x in d.days),
                f"{d.mg_per_day:.2f}",
                f"{d.total_mg:.2f}",
                cap,
            )
    console.print(table)
