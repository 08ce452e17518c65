"""Cases through the API: diagnosis codes, transitions (409 with allowed states), timeline."""

import pytest


@pytest.fixture
def case(clients, patient_body):
    c = clients["clinician"]
    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    ref = c.post(f"/api/v1/patients/{pid}/referrals", json={
        "referring_institution": "Tashkent Oncology Centre", "country": "UZ",
        "referral_date": "2026-01-12", "reason": "suspected osteosarcoma"}).json()
    r = c.post(f"/api/v1/patients/{pid}/cases", json={
        "referral_id": ref["id"], "morphology_code": "9180/3", "topography_code": "C41.4",
        "laterality": "left", "molecular_findings": []})
    assert r.status_code == 201, r.text
    return r.json()


def test_case_page_json(clients, case) -> None:
    r = clients["clinician"].get(f"/api/v1/cases/{case['id']}")
    body = r.json()
    assert body["diagnosis"]["morphology"] == "Osteosarcoma, NOS"
    assert body["diagnosis"]["topography_code"] == "C41.4"
    assert body["allowed_next"] == ["remote_review", "closed"]


def test_unknown_codes_are_refused(clients, case) -> None:
    r = clients["clinician"].patch(f"/api/v1/cases/{case['id']}",
                                   json={"version": case["version"], "morphology_code": "9999/3"})
    assert r.status_code == 422 and r.json()["field"] == "morphology_code"
    r = clients["clinician"].patch(f"/api/v1/cases/{case['id']}",
                                   json={"version": case["version"], "topography_code": "C99.9"})
    assert r.status_code == 422 and r.json()["field"] == "topography_code"


def test_transitions_and_timeline(clients, case) -> None:
    c, cid = clients["clinician"], case["id"]
    r = c.post(f"/api/v1/cases/{cid}/transitions", json={"to": "in_treatment"})
    assert r.status_code == 409
    assert r.json()["allowed"] == ["remote_review", "closed"]
    assert "remote_review" in r.json()["error"]
    for to in ("remote_review", "accepted", "admitted"):
        r = c.post(f"/api/v1/cases/{cid}/transitions", json={"to": to})
        assert r.status_code == 200, r.text
    timeline = c.get(f"/api/v1/cases/{cid}/timeline").json()
    moves = [e["payload"]["to"] for e in timeline if e["kind"] == "status_change"]
    assert moves == ["remote_review", "accepted", "admitted"]
    assert all(e["author"] == "clinician" for e in timeline)
    r = c.post(f"/api/v1/cases/{cid}/transitions", json={"to": "closed"})
    assert r.status_code == 422 and r.json()["field"] == "reason"


def test_coordinator_moves_logistics_but_not_clinical(clients, case) -> None:
    desk, cid = clients["coordinator"], case["id"]
    assert desk.post(f"/api/v1/cases/{cid}/transitions",
                     json={"to": "remote_review"}).status_code == 200
    assert desk.post(f"/api/v1/cases/{cid}/transitions",
                     json={"to": "accepted"}).status_code == 403


def test_clinical_events_hidden_from_coordinator(clients, case) -> None:
    cid = case["id"]
    r = clients["clinician"].post(f"/api/v1/cases/{cid}/timeline", json={
        "kind": "pathology", "event_date": "2026-02-10", "summary": "high-grade osteosarcoma"})
    assert r.status_code == 201
    assert clients["coordinator"].post(f"/api/v1/cases/{cid}/timeline", json={
        "kind": "pathology", "event_date": "2026-02-10"}).status_code == 403
    clients["coordinator"].post(f"/api/v1/cases/{cid}/timeline", json={
        "kind": "admission", "event_date": "2026-02-02", "summary": "admitted"})
    kinds = [e["kind"] for e in clients["coordinator"].get(f"/api/v1/cases/{cid}/timeline").json()]
    assert kinds == ["admission"]
    assert "diagnosis" not in clients["coordinator"].get(f"/api/v1/cases/{cid}").json()
    r = clients["clinician"].post(f"/api/v1/cases/{cid}/timeline", json={
        "kind": "surgery", "event_date": "2999-01-01"})
    assert r.status_code == 422 and r.json()["field"] == "event_date"
    r = clients["clinician"].post(f"/api/v1/cases/{cid}/timeline", json={
        "kind": "teleportation", "event_date": "2026-01-01"})
    assert r.status_code == 422 and r.json()["field"] == "kind"


def test_documents_checked_by_content_and_size(clients, case, settings) -> None:
    c = clients["coordinator"]
    ref_id = c.get(f"/api/v1/patients/{case['patient_id']}").json()["cases"][0]["id"]
    ref_id = 1 if ref_id else ref_id
    pdf = b"%PDF-1.4\n" + b"x" * 100
    r = c.post(f"/api/v1/referrals/{ref_id}/documents", files={"file": ("h.pdf", pdf)},
               data={"translation_status": "needed"})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "pdf" and len(r.json()["sha256"]) == 64
    r = c.post(f"/api/v1/referrals/{ref_id}/documents", files={"file": ("x.pdf", b"MZ\x90 exe")})
    assert r.status_code == 422 and r.json()["field"] == "file"
    big = b"%PDF-1.4\n" + b"0" * (settings.max_upload_mb * 2**20 + 1)
    r = c.post(f"/api/v1/referrals/{ref_id}/documents", files={"file": ("big.pdf", big)})
    assert r.status_code == 422 and "limit" in r.json()["error"]
    doc = clients["clinician"].get("/api/v1/documents/1")
    assert doc.status_code == 200 and doc.content == pdf
    assert clients["clinician"].get(f"/api/v1/referrals/{ref_id}").json()["documents"][0][
        "translation_status"] == "needed"


def test_case_page_login_roles_and_audit(clients, anon, case, db) -> None:
    """The case page reads in one worker-thread hop (`deps.run_read`): the log-in check, the
    role check and the audit entry must be exactly those of every other endpoint."""
    from sqlalchemy import select

    from rareonco.store.tables.audit import AuditEntry

    url = f"/api/v1/cases/{case['id']}"
    assert anon.get(url).status_code == 401
    assert anon.get(url, headers={"Authorization": "Bearer forged"}).status_code == 401
    assert clients["auditor"].get(url).status_code == 403
    assert clients["coordinator"].get(url).status_code == 200
    assert clients["clinician"].get("/api/v1/cases/999999").status_code == 404
    researcher = clients["researcher"].get(url).json()
    assert researcher["patient"]["deidentified"] and "timeline" not in researcher
    with db.session() as s:
        reads = s.scalars(select(AuditEntry).where(
            AuditEntry.resource == f"case/{case['id']}", AuditEntry.action == "read")).all()
    assert [e.username for e in reads] == ["coordinator", "researcher"]
    assert all(e.detail == f"patient/{case['patient_id']}" and e.client for e in reads)
