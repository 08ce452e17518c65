"""The `rareonco` command line: thin Typer commands that parse, call a service and print.

Each command group lives in its own module; this module assembles them, and every
command group is a `failures.ReportingGroup`, the one place that turns a `RareOncoError` (or a
file error) into a message and exit status 2. Commands import the web app, the database and
the imaging stack inside their bodies, so that `rareonco --help` and the pure commands (calc,
course, patient match) start without them.
"""

from __future__ import annotations

import typer

from . import admin, calc, course, demo, hipec, patient, plan, serve
from .failures import ReportingGroup

app = typer.Typer(
    cls=ReportingGroup,
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
app.add_typer(patient.app, name="patient")


def main() -> None:
    """Entry point: run the CLI. Errors are reported in one place, `failures.ReportingGroup`
    (a refused input, a domain rule or a file error: a message and exit status 2)."""
    app()
