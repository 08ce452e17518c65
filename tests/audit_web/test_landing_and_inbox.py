"""Every role lands on a working page after logging in (ru and en), and each role's inbox holds
its own tasks: inquiries to answer (desk), cases waiting for the board, follow-on tasks of
board decisions, follow-up visits due. SQLite and PostgreSQL (fixture `db_url`)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from rareonco.records.inbox.providers import next_follow_up
from rareonco.store.tables.board import CaseTask
from rareonco.store.tables.cases import Case, TimelineEvent

from ..conftest import PASSWORD, ROLES
from .conftest import logged_in

EXPECTED = {"admin": "/inbox", "clinician": "/", "coordinator": "/inbox",
            "researcher": "/", "auditor": "/audit"}


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_every_role_lands_on_a_working_page(app, locale: str) -> None:
    for role in ROLES:
        c = TestClient(app, headers={"Accept-Language": locale, "Accept": "text/html"})
        r = c.post("/login", data={"username": role, "password": PASSWORD, "next": "/"},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == EXPECTED[role], role
        c.post("/locale", data={"lang": locale, "next": "/", "csrf_token": re.search(
            r'"X-CSRF-Token": "([^"]+)"', c.get(EXPECTED[role]).text).group(1)})  # type: ignore[union-attr]  # the page carries it
        page = c.get(EXPECTED[role])
        assert page.status_code == 200, (role, page.text[:300])
        assert f'<html lang="{locale}">' in page.text
        brand = re.search(r'class="brand" href="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]  # every page has the brand
        assert c.get(brand).status_code == 200, (role, brand)
        for link in re.findall(r'<nav>(.*?)</nav>', page.text, re.S)[0].split('href="')[1:]:
            url = link.split('"')[0]
            assert c.get(url).status_code == 200, (role, url)


def test_a_page_asked_for_before_logging_in_is_kept(app) -> None:
    c = TestClient(app)
    r = c.post("/login", data={"username": "clinician", "password": PASSWORD,
                               "next": "/board"}, follow_redirects=False)
    assert r.headers["location"] == "/board"
    r = c.post("/login", data={"username": "auditor", "password": PASSWORD,
                               "next": "/patients/1"}, follow_redirects=False)
    assert r.headers["location"] == "/audit"


def _kinds(page_text: str) -> list[str]:
    return re.findall(r'<tr data-kind="([a-z_]+)"', page_text)


def test_coordinator_inbox_holds_the_inquiries_to_answer(app, anon) -> None:
    from ..desk.conftest import submit_public

    assert submit_public(anon).status_code == 201
    coordinator = logged_in(app, "coordinator")
    r = coordinator.get("/inbox")
    assert _kinds(r.text) == ["answer_inquiry"] and "Каримова Нилуфар" in r.text
    due = date.today() + timedelta(days=5)
    assert due.strftime("%Y") in r.text and "overdue" not in r.text.split("inbox-tasks")[1]
    assert coordinator.get("/inbox/count").text.count(">1<") == 1
    ru = logged_in(app, "coordinator", "ru")
    assert "Ответить на обращение" in ru.get("/inbox").text
    clinician = logged_in(app, "clinician")
    assert "answer_inquiry" not in _kinds(clinician.get("/inbox").text)  # not assigned to them


def test_clinician_inbox_holds_board_tasks_and_follow_ups(app, db, case) -> None:
    today = date.today()
    with db.session() as s:
        c = s.get(Case, case["id"])
        assert c is not None
        c.status = "diagnosis_confirmed"
    clinician = logged_in(app, "clinician")
    assert _kinds(clinician.get("/inbox").text) == ["board_review"]
    with db.session() as s:
        c = s.get(Case, case["id"])
        assert c is not None
        c.status = "follow_up"
        s.add(TimelineEvent(case_id=c.id, kind="status_change", event_date=today - timedelta(
            days=100), payload={"from": "in_treatment", "to": "follow_up"}))
        s.add(CaseTask(case_id=c.id, kind="plan_resection", title="Plan a resection: surgery",
                       due_date=today + timedelta(days=3)))
    r = clinician.get("/inbox")
    # the 3-month visit of a bone sarcoma (C41.4) is 10 days overdue, the task due in 3 days
    assert _kinds(r.text) == ["follow_up_visit", "plan_resection"]
    assert r.text.count('class="overdue"') == 1 and "1 overdue" in r.text
    ru = logged_in(app, "clinician", "ru")
    text = ru.get("/inbox").text
    assert "Срок контрольного визита" in text and "Запланировать резекцию" in text
    assert "1 просрочена" in text
    with db.session() as s:
        s.add(TimelineEvent(case_id=case["id"], kind="follow_up_visit", event_date=today))
    assert _kinds(clinician.get("/inbox").text) == ["plan_resection"]  # next visit in 3 months
    for role in ("coordinator", "researcher", "auditor"):
        assert _kinds(logged_in(app, role).get("/inbox").text) == [], role


def test_follow_up_schedule_follows_esmo_2021() -> None:
    """Bone sarcoma: every 3 months in years 1-2, every 6 months in years 3-5 (Strauss 2021);
    soft tissue: every 3 months for 3 years (Gronchi 2021)."""
    start = date(2026, 1, 31)
    assert next_follow_up(start, "C41.4", 0) == date(2026, 4, 30)
    assert next_follow_up(start, "C40.2", 8) == date(2028, 7, 31)  # month 30: 6-monthly
    assert next_follow_up(start, "C49.2", 8) == date(2028, 4, 30)  # month 27: still 3-monthly
    assert next_follow_up(start, "C41.4", 1000) is None
