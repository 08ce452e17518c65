"""The audit chain: every read and write is recorded; tampering is detected."""

from itertools import pairwise

import pytest
from sqlalchemy import select, text

from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.store.db import Database
from rareonco.store.tables.audit import AuditEntry


def _disable_triggers(db: Database, session) -> None:
    if db.dialect == "sqlite":
        session.execute(text("DROP TRIGGER audit_log_no_update"))
        session.execute(text("DROP TRIGGER audit_log_no_delete"))
    else:
        session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))


def test_chain_verifies_and_detects_a_changed_entry(db: Database) -> None:
    actor = Actor(7, "dr.who", "clinician", "10.0.0.1")
    with db.session() as s:
        for i in range(5):
            audit.record(s, actor, "read", f"patient/{i}")
    with db.session() as s:
        result = audit.verify(s)
    assert result.ok and result.entries == 5
    with db.session() as s:
        _disable_triggers(db, s)
        s.execute(text("UPDATE audit_log SET resource = 'patient/99' WHERE seq = 3"))
    with db.session() as s:
        result = audit.verify(s)
    assert result.first_broken_seq == 3
    assert "hash" in result.reason


def test_chain_detects_a_removed_entry(db: Database) -> None:
    actor = Actor(7, "dr.who", "clinician", "10.0.0.1")
    with db.session() as s:
        for i in range(4):
            audit.record(s, actor, "read", f"patient/{i}")
    with db.session() as s:
        _disable_triggers(db, s)
        s.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    with db.session() as s:
        result = audit.verify(s)
    assert result.first_broken_seq == 4


def test_entries_record_who_what_when_where(db: Database) -> None:
    with db.session() as s:
        audit.record(s, Actor(3, "desk", "coordinator", "192.0.2.7"), "update", "patient/12",
                     "phone")
    with db.session() as s:
        e = s.scalars(select(AuditEntry)).one()
    assert (e.username, e.action, e.resource, e.client, e.detail) == (
        "desk", "update", "patient/12", "192.0.2.7", "phone")
    assert e.at is not None and len(e.hash) == 64


AWKWARD = ['quote " and backslash \\ ', "new\nline\ttab\rcr\bbs\fff", "ctrl \x01\x1f\x7f",
           "Иванов Ғайрат ўзбек", "emoji 🦴 and 中文", "u2028 \u2028 u2029 \u2029", "", "/"]


def test_every_path_writes_the_hash_verify_expects(db: Database) -> None:
    """Entries appended by PostgreSQL's server-side `audit_append` (or SQLite's Python path),
    in writing transactions and in read sessions' group commits, with strings that need JSON
    escaping, verify with the Python `entry_hash`: the two implementations agree byte for
    byte."""
    with db.session() as s:
        for i, value in enumerate(AWKWARD):
            audit.record(s, Actor(i or None, value or "x", "clinician", value), "read",
                         f"patient/{i}", value)
    with db.session(read=True) as s:  # deferred: appended by the group commit
        for value in AWKWARD:
            audit.record(s, Actor(None, "system", "admin", "local"), "search", "patients", value)
    with db.session(read=True, only_reads=True) as s:
        audit.record(s, Actor(5, "r", "researcher", "::1"), "read", "case/1", "one")
    with db.session() as s:
        result = audit.verify(s)
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert result.ok, result
        assert result.entries == 2 * len(AWKWARD) + 1
        assert [r.detail for r in rows[:len(AWKWARD)]] == AWKWARD  # stored as given
        assert rows[0].user_id is None and rows[1].user_id == 1
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert all(r.prev_hash == p.hash for p, r in pairwise(rows))
        head = s.execute(text("SELECT seq, hash FROM audit_head")).one()
    assert tuple(head) == (rows[-1].seq, rows[-1].hash)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite appends in Python
def test_postgresql_appends_in_one_server_call(db: Database) -> None:
    """On PostgreSQL the chain grows by `audit_append`: a change made there and not in Python
    (or the reverse) would break `verify` above; here, that the function is what runs."""
    assert db.dialect == "postgresql"
    with db.session() as s:
        s.execute(text("SELECT audit_append(CAST(:e AS jsonb))"), {"e": (
            '[{"at": "2026-01-02T03:04:05.000006+00:00", "user_id": 9, "username": "u",'
            ' "action": "read", "resource": "patient/1", "client": "c", "detail": "d\\u00e9"}]')})
    with db.session() as s:
        e = s.scalars(select(AuditEntry)).one()
        assert audit.verify(s).ok
    assert (e.seq, e.user_id, e.detail, e.prev_hash) == (1, 9, "dé", audit.GENESIS)
    assert e.hash == audit.entry_hash(audit.GENESIS, 1, e.at, 9, "u", "read", "patient/1", "c",
                                      "dé")
