"""Users of the cycle workflow (issue 17) beside the shared ones: a pharmacist, two nurses and a
second clinician, each with an API client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PASSWORD = "correct-horse-42"  # as tests/conftest.py creates every test user

EXTRA_USERS = (("pharmacist", "pharmacist"), ("nurse", "nurse"), ("nurse2", "nurse"),
               ("clinician2", "clinician"))


@pytest.fixture
def staff(app, db, clients) -> dict[str, TestClient]:
    """``clients`` plus one client per workflow user (pharmacist, nurse, nurse2, clinician2)."""
    from rareonco.security.accounts import create_user

    with db.session() as session:
        for username, role in EXTRA_USERS:
            create_user(session, username, PASSWORD, role, username.title())
    out = dict(clients)
    for username, _ in EXTRA_USERS:
        c = TestClient(app)
        r = c.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        out[username] = c
    return out
