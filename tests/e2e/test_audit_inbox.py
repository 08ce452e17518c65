"""End to end in Chromium: the auditor lands on the audit log, sees the chain verified, filters
by user and action, exports CSV and JSON (in English and Russian); the coordinator lands on the
task inbox with its count in the menu."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import login

pytestmark = pytest.mark.e2e

TEXT = {"en": {"title": "Audit log", "read": "read", "ok": "verified up to entry",
               "tasks": "Tasks"},
        "ru": {"title": "Журнал аудита", "read": "просмотр", "ok": "проверено до записи",
               "tasks": "Задачи"}}


def _switch(page: Page, lang: str) -> None:
    page.click(f"form.lang button[value={lang}]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_auditor_filters_and_exports(page: Page, lang: str) -> None:
    login(page, "demo")  # a clinician's reads to find
    page.click("text=8806/3")  # the DSRCT case page: a recorded read
    page.wait_for_load_state("networkidle")
    page.click("form.logout button[type=submit]")
    login(page, "auditor")
    assert page.url.endswith("/audit")
    _switch(page, lang)
    t = TEXT[lang]
    expect(page.locator("h1")).to_have_text(t["title"])
    expect(page.get_by_test_id("chain-ok")).to_contain_text(t["ok"])
    page.fill("input[name=username]", "demo")
    page.select_option("select[name=action]", "read")
    page.click("[data-testid=audit-filters] button[type=submit]")
    rows = page.locator("[data-testid=audit-entries] tbody tr")
    expect(rows.first).to_contain_text(t["read"])
    expect(page.locator("[data-testid=audit-entries]")).not_to_contain_text("auditor")
    with page.expect_download() as got:
        page.get_by_test_id("export-csv").click()
    lines = Path(got.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "seq,at,username,action,resource,client,detail" and len(lines) > 1
    assert all(",demo,read," in line for line in lines[1:])
    with page.expect_download() as got:
        page.get_by_test_id("export-json").click()
    entries = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert entries and {(e["username"], e["action"]) for e in entries} == {("demo", "read")}
    page.goto("/audit?action=export&username=auditor")
    expect(rows.first).to_contain_text("format=json;username=demo;action=read")


def test_coordinator_lands_on_the_inbox(page: Page) -> None:
    login(page, "desk")
    assert page.url.endswith("/inbox")
    expect(page.get_by_test_id("nav-inbox")).to_contain_text("Tasks")
    expect(page.get_by_test_id("inbox-tasks")).to_be_visible()
    _switch(page, "ru")
    expect(page.locator("h1")).to_have_text(TEXT["ru"]["tasks"])
    _switch(page, "en")
