"""Hospitals run offline: the API documentation and every page asset come from the package."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_api_docs_use_only_vendored_assets(anon: TestClient) -> None:
    r = anon.get("/api/docs")
    assert r.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", r.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        assert anon.get(url).status_code == 200, url
    assert anon.get("/api/v1/openapi.json").json()["info"]["title"] == "RareOnco"


def test_favicon(anon: TestClient) -> None:
    r = anon.get("/favicon.ico", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/static/favicon.svg"
    assert anon.get("/static/favicon.svg").headers["content-type"].startswith("image/svg")


def test_login_page_loads_nothing_from_the_internet(anon: TestClient) -> None:
    html = anon.get("/login").text
    assert not re.search(r"""(?:src|href)=["']https?://""", html)
    assert 'href="/static/favicon.svg"' in html
