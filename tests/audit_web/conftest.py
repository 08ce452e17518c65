"""Shared fixtures of the auditor's page and inbox tests: a case on a patient, log-in by role."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ..conftest import PASSWORD


@pytest.fixture
def case(clients, patient_body) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    c = clients["clinician"]
    patient = c.post("/api/v1/patients", json=patient_body()).json()
    ref = c.post(f"/api/v1/patients/{patient['id']}/referrals", json={
        "referring_institution": "Tashkent Oncology Centre", "country": "UZ",
        "referral_date": "2026-01-12", "reason": "suspected osteosarcoma"}).json()
    r = c.post(f"/api/v1/patients/{patient['id']}/cases", json={
        "referral_id": ref["id"], "morphology_code": "9180/3", "topography_code": "C41.4",
        "laterality": "left", "molecular_findings": []})
    assert r.status_code == 201, r.text
    return {**r.json(), "patient": patient}


def logged_in(app, role: str, locale: str = "en") -> TestClient:  # type: ignore[no-untyped-def]  # app fixture is untyped
    """A browser of `role` whose interface language is `locale`."""
    c = TestClient(app)
    r = c.post("/login", data={"username": role, "password": PASSWORD, "next": "/"})
    assert r.status_code == 200, r.text  # the role's landing page, after the redirect
    found = re.search(r'"X-CSRF-Token": "([^"]+)"', r.text)
    assert found, "the landing page carries no CSRF token"
    csrf = found.group(1)
    r = c.post("/locale", data={"lang": locale, "next": "/inbox", "csrf_token": csrf},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return c
