"""The hottest read statements, run on PostgreSQL straight on the driver's cursor.

The patient search, the case page and the log-in check run on nearly every request. Through
SQLAlchemy's `Connection.execute` each statement costs about 130 us of CPU on PostgreSQL, of
which psycopg's own execute and fetch are 45 us: the rest is the execution context, result
metadata (psycopg builds a column description object per column for it) and events. A
`HotRead` compiles its statement once per dialect and, on PostgreSQL, runs the SQL text on
the session's own DBAPI connection (same transaction, same pooled connection), returning
named tuples with the statement's column names. On other databases it is a plain
`Connection.execute`, so every path is the same SQL and the same rows.

Only for statements whose parameters and columns need no SQLAlchemy type processing on
psycopg (ints, strings, dates and times, JSON that psycopg parses itself); `HotRead` checks
this when it compiles and otherwise runs through SQLAlchemy. Driver errors become
SQLAlchemy's `DBAPIError` as on the ordinary path, and a lost connection is invalidated.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select


class _DriverPlan(NamedTuple):
    sql: str  # the statement's text, psycopg's %(name)s placeholders
    defaults: dict[str, Any]  # values of the literals bound in the statement
    make_row: Callable[[Iterable[Any]], Any]  # a named tuple of the selected columns, from values


class HotRead:
    """A Core SELECT built once at import, run with `rows`, `first` or `scalar`."""

    def __init__(self, statement: Select[Any], as_given: tuple[str, ...] = ()) -> None:
        """`as_given`: parameters that SQLAlchemy would process but the driver takes as they
        come (a list of ints for an integer ARRAY, say)."""
        self.statement = statement
        self.as_given = as_given
        self._planned = False  # compiled for PostgreSQL yet?
        self._plan: _DriverPlan | None = None  # None once planned: not eligible
        self._lock = threading.Lock()

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[Any]:
        """Every row, as named tuples (`row.name`, `row._asdict()`, unpacking)."""
        if conn.dialect.name != "postgresql":
            return list(conn.execute(self.statement, params).all())
        plan = self._plan if self._planned else self._make_plan(conn)
        if plan is None:
            return list(conn.execute(self.statement, params).all())
        sql, defaults, make_row = plan
        values = {**defaults, **params}
        if not conn.in_transaction():
            conn.begin()  # as `execute` would (autobegin): commit and rollback then reach it
        raw = conn.connection.driver_connection
        if raw is None:  # detached from its driver connection: SQLAlchemy's path reports it
            return list(conn.execute(self.statement, params).all())
        cursor = raw.cursor()
        try:
            cursor.execute(sql, values)
            found = cursor.fetchall()
        except raw.Error as exc:
            invalidated = conn.dialect.is_disconnect(exc, raw, cursor)
            if invalidated:
                conn.invalidate(exc)
            raise DBAPIError.instance(sql, values, exc, type(raw).Error,
                                      connection_invalidated=invalidated) from exc
        finally:
            cursor.close()
        return list(map(make_row, found))

    def first(self, conn: Connection, params: dict[str, Any]) -> Any | None:
        found = self.rows(conn, params)
        return found[0] if found else None

    def scalar(self, conn: Connection, params: dict[str, Any]) -> Any:
        found = self.rows(conn, params)
        return found[0][0] if found else None

    def _make_plan(self, conn: Connection) -> _DriverPlan | None:
        with self._lock:
            if not self._planned:
                self._plan = _compile_for_driver(self.statement, conn, self.as_given)
                self._planned = True
            return self._plan


def _compile_for_driver(statement: Select[Any], conn: Connection, as_given: tuple[str, ...]
                        ) -> _DriverPlan | None:
    """The SQL text, the bound defaults (literals in the statement, processed once) and the
    row type; None when a parameter given at run time or a column needs SQLAlchemy's
    processing, or the names need escaping."""
    dialect = conn.dialect
    compiled = statement.compile(dialect=dialect)
    if compiled.escaped_bind_names or any(p.expanding for p in compiled.binds.values()):
        return None
    defaults = {name: value for name, value in compiled.params.items() if value is not None}
    for name, process in compiled._bind_processors.items():
        if not callable(process):  # a tuple's processors, one per element: not for the driver
            return None
        if name in defaults:
            defaults[name] = process(defaults[name])
        elif name not in as_given:
            return None
    for column in compiled._result_columns:
        if column.type._cached_result_processor(dialect, None) is not None:
            return None
    # an unlabelled column (a bare count) gets a positional name: read it by position
    fields = list(statement.selected_columns.keys())
    row_type = namedtuple("Row", fields, rename=True)  # type: ignore[misc]  # run-time fields
    return _DriverPlan(compiled.string, defaults, row_type._make)
