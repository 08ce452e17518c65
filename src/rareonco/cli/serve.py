"""`rareonco serve`: run the web app."""

from __future__ import annotations

import typer
from rich.console import Console


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    demo: bool = typer.Option(False, "--demo", help="load the demo cases and accounts first"),
    workers: int = typer.Option(1, help="worker processes"),
) -> None:
    """Upgrade the database, optionally load the demo, and serve the web app and API."""
    import uvicorn

    from rareonco.cli._common import open_database
    from rareonco.demo.loader import load_demo

    settings, db = open_database()
    console = Console()
    if demo:
        summary = load_demo(db)
        console.print(summary.describe())
    console.print(f"RareOnco on http://{host}:{port}  (database: {db.url.split('@')[-1]})")
    db.dispose()
    uvicorn.run("rareonco.web.asgi:app", host=host, port=port, workers=workers,
                log_level="info")
