"""Route order: the API routers are tried in `web.api.api_routers` order (the most requested
first); no route may be shadowed by a route of a router tried before it."""

from __future__ import annotations

import re

import pytest

from rareonco.features import MOST_REQUESTED_API as MOST_REQUESTED
from rareonco.web.api import api_routers


def _routes() -> list:
    return [route for router in api_routers for route in router.routes]


@pytest.mark.parametrize("fill", ["1", "abc", "search", "export", "new"])
def test_no_api_route_is_shadowed(fill: str) -> None:
    """For a path of each route (its parameters filled with `fill`), the first route that
    matches is that route, or a literal path declared for exactly that URL; never a route with
    parameters declared ahead of it."""
    routes = _routes()
    for route in routes:
        path = re.sub(r"\{[^}]+\}", fill, route.path)
        for method in route.methods or ():
            first = next(r for r in routes
                         if method in (r.methods or ()) and r.path_regex.match(path))
            assert first is route or "{" not in first.path, (
                f"{method} {path}: meant for {route.path}, taken by {first.path}")


def test_most_requested_routers_come_first() -> None:
    first_paths = {route.path for router in api_routers[:len(MOST_REQUESTED)]
                   for route in router.routes}
    assert "/patients" in first_paths and "/cases/{case_id}" in first_paths
