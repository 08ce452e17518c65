"""The audit chain: every read and write is recorded; tampering is detected."""

from sqlalchemy import select, text

from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.store.db import Database
from rareonco.store.tables import AuditEntry


def _disable_triggers(db: Database, session) -> None:  # type: ignore[no-untyped-def]
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
