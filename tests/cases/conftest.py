"""Helpers for walking a case along the pathway with what each step requires."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def open_case(c: TestClient, patient_body: Any, **case: Any) -> dict[str, Any]:
    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    r = c.post(f"/api/v1/patients/{pid}/cases", json={"molecular_findings": [], **case})
    assert r.status_code == 201, r.text
    return dict(r.json())


def move(c: TestClient, case_id: int, to: str) -> Any:
    return c.post(f"/api/v1/cases/{case_id}/transitions", json={"to": to})


def walk(c: TestClient, case_id: int, *steps: str) -> None:
    for to in steps:
        r = move(c, case_id, to)
        assert r.status_code == 200, r.text


def event(c: TestClient, case_id: int, kind: str, day: str = "2026-02-01",
          **payload: Any) -> None:
    r = c.post(f"/api/v1/cases/{case_id}/timeline",
               json={"kind": kind, "event_date": day, "summary": kind, "payload": payload})
    assert r.status_code == 201, r.text


@pytest.fixture
def admitted(clients: dict[str, TestClient], patient_body: Any) -> int:
    """An admitted case with no diagnosis and no pathology yet."""
    c = clients["clinician"]
    case = open_case(c, patient_body)
    walk(c, case["id"], "remote_review", "accepted", "admitted")
    return int(case["id"])
