"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, an app, users, clients.

The PostgreSQL variants run against RAREONCO_TEST_PG_URL (CI: 127.0.0.1:5432, database test).
Without a reachable server they skip with the reason, unless RAREONCO_REQUIRE_PG=1 (CI), where
they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from rareonco.config import Settings
from rareonco.store.db import Database, normalise_url
from rareonco.store.migrate import upgrade

PG_URL = os.environ.get("RAREONCO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parent.parent

PASSWORD = "correct-horse-42"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> None:
    """Tests hash many passwords: use the cheapest Argon2id parameters (never in production)."""
    from rareonco.security import passwords

    passwords.use_parameters(time_cost=1, memory_cost=8, parallelism=1)
ROLES = ("admin", "clinician", "coordinator", "researcher", "auditor")


def _pg_available() -> str | None:
    try:
        eng = create_engine(normalise_url(PG_URL), connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}"


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """A database of this pytest process's own (made from PG_URL's server), dropped at the end,
    so parallel test runs on one server never touch each other's tables."""
    reason = _pg_available()
    if reason:
        if os.environ.get("RAREONCO_REQUIRE_PG") == "1":
            pytest.fail(reason + " (RAREONCO_REQUIRE_PG=1: the PostgreSQL tests must run)")
        pytest.skip(reason)
    name = f"rareonco_test_{os.getpid()}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = _with_database(PG_URL, name)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def reset_postgres(url: str) -> None:
    eng = create_engine(normalise_url(url))
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    url = request.getfixturevalue("pg_session_url")
    reset_postgres(url)
    yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret", max_upload_mb=1)


@pytest.fixture
def users(db: Database) -> dict[str, int]:
    from rareonco.security.accounts import create_user

    with db.session() as session:
        return {role: create_user(session, role, PASSWORD, role, role.title()).id
                for role in ROLES}


@pytest.fixture
def app(settings: Settings, db: Database, users: dict[str, int]):
    from rareonco.web.app import create_app

    return create_app(settings, db)


def _token(client: TestClient, username: str) -> str:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@pytest.fixture
def clients(app) -> dict[str, TestClient]:
    """One API client per role, each with its bearer token."""
    out = {}
    for role in ROLES:
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {_token(c, role)}"
        out[role] = c
    return out


@pytest.fixture
def anon(app) -> TestClient:
    return TestClient(app)


def _patient_body(**over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "family_name": "Рахимов", "given_names": "Азиз", "sex": "male",
        "birth_date": "2007-03-14", "citizenship": "UZ", "residence_country": "UZ",
        "preferred_language": "ru", "other_languages": ["uz"], "passport_number": "FA7654321",
    }
    body.update(over)
    return body


@pytest.fixture
def patient_body():
    """A factory of valid patient bodies; keyword arguments override fields."""
    return _patient_body


def browser_session(app, username: str = "clinician") -> tuple[TestClient, str]:
    """Log in through the login form like a browser: a client holding the session cookie, and
    the page's CSRF token for the forms it posts."""
    import re

    c = TestClient(app)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "next": "/"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', c.get("/").text)
    assert csrf, "the page carries no CSRF token"
    return c, csrf.group(1)
