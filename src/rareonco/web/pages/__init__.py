"""Server-rendered pages (Jinja2 + htmx, no build step).

The page modules are those the feature list (`rareonco.features`) names, included in name
order; `render.py` holds the shared template environment.
"""

from __future__ import annotations

from fastapi import APIRouter

from rareonco.features import page_modules, routers


def pages_router() -> APIRouter:
    """One router holding every page module's routes (imported here, when the app is built)."""
    router = APIRouter(include_in_schema=False)
    for page_router in routers("web.pages", page_modules()):
        router.include_router(page_router)
    return router
