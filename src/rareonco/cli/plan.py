"""`rareonco plan`: placeholder group, filled in by its issue."""

import typer

app = typer.Typer(help="plan commands (not yet available)", no_args_is_help=True)
