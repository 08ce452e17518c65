"""The auditor's page and API: filters, keyset pages, export (audited), chain check shown with
a tampered row, role restriction, Russian labels. SQLite and PostgreSQL (fixture `db_url`)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from sqlalchemy import text

from rareonco.security import audit
from rareonco.security.audit import SYSTEM, Actor

from .conftest import logged_in


def _page(auditor, **params):  # type: ignore[no-untyped-def]  # test client helper
    r = auditor.get("/api/v1/audit/page", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_filters_by_user_action_patient_and_period(clients, case) -> None:
    clients["coordinator"].get(f"/api/v1/patients/{case['patient']['id']}")
    clients["clinician"].get(f"/api/v1/cases/{case['id']}")
    auditor = clients["auditor"]
    by_user = _page(auditor, username="coordinator")["items"]
    assert by_user and {e["username"] for e in by_user} == {"coordinator"}
    reads = _page(auditor, action="read")["items"]
    assert reads and {e["action"] for e in reads} == {"read"}
    mrn = case["patient"]["mrn"]
    mine = {e["resource"] for e in _page(auditor, patient=mrn)["items"]}
    assert f"patient/{case['patient']['id']}" in mine and f"case/{case['id']}" in mine
    assert mine == {e["resource"] for e in _page(auditor, patient=str(case["patient"]["id"]))[
        "items"]}
    assert all(r.split("/")[0] in ("patient", "case", "referral") for r in mine)
    combined = _page(auditor, patient=mrn, username="clinician", action="read")["items"]
    assert {(e["username"], e["action"], e["resource"]) for e in combined} == {
        ("clinician", "read", f"case/{case['id']}")}
    today = date.today()
    assert _page(auditor, since=today.isoformat(), until=today.isoformat())["items"]
    assert _page(auditor, since=(today + timedelta(days=1)).isoformat())["items"] == []
    r = auditor.get("/api/v1/audit/page", params={"since": today.isoformat(),
                                                  "until": (today - timedelta(days=1)).isoformat()})
    assert r.status_code == 422
    r = auditor.get("/api/v1/audit/page", params={"patient": "NO-SUCH"})
    assert r.status_code == 422 and r.json()["field"] == "patient"


def test_keyset_pages_walk_the_filtered_log_both_ways(db, clients) -> None:
    with db.session() as s:
        for i in range(120):
            audit.record(s, Actor(None, "bulk", "admin"), "read", f"patient/{9000 + i}")
    auditor = clients["auditor"]
    first = _page(auditor, username="bulk")
    seqs = [e["seq"] for e in first["items"]]
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True) and first["newer_than"] is None
    second = _page(auditor, username="bulk", before=first["older_than"])
    third = _page(auditor, username="bulk", before=second["older_than"])
    assert len(second["items"]) == 50 and len(third["items"]) == 20
    assert third["older_than"] is None
    walked = seqs + [e["seq"] for e in second["items"] + third["items"]]
    assert len(set(walked)) == 120 and walked == sorted(walked, reverse=True)
    back = _page(auditor, username="bulk", after=second["newer_than"])
    assert [e["seq"] for e in back["items"]] == seqs and back["newer_than"] is None


def test_export_csv_and_json_is_itself_audited(app, clients, case) -> None:
    auditor = clients["auditor"]
    r = auditor.get("/api/v1/audit/export", params={"format": "csv", "username": "clinician"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {row["username"] for row in rows} == {"clinician"}
    seqs = [int(row["seq"]) for row in rows]
    assert seqs == sorted(seqs)
    r = auditor.get("/api/v1/audit/export", params={"format": "json", "username": "clinician"})
    assert [e["seq"] for e in json.loads(r.text)] == seqs
    exports = _page(auditor, action="export", username="auditor")["items"]
    assert len(exports) == 2 and exports[0]["detail"].startswith("format=json;username=clinician")
    assert exports[1]["detail"] == f"format=csv;username=clinician;entries={len(rows)}"
    assert auditor.get("/api/v1/audit/export", params={"format": "xml"}).status_code == 422
    page = logged_in(app, "auditor")
    r = page.get("/audit/export", params={"format": "csv", "patient": case["patient"]["mrn"]})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert f"case/{case['id']}" in r.text


def _tamper(db, seq: int) -> None:  # type: ignore[no-untyped-def]  # db fixture
    """Change one entry behind the application's back (the triggers refuse it otherwise)."""
    with db.session() as s:
        if s.bind.dialect.name == "postgresql":
            s.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            s.execute(text("DROP TRIGGER audit_log_no_update"))
        s.execute(text("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = :seq"),
                  {"seq": seq})


def test_chain_check_is_shown_and_names_the_first_broken_entry(app, db, case) -> None:
    page = logged_in(app, "auditor")
    r = page.get("/audit")
    assert r.status_code == 200 and 'hx-get="/audit/verify"' in r.text
    r = page.get("/audit/verify")
    assert 'data-testid="chain-ok"' in r.text and "verified up to entry" in r.text
    _tamper(db, 3)
    r = page.get("/audit/verify")
    assert 'data-testid="chain-broken"' in r.text
    assert "broken at entry 3 (verified up to entry 2)" in r.text
    assert "it was changed" in r.text
    ru = logged_in(app, "auditor", "ru")
    r = ru.get("/audit/verify")
    assert "Цепочка нарушена на записи 3" in r.text and "запись изменена" in r.text


def test_only_auditors_and_admins_see_the_log(app, clients) -> None:
    for role in ("clinician", "coordinator", "researcher"):
        assert clients[role].get("/api/v1/audit/page").status_code == 403, role
        assert clients[role].get("/api/v1/audit/export").status_code == 403, role
        page = logged_in(app, role)
        for url in ("/audit", "/audit/verify", "/audit/export?format=csv"):
            assert page.get(url).status_code == 403, (role, url)
        assert 'href="/audit"' not in page.get("/inbox" if role != "researcher" else "/").text
    assert clients["admin"].get("/api/v1/audit/page").status_code == 200
    assert logged_in(app, "admin").get("/audit").status_code == 200


def test_page_filters_and_shows_actions_in_the_users_language(app, clients, case) -> None:
    clients["clinician"].get(f"/api/v1/cases/{case['id']}")
    en = logged_in(app, "auditor")
    r = en.get("/audit", params={"username": "clinician", "action": "read"})
    assert r.status_code == 200 and f"case/{case['id']}" in r.text
    assert '<td data-action="read">read</td>' in r.text and 'data-action="create"' not in r.text
    ru = logged_in(app, "auditor", "ru")
    r = ru.get("/audit", params={"patient": case["patient"]["mrn"]})
    assert "Журнал аудита" in r.text and '<td data-action="create">создание</td>' in r.text
    r = ru.get("/audit", params={"patient": "NO-SUCH"})
    assert r.status_code == 422 and 'data-testid="audit-error"' in r.text
    r = en.get("/audit", params={"since": "yesterday"})
    # the auditor's stored language is Russian since the login above: the reason is translated
    assert r.status_code == 422 and ("not a date" in r.text or "не дата" in r.text)


def test_every_recorded_action_reads_in_russian() -> None:
    from rareonco.i18n.catalogs import translations
    from rareonco.records.audit.vocabulary import _CHAIN_REASONS, ACTIONS

    ru = translations("ru")
    labels = [*ACTIONS.values(), *(label for _, label in _CHAIN_REASONS)]
    assert not [m for m in labels if ru.ugettext(m) == m]
    assert SYSTEM.role == "admin"  # the system actor's entries are filtered like any other
