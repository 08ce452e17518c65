"""JSON API under /api/v1: one router per resource, one module per router.

Every module in this package that defines `router` is included, so a feature adds its API by
adding a module here. The routers are included in the app one by one under the `/api/v1`
prefix (`API_PREFIX`) rather than nested in one parent router: FastAPI matches a request once
per nesting level, twice over, so a flat list is matched faster. Routes are tried in order, so
the most requested (`MOST_REQUESTED`: patient search, the case page) come first, the rest in
name order; no path of one module is shadowed by another's (`tests/web/test_routes.py`).
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

API_PREFIX = "/api/v1"
MOST_REQUESTED = ("patients", "cases")
api_routers: list[APIRouter] = []
_RANK = {name: k for k, name in enumerate(MOST_REQUESTED)}
for _info in sorted(pkgutil.iter_modules(__path__),
                    key=lambda i: (_RANK.get(i.name, len(_RANK)), i.name)):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    if hasattr(_module, "router"):
        api_routers.append(_module.router)
