"""Server-rendered pages (Jinja2 + htmx, no build step).

Every module in this package that defines `router` is included (in name order), so a feature
adds its pages by adding a module here; `render.py` holds the shared template environment.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

pages_router = APIRouter(include_in_schema=False)
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    if hasattr(_module, "router"):
        pages_router.include_router(_module.router)
