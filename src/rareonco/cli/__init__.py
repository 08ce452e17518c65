"""The `rareonco` command line: thin Typer commands that parse, call a service and print.

Each command group lives in its own module; this module assembles them and turns
`RareOncoError` into a message on standard error and exit status 2.
"""

from __future__ import annotations

import json
import sys

import typer

from rareonco.errors import RareOncoError

from . import admin, calc, course, demo, hipec, plan, serve

app = typer.Typer(
    name="rareonco",
    help="RareOnco: rare-tumour case management for a national reference centre.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve.serve)
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.user_app, name="user")
app.add_typer(admin.audit_app, name="audit")
app.add_typer(demo.app, name="demo")
app.add_typer(calc.app, name="calc")
app.add_typer(course.app, name="course")
app.add_typer(hipec.app, name="hipec")
app.add_typer(plan.app, name="plan")


def main() -> None:
    """Entry point: run the CLI, mapping domain errors to exit status 2."""
    try:
        app()
    except RareOncoError as exc:
        if "--json" in sys.argv or (len(sys.argv) > 1 and sys.argv[1] == "calc"):
            print(json.dumps(exc.to_dict(), ensure_ascii=False))
        print(f"error: {exc.message}", file=sys.stderr)
        sys.exit(2)
