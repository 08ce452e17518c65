"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from rareonco import __version__
from rareonco.config import Settings, get_settings
from rareonco.store.db import Database
from rareonco.web.api import api_router
from rareonco.web.errors import install_error_handlers
from rareonco.web.pages import pages_router

STATIC_DIR = Path(__file__).with_name("static")


def _warm_caches() -> None:
    """Load the cached code lists and vocabularies once at start-up, before requests arrive:
    many threads missing the same cache at once would each parse the same files."""
    from rareonco.clinical.codes import all_morphologies
    from rareonco.records.vocab import countries, languages

    all_morphologies()
    countries()
    languages()


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _warm_caches()
        yield
        worker = getattr(app.state, "plan_worker", None)  # CT plan jobs (records.imaging_jobs)
        if worker is not None and hasattr(worker, "shutdown"):
            worker.shutdown()

    app = FastAPI(title="RareOnco", version=__version__, lifespan=lifespan,
                  description="Rare-tumour case management: patients, referrals, cases, "
                              "pathway, timeline, clinical calculators.",
                  docs_url="/api/docs", openapi_url="/api/v1/openapi.json")
    app.state.settings = settings
    app.state.db = db or Database(settings.effective_database_url)
    install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
