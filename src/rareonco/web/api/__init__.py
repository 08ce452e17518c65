"""JSON API under /api/v1: one router per resource, one module per router.

The modules are those the feature list (`rareonco.features`) names. The routers are included in
the app one by one under the `/api/v1` prefix (`API_PREFIX`) rather than nested in one parent
router: FastAPI matches a request once per nesting level, twice over, so a flat list is matched
faster. Routes are tried in order, so the most requested (patient search, the case page) come
first, the rest in name order; no path of one module is shadowed by another's
(`tests/web/test_routes.py`).
"""

from __future__ import annotations

from fastapi import APIRouter

from rareonco.features import api_modules, routers

API_PREFIX = "/api/v1"
api_routers: list[APIRouter] = routers("web.api", api_modules())
