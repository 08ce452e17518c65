"""Pooled connections: tested after a rest, replaced when dead; sessions that only read."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from rareonco.store import db as store_db
from rareonco.store.db import Database, normalise_url


@pytest.fixture
def pg(pg_session_url: str):
    database = Database(pg_session_url)
    yield database
    database.dispose()


def _backend_pid(database: Database) -> int:
    with database.session() as s:
        return int(s.scalar(text("SELECT pg_backend_pid()")))


def _rest_pooled(database: Database) -> None:
    """Make every pooled connection look rested longer than the limit `_ping_when_idle` reads."""
    for record in list(database.engine.pool._pool.queue):
        record.info["rareonco_checked_in"] -= store_db.PING_AFTER_IDLE_S + 1


def _terminate(url: str, pid: int) -> None:
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    time.sleep(0.2)


def test_a_dead_pooled_connection_is_replaced_after_a_rest(pg: Database, pg_session_url: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The server dropped the pooled connection while it rested: the next session gets a new
    one, and its statement runs."""
    first = _backend_pid(pg)
    _terminate(pg_session_url, first)
    time.sleep(0.05)
    _rest_pooled(pg)
    second = _backend_pid(pg)
    assert second != first
    with pg.session() as s:
        assert s.scalar(text("SELECT 1")) == 1


def test_a_connection_back_moments_ago_is_not_pinged(pg: Database) -> None:
    """Under load a connection goes out again within milliseconds: no ping round trip then;
    after a rest, one."""
    _backend_pid(pg)
    pings: list[object] = []
    original = pg.engine.dialect.do_ping
    pg.engine.dialect.do_ping = lambda conn: pings.append(conn) or original(conn)
    try:
        with pg.session(read=True, only_reads=True) as s:
            s.execute(text("SELECT 1"))
        assert pings == []
        _rest_pooled(pg)
        with pg.session(read=True, only_reads=True) as s:
            s.execute(text("SELECT 1"))
        assert len(pings) == 1
    finally:
        pg.engine.dialect.do_ping = original


def test_a_session_that_only_reads_runs_without_a_transaction_on_postgresql(pg: Database) -> None:
    """Each statement is its own transaction (no BEGIN/COMMIT round trips): two statements a
    moment apart see different transaction start times; an ordinary read session sees one."""
    with pg.session(read=True, only_reads=True) as s:
        first = s.scalar(text("SELECT now()"))
        time.sleep(0.01)
        second = s.scalar(text("SELECT now()"))
    assert second > first
    with pg.session(read=True) as s:
        first = s.scalar(text("SELECT now()"))
        time.sleep(0.01)
        second = s.scalar(text("SELECT now()"))
    assert second == first
    # and the pooled connection is back in its ordinary (transactional) mode afterwards
    with pg.session() as s:
        s.execute(text("CREATE TEMP TABLE t (x int)"))
        s.rollback()
        assert s.scalar(text("SELECT count(*) FROM pg_class WHERE relname = 't'")) == 0


def test_sqlite_sessions_that_only_read_keep_their_transaction(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with database.session(read=True, only_reads=True) as s:
            assert s.connection().in_transaction()
            assert s.scalar(text("SELECT 1")) == 1
    finally:
        database.dispose()
