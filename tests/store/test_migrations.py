"""Migrations on SQLite and PostgreSQL; the audit table is append-only in the database itself."""

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from rareonco.security import audit
from rareonco.security.audit import SYSTEM
from rareonco.store.db import Database
from rareonco.store.migrate import downgrade, upgrade


def test_upgrade_creates_every_table(db: Database) -> None:
    names = set(inspect(db.engine).get_table_names())
    assert {"patients", "referrals", "documents", "cases", "timeline_events", "audit_log",
            "audit_head", "users", "credentials", "molecular_findings"} <= names


def test_upgrade_is_idempotent_and_downgrade_works(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    downgrade(db_url, "base")
    eng = Database(db_url).engine
    assert "patients" not in inspect(eng).get_table_names()
    upgrade(db_url)
    assert "patients" in inspect(eng).get_table_names()
    eng.dispose()


def test_audit_log_refuses_update_and_delete(db: Database) -> None:
    with db.session() as s:
        audit.record(s, SYSTEM, "read", "patient/1")
    for stmt in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.session() as s:
            s.execute(text(stmt))


def test_sqlite_pragmas(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    database = Database(url)
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
