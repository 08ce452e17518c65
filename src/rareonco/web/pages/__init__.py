"""Server-rendered pages (Jinja2 + htmx, no build step).

The page modules are those the feature list (`rareonco.features`) names, included in name
order; `render.py` holds the shared template environment.
"""

from __future__ import annotations

from fastapi import APIRouter

from rareonco.features import page_modules, routers

pages_router = APIRouter(include_in_schema=False)
for _router in routers("web.pages", page_modules()):
    pages_router.include_router(_router)
