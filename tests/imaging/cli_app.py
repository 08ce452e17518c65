"""A root Typer app with only `plan` mounted, as `rareonco` mounts it (the full CLI imports every group)."""

import typer

from rareonco.cli import plan

root = typer.Typer()
root.add_typer(plan.app, name="plan")
