"""Browser tests: a real server on a free loopback port and Debian's Chromium via Playwright.

Chromium is started with the flags this network needs (no background networking, no component
updates, no sync): without them it keeps reaching for hosts that are refused here.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect

# CI machines are small (2 cores) and the pages load htmx fragments and Plotly after the first
# paint: give assertions 20 s rather than Playwright's default 5 s before they count as failed.
expect.set_options(timeout=20_000)

CHROMIUM = os.environ.get("RAREONCO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from rareonco.config import Settings
    from rareonco.demo.loader import load_demo
    from rareonco.store.db import Database
    from rareonco.store.migrate import upgrade
    from rareonco.web.app import create_app

    data = tmp_path_factory.mktemp("e2e-data")
    settings = Settings(data_dir=data, secret_key="e2e")
    upgrade(settings.effective_database_url)
    db = Database(settings.effective_database_url)
    load_demo(db)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, db), host="127.0.0.1",
                                           port=port, log_level=os.environ.get("RAREONCO_E2E_LOG", "warning")))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: scripts/test.sh installs Debian's "
                    "chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    pg = context.new_page()
    pg.set_default_timeout(30000)
    yield pg
    context.close()


def login(page, username: str = "demo", password: str = "rareonco-demo",
          lang: str | None = "en") -> None:
    """Log in; with ``lang`` (default English) switch the interface to it when the account's
    stored language differs (tests in other languages share the demo accounts)."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    if lang and page.locator("html").get_attribute("lang") != lang:
        page.click(f"form.lang button[value={lang}]")
        page.wait_for_load_state("networkidle")
