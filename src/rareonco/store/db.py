"""Engine and session factory.

SQLite (the default, embedded in the data folder) runs in WAL mode with foreign keys on. A
writing transaction starts with BEGIN IMMEDIATE (it takes the write lock up front, so two
writers never deadlock upgrading a read lock); a read session (`Database.session(read=True)`,
used for GET requests) runs in a plain deferred transaction, so reads run side by side, and its
audit entries are appended afterwards in one short writing transaction (`security.audit`).
PostgreSQL is used when RAREONCO_DATABASE_URL says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
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
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            read = conn.get_execution_options().get("rareonco_read", False)
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


class Database:
    """One engine and its session factory; the app and the CLI each hold one."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self._read_engine = self.engine.execution_options(rareonco_read=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, read: bool = False) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error.

        With `read=True` the audit entries recorded in it are deferred and appended in a
        writing transaction of their own when the block ends; if that fails, the block fails.
        """
        from rareonco.security.audit import flush_deferred

        bind = self._read_engine if read else self.engine
        with self.sessionmaker(bind=bind) as session:
            session.info["audit_deferred"] = read
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            pending = session.info.pop("audit_pending", None)
        if pending:
            with self.sessionmaker() as writer:
                try:
                    flush_deferred(writer, pending)
                    writer.commit()
                except BaseException:
                    writer.rollback()
                    raise

    def dispose(self) -> None:
        self.engine.dispose()
