"""`store.hot_reads`: the driver-cursor path returns what SQLAlchemy's would, row for row."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import JSON, String, bindparam, cast, select
from sqlalchemy.exc import DBAPIError

from rareonco.demo.synth import load_synthetic
from rareonco.records.cases import service as cases
from rareonco.records.patients import service as patients
from rareonco.security import accounts
from rareonco.security.audit import SYSTEM, Actor
from rareonco.store.db import Database
from rareonco.store.hot_reads import HotRead
from rareonco.store.tables.cases import Case
from rareonco.store.tables.patients import Patient


@pytest.fixture
def recorded(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[tuple[HotRead, dict]]:
    """Every hot read (and its parameters) that searches, case pages and log-ins make."""
    calls: list[tuple[HotRead, dict]] = []
    original = HotRead.rows

    def recording(self: HotRead, conn: Any, params: dict) -> list[Any]:
        calls.append((self, dict(params)))
        return original(self, conn, params)

    with db.session() as s:
        load_synthetic(s, SYSTEM, 120, seed=11)
        user = accounts.create_user(s, "doc", "a-long-password-1", "clinician", "Doc")
        token = accounts.issue(s, user, "api").token
        case_ids = list(s.scalars(select(Case.id).limit(5)))
        mrn = s.execute(select(Patient.mrn).limit(1)).scalar_one()
    actor = Actor(user.id, "doc", "clinician", "test")
    with monkeypatch.context() as patched, db.session(read=True, only_reads=True) as s:
        patched.setattr(HotRead, "rows", recording)
        assert accounts.resolve(s, token, "api").user.username == "doc"
        for q in ("a", "iv", "Иван", "kar yus", mrn, "zzz"):
            for page in (1, 2, 40):
                patients.search(s, actor, patients.SearchFilters(q=q), page, 10)
        for country in ("UZ", "RU", "KZ"):
            for page in (1, 50):
                patients.search(s, actor, patients.SearchFilters(country=country), page, 10)
        for case_id in case_ids:
            cases.read_view(s, actor, case_id)
    return calls


def _typed(rows: list[Any]) -> list[tuple[tuple[type, Any], ...]]:
    return [tuple((type(v), v) for v in row) for row in rows]


def test_hot_reads_match_sqlalchemy(db: Database, recorded: list[tuple[HotRead, dict]]) -> None:
    statements = {id(h) for h, _ in recorded}
    kinds: set[type] = set()
    assert len(statements) >= 8, "searches, case pages and log-ins use hot reads"
    with db.engine.connect() as conn:
        for hot, params in recorded:
            fast = hot.rows(conn, params)
            plain = conn.execute(hot.statement, params).all()
            assert _typed(fast) == _typed(plain), hot.statement
            for f, p in zip(fast, plain, strict=True):
                if not any(k.startswith("_") for k in f._fields):
                    assert f._asdict() == dict(p._mapping)
            if fast:
                assert hot.first(conn, params) == fast[0]
                assert hot.scalar(conn, params) == fast[0][0]
            kinds.update(type(v) for row in fast for v in row)
    assert {int, str, dt.date} <= kinds  # dates come back as dates on both databases


def test_a_driver_error_is_sqlalchemys_error(db: Database) -> None:
    hot = HotRead(select(Case.id).where(Case.id == bindparam("case_id")))
    with db.engine.connect() as conn:
        assert hot.rows(conn, {"case_id": 1}) == []
        if db.dialect == "postgresql":  # SQLite would compare 'x' with the integer and find none
            with pytest.raises(DBAPIError):
                hot.rows(conn, {"case_id": "not a number"})
            conn.rollback()
        assert hot.rows(conn, {"case_id": 2**40 if db.dialect == "sqlite" else 1}) == []


def test_a_parameter_that_needs_processing_takes_the_plain_path(db: Database) -> None:
    """A JSON parameter must be serialised by SQLAlchemy: the statement is not run raw."""
    hot = HotRead(select(cast(bindparam("doc", type_=JSON), String).label("doc")))
    with db.engine.connect() as conn:
        rows = hot.rows(conn, {"doc": {"a": [1, "é"]}})
    assert len(rows) == 1 and json.loads(rows[0].doc) == {"a": [1, "é"]}
    if db.dialect == "postgresql":
        assert hot._planned and hot._plan is None  # marked: not eligible
