"""Engine and session factory.

SQLite (the default, embedded in the data folder) runs in WAL mode with foreign keys on. A
writing transaction starts with BEGIN IMMEDIATE (it takes the write lock up front, so two
writers never deadlock upgrading a read lock); a read session (`Database.session(read=True)`,
used for GET requests) runs in a plain deferred transaction, so reads run side by side, and its
audit entries are appended afterwards in one short writing transaction (`security.audit`).
PostgreSQL is used when RAREONCO_DATABASE_URL says so.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic_core import from_json
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's own busy handler alone
    fcntl = None  # type: ignore[assignment]  # the module's stand-in where there is none
from sqlalchemy.orm import Session, sessionmaker

from rareonco.features import import_tables


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str) -> Engine:
    """The engine for `url`. JSON columns are parsed by pydantic-core's parser (the standard
    library's costs more than the query on the hot reads: a search page parses 25 values)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=20, json_deserializer=from_json)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event emit BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache per connection
            cur.execute("PRAGMA mmap_size=268435456")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            read = conn.get_execution_options().get("rareonco_read", False)
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, pool_size=20, max_overflow=20, json_deserializer=from_json)
    _ping_when_idle(engine, PING_AFTER_IDLE_S)
    return engine


#: A pooled PostgreSQL connection unused for longer than this is tested before it is handed out.
PING_AFTER_IDLE_S = 5.0


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Test a pooled connection with `SELECT 1` when it comes out of the pool after more than
    `idle_s` seconds of rest; a dead one is replaced before anyone uses it.

    This is SQLAlchemy's "pessimistic" disconnect handling (`pool_pre_ping`) limited to
    connections that have rested: under load a connection goes back and out many times a
    second, and a ping each time is one more round trip per request for a server that was
    answering milliseconds ago. A server that dies while connections are busy still fails
    those statements; SQLAlchemy then invalidates the whole pool, so the requests after them
    connect afresh."""

    @event.listens_for(engine, "checkin")
    def _rested_from(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["rareonco_checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("rareonco_checked_in")
        if since is not None and time.monotonic() - since <= idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)  # what pool_pre_ping runs (in autocommit)
        except Exception as exc:
            # the pool discards this connection and hands out a new one (up to 3 tries)
            raise DisconnectionError(f"pooled connection is dead: {exc}") from exc


class Database:
    """One engine and its session factory; the app and the CLI each hold one."""

    def __init__(self, url: str) -> None:
        import_tables()  # every table mapped before the first session configures the mappers
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self._read_engine = self.engine.execution_options(rareonco_read=True)
        # PostgreSQL, one engine without BEGIN and COMMIT round trips for sessions that only
        # read (see `session`) and for the group commit's one statement (`audit_append`)
        postgres = self.dialect == "postgresql"
        autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._only_reads_engine = autocommit if postgres else self._read_engine
        self._audit_writer = autocommit if postgres else self.engine
        self._audit_group = _GroupCommit(self)
        self.writer_lock = _ProcessWriterLock.for_url(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, read: bool = False, only_reads: bool = False) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error.

        With `read=True` the audit entries recorded in it are deferred and appended in a
        writing transaction of their own when the block ends; if that fails, the block fails.
        `only_reads=True` (with `read`) promises the block writes nothing: on PostgreSQL its
        statements then run without an explicit transaction, which saves the BEGIN and COMMIT
        round trips and changes nothing a reader sees (READ COMMITTED, PostgreSQL's default,
        gives every statement its own snapshot inside a transaction too).
        """
        session = self.open_session(read, only_reads)
        try:
            yield session
        except BaseException:
            self.close_session(session, failed=True)
            raise
        self.close_session(session, failed=False)

    def open_session(self, read: bool = False, only_reads: bool = False) -> Session:
        """A new session (no I/O yet: it connects at its first statement). End it with
        `close_session`; `session()` does both around a block."""
        bind = self.engine
        if read:
            bind = self._only_reads_engine if only_reads else self._read_engine
        session = self.sessionmaker(bind=bind)
        session.info["audit_deferred"] = read
        return session

    def close_session(self, session: Session, failed: bool) -> None:
        """Commit (or, when `failed`, roll back) and close `session`; then append the audit
        entries a read session deferred, waiting until they are committed."""
        try:
            if failed:
                session.rollback()
            else:
                try:
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
            pending = session.info.pop("audit_pending", None)
            append = session.info.pop("audit_append", None)
        finally:
            session.close()
        if pending and not failed:
            self._audit_group.append(append, pending)

    def dispose(self) -> None:
        self.engine.dispose()


#: Writes audit entries on a connection inside its transaction (`security.audit.append_many`).
AuditAppender = Callable[[Connection, list[Any]], None]


def _no_appender(conn: Connection, entries: list[Any]) -> None:
    raise RuntimeError("no audit appender was handed to the group commit")


class _GroupCommit:
    """Appends the deferred audit entries of concurrent read sessions in shared transactions.

    Each caller queues its entries and waits until they are committed. The first caller to
    find no commit running leads: it writes everything queued so far in one transaction, hands
    each caller its outcome, and repeats while more has queued. Under load that is one write
    lock and one commit for many requests, instead of one each (group commit)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._queue: list[tuple[list[Any], _Waiter]] = []
        self._appender: AuditAppender = _no_appender
        self._leading = False

    def append(self, append_many: AuditAppender, entries: list[Any]) -> None:
        """Queue `entries` and wait until they are committed; `append_many(connection,
        entries)` is the audit chain's writer, handed in by the layer that recorded them."""
        waiter = _Waiter()
        with self._lock:
            self._appender = append_many
            self._queue.append((entries, waiter))
            lead = not self._leading
            if lead:
                self._leading = True
        if lead:
            self._lead()
        waiter.done.wait()
        if waiter.error is not None:
            raise waiter.error

    def _lead(self) -> None:
        while True:
            with self._lock:
                batch, self._queue = self._queue, []
                if not batch:
                    self._leading = False
                    return
            error: BaseException | None = None
            try:
                with self._db.writer_lock, self._db._audit_writer.connect() as writer:
                    try:
                        self._appender(writer, [e for entries, _ in batch for e in entries])
                        writer.commit()
                    except BaseException:
                        writer.rollback()
                        raise
            except BaseException as exc:  # every waiter of this batch fails with it
                error = exc
            for _, waiter in batch:
                waiter.error = error
                waiter.done.set()


class _ProcessWriterLock:
    """Queues the group commits of the worker processes sharing one SQLite file.

    SQLite lets one writer in at a time; a writer that finds the lock taken polls with sleeps
    that grow to 100 ms (its busy handler), which under load turns into long tail latencies.
    An exclusive `flock` on a file beside the database wakes the next process as soon as the
    lock is released instead. A no-op for PostgreSQL (row locks queue there) and for SQLite
    databases in memory."""

    def __init__(self, path: str | None) -> None:
        self._path = path
        self._fd: int | None = None
        self._guard = threading.Lock()

    @classmethod
    def for_url(cls, url: str) -> _ProcessWriterLock:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        file = parsed.database if parsed.get_backend_name() == "sqlite" else None
        usable = fcntl is not None and file and file != ":memory:" and not file.startswith(
            "file:")
        return cls(f"{file}-writer.lock" if usable else None)

    def __enter__(self) -> None:
        if self._path is None:
            return
        self._guard.acquire()
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._guard.release()
            raise

    def __exit__(self, *exc: object) -> None:
        if self._path is None:
            return
        try:
            if self._fd is not None:  # opened by __enter__
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._guard.release()


class _Waiter:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None
