"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from rareonco import __version__
from rareonco.clinical.codes import all_morphologies
from rareonco.config import Settings, get_settings
from rareonco.heap import freeze_heap
from rareonco.i18n.vocab import countries, languages
from rareonco.store.db import Database
from rareonco.web.api import API_PREFIX, api_routers
from rareonco.web.error_handlers import install_error_handlers
from rareonco.web.pages import pages_router

STATIC_DIR = Path(__file__).with_name("static")
OPENAPI_URL = "/api/v1/openapi.json"


def _warm_caches() -> None:
    """Load the cached code lists and vocabularies once at start-up, before requests arrive:
    many threads missing the same cache at once would each parse the same files."""
    all_morphologies()
    countries()
    languages()


def _limit_request_threads(threads: int) -> None:
    """Run request handlers on at most `threads` threads (AnyIO's default is 40).

    Handlers spend most of their time in Python and the database driver hands the GIL back
    and forth around every statement; with dozens of runnable threads each hand-back can wait
    a whole switch interval (5 ms) behind the others. A few threads keep the cores busy while
    further requests wait their turn in the event loop, which costs nothing."""
    from anyio import to_thread

    to_thread.current_default_thread_limiter().total_tokens = max(1, threads)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _warm_caches()
        _limit_request_threads(settings.request_threads)
        freeze_heap()  # after the warm-up: see rareonco.heap
        yield
        app.state.read_executor.shutdown(wait=False)
        worker = getattr(app.state, "plan_worker", None)  # CT plan jobs (records.imaging_jobs)
        if worker is not None and hasattr(worker, "shutdown"):
            worker.shutdown()

    app = FastAPI(title="RareOnco", version=__version__, lifespan=lifespan,
                  description="Rare-tumour case management: patients, referrals, cases, "
                              "pathway, timeline, clinical calculators.",
                  docs_url=None, redoc_url=None, openapi_url=OPENAPI_URL)
    app.state.settings = settings
    app.state.db = db or Database(settings.effective_database_url)
    # the threads of the hottest reads (`deps.run_read`), as many as AnyIO's request threads
    app.state.read_executor = ThreadPoolExecutor(max(1, settings.request_threads),
                                                 thread_name_prefix="read")
    install_error_handlers(app)
    for router in api_routers:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(pages_router())
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """Swagger UI served from the package (vendored), so it works without internet."""
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL, title="RareOnco API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
