"""Closing an inquiry without an answer on the merits (spam, duplicate, withdrawn): reason
kept and audited, out of the dashboard's open counts, refused twice or on a closed inquiry."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from rareonco.store.tables.audit import AuditEntry

from .conftest import inquiry_body, submit_public


def test_close_as_spam_leaves_the_open_counts(anon, clients, db, inquiry) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    desk = clients["coordinator"]
    other = submit_public(anon, inquiry_body(family_name="Иванов", given_names="Пётр",
                                             passport_number="AB1234567"), files=[]).json()
    assert desk.get("/api/v1/desk/dashboard").json()["open_total"] == 2
    url = f"/api/v1/desk/inquiries/{inquiry['id']}/close"

    r = desk.post(url, json={"reason": "other"})
    assert r.status_code == 422 and "note" in r.text
    assert desk.post(url, json={"reason": "junk"}).status_code == 422
    stale = desk.post(url, json={"reason": "spam", "version": inquiry["version"] + 7})
    assert stale.status_code == 409
    assert clients["researcher"].post(url, json={"reason": "spam"}).status_code == 403

    r = desk.post(url, json={"reason": "spam", "note": "advertising", "version": inquiry["version"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "closed" and body["closed"]["reason"] == "spam"
    assert body["closed"]["note"] == "advertising" and body["closed"]["by"] == "Coordinator"
    assert body["case_status"] == "referral_received"  # the pathway is left alone
    assert desk.post(url, json={"reason": "spam"}).status_code == 409  # only once

    dash = desk.get("/api/v1/desk/dashboard").json()
    assert dash["open_total"] == 1 and "closed" not in dash["by_status"]
    assert all(o["inquiry_id"] != inquiry["id"] for o in dash["overdue"])
    open_refs = [i["reference"] for i in desk.get("/api/v1/desk/inquiries").json()
                 if i["status"] != "closed"]
    assert open_refs == [other["reference"]]
    with db.session() as s:
        entries = s.execute(select(AuditEntry.action, AuditEntry.detail, AuditEntry.username)
                            .where(AuditEntry.resource == f"inquiry/{inquiry['id']}",
                                   AuditEntry.action == "close")).all()
    assert len(entries) == 1 and entries[0].username == "coordinator"
    assert "reason=spam" in entries[0].detail and "advertising" in entries[0].detail


def test_close_from_the_inquiry_page(app, anon, inquiry) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    b = TestClient(app)
    b.post("/login", data={"username": "coordinator", "password": "correct-horse-42"})
    page = b.get(f"/desk/inquiries/{inquiry['id']}", headers={"accept": "text/html"}).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]  # the page holds the match
    assert 'data-testid="close-form"' in page
    form = {"csrf_token": csrf, "reason": "duplicate", "note": "", "version": str(inquiry["version"])}
    r = b.post(f"/desk/inquiries/{inquiry['id']}/close", data=form)
    assert r.status_code == 422 and "which inquiry it duplicates" in r.text
    r = b.post(f"/desk/inquiries/{inquiry['id']}/close", data={**form, "note": "INQ-000001"},
               follow_redirects=False)
    assert r.status_code == 303
    page = b.get(f"/desk/inquiries/{inquiry['id']}", headers={"accept": "text/html"}).text
    assert 'data-testid="close-form"' not in page
    closed = re.search(r'data-testid="closed-reason">([^<]*)', page).group(1)  # type: ignore[union-attr]  # the page holds the match
    assert "Closed as duplicate by Coordinator" in closed and "INQ-000001" in page
    dash = b.get("/desk", headers={"accept": "text/html"}).text
    assert inquiry["reference"] not in dash  # the default list shows open inquiries
    assert inquiry["reference"] in b.get("/desk?status=closed", headers={"accept": "text/html"}).text
