"""A case with a confirmed diagnosis, some history, and a meeting chaired by the clinician."""

from __future__ import annotations

import re

import pytest

QUORUM_ATTENDEES = [("Dr. Surgeon", "surgical_oncologist"), ("Dr. Chemo", "medical_oncologist"),
                    ("Dr. Radiology", "radiologist"), ("Dr. Pathology", "pathologist")]


def diagnosed_case(c, patient_body, **over):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    pid = c.post("/api/v1/patients", json=patient_body(**over)).json()["id"]
    ref = c.post(f"/api/v1/patients/{pid}/referrals", json={
        "referring_institution": "Tashkent Oncology Centre", "country": "UZ",
        "referral_date": "2026-01-12", "reason": "suspected osteosarcoma"}).json()
    case = c.post(f"/api/v1/patients/{pid}/cases", json={
        "referral_id": ref["id"], "morphology_code": "9180/3", "topography_code": "C41.4",
        "laterality": "left", "grade": "G3", "stage": "IIB", "molecular_findings": [
            {"finding": "TP53 mutation", "gene": "TP53", "method": "NGS"}]}).json()
    r = c.post(f"/api/v1/cases/{case['id']}/timeline", json={
        "kind": "pathology", "event_date": "2026-01-18",
        "summary": "High-grade conventional osteosarcoma"})
    assert r.status_code == 201, r.text  # the pathology the confirmed diagnosis needs
    for to in ("remote_review", "accepted", "admitted", "diagnosis_confirmed"):
        r = c.post(f"/api/v1/cases/{case['id']}/transitions", json={"to": to})
        assert r.status_code == 200, r.text
    for ev in ({"kind": "imaging", "event_date": "2026-01-20", "summary": "MRI pelvis: 92 mm"},
               {"kind": "chemotherapy_cycle", "event_date": "2026-02-01", "summary": "c1",
                "payload": {"regimen": "MAP", "phase": "preoperative"}},
               {"kind": "chemotherapy_cycle", "event_date": "2026-02-22", "summary": "c2",
                "payload": {"regimen": "MAP", "phase": "preoperative"}},
               {"kind": "response_assessment", "event_date": "2026-03-10",
                "summary": "CT: -35 %", "payload": {"recist": "PR"}}):
        assert c.post(f"/api/v1/cases/{case['id']}/timeline", json=ev).status_code == 201
    return case["id"]


@pytest.fixture
def case_id(clients, patient_body):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    return diagnosed_case(clients["clinician"], patient_body)


@pytest.fixture
def meeting(clients, users):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    c = clients["clinician"]
    r = c.post("/api/v1/board/meetings", json={
        "starts_at": "2026-03-15T15:00:00+05:00", "place": "Room 4",
        "chair_id": users["clinician"]})
    assert r.status_code == 201, r.text
    return r.json()


def add_quorum(c, meeting_id, attendees=QUORUM_ATTENDEES):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    """Attendees marked present at a meeting that has started (attendance is not assumed)."""
    for name, spec in attendees:
        r = c.post(f"/api/v1/board/meetings/{meeting_id}/attendees",
                   json={"name": name, "specialty": spec, "present": True})
        assert r.status_code == 201, r.text
    return r.json()


DECISION = {
    "intent": "curative",
    "recommendations": [
        {"kind": "neoadjuvant_chemotherapy", "regimen": "map", "cycles": 4},
        {"kind": "surgery", "surgery_type": "Resection of the sacroiliac region (I+IV)"}],
    "rationale": "Localised high-grade osteosarcoma; good performance status.",
    "dissent": [{"name": "Dr. Radiology", "opinion": "Would add a PET-CT before surgery"}],
    "guideline": "ESMO-EURACAN-GENTURIS 2021 bone sarcoma",
}


def web_login(client, username: str, password: str = "correct-horse-42") -> str:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    """Log a TestClient in through the login form; return the session's CSRF token."""
    r = client.post("/login", data={"username": username, "password": password},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/intake", headers={"accept": "text/html"})
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]  # the page holds the match
