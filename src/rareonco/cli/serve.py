"""`rareonco serve`: run the web app."""

from __future__ import annotations

import typer
from rich.console import Console

APP = "rareonco.web.asgi:app"


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    demo: bool = typer.Option(False, "--demo", help="load the demo cases and accounts first"),
    workers: int = typer.Option(1, min=1, help="worker processes (connections are shared "
                                               "evenly among them; HIPEC live monitoring "
                                               "keeps its state in one process: use 1 where "
                                               "perfusions are monitored live)"),
    log_level: str = typer.Option("info", help="uvicorn log level: debug, info, warning, error"),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log",
                                    help="log every HTTP request (the audit log records every "
                                         "patient-data access either way)"),
) -> None:
    """Upgrade the database, optionally load the demo, and serve the web app and API."""
    import uvicorn

    from rareonco.cli._common import open_database
    from rareonco.demo.loader import load_demo
    from rareonco.web.serving import run_workers

    if log_level not in ("critical", "error", "warning", "info", "debug", "trace"):
        raise typer.BadParameter(f"unknown log level {log_level!r}", param_hint="--log-level")
    _, db = open_database()
    console = Console()
    if demo:
        summary = load_demo(db)
        console.print(summary.describe())
    console.print(f"RareOnco on http://{host}:{port}  (database: {db.url.split('@')[-1]})")
    db.dispose()
    if workers == 1:
        uvicorn.run(APP, host=host, port=port, log_level=log_level, access_log=access_log)
    else:
        run_workers(uvicorn.Config(APP, host=host, port=port, workers=workers,
                                   log_level=log_level, access_log=access_log))
