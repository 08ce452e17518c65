"""`rareonco demo`: the demo cases and synthetic cohorts."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from .failures import ReportingGroup

app = typer.Typer(cls=ReportingGroup, help="Demo data.", no_args_is_help=True)
console = Console()


@app.command("load")
def load() -> None:
    """Load the demo accounts and the two defining cases (idempotent)."""
    from rareonco.cli._common import open_database
    from rareonco.demo.loader import load_demo

    _, db = open_database()
    console.print(load_demo(db).describe())


@app.command("synth")
def synth(
    patients: int = typer.Option(..., "--patients", min=1, max=2_000_000,
                                 help="how many synthetic patients (one case each)"),
    seed: int = typer.Option(0, help="random seed (reproducible cohorts)"),
    registry_only: bool = typer.Option(
        False, "--registry-only",
        help="only registry rows (de-identified facts with follow-up), no patients or cases"),
) -> None:
    """Generate realistic synthetic patients and cases (with their registry rows: relapses and
    deaths at rates by histology) for scale tests."""
    from rareonco.cli._common import open_database
    from rareonco.demo.registry import load_synthetic_registry
    from rareonco.demo.synth import load_synthetic
    from rareonco.security.audit import Actor

    _, db = open_database()
    actor = Actor(None, "demo-synth", "admin", "local")
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=console) as bar:
        if not registry_only:
            task = bar.add_task("patients", total=patients)
            with db.session() as session:
                load_synthetic(session, actor, patients, seed,
                               progress=lambda k: bar.advance(task, k))
        reg = bar.add_task("registry rows", total=patients)
        with db.session() as session:
            n = load_synthetic_registry(session, actor, patients, seed,
                                        progress=lambda k: bar.advance(reg, k))
    console.print(f"added {n} synthetic registry rows" if registry_only
                  else f"added {n} synthetic patients (and {n} registry rows)")
