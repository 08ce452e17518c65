"""JSON API under /api/v1: one router per resource, one module per router.

Every module in this package that defines `router` is included (in name order), so a
feature adds its API by adding a module here.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

api_router = APIRouter(prefix="/api/v1")
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    if hasattr(_module, "router"):
        api_router.include_router(_module.router)
