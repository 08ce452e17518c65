"""The international desk through the API: public intake, matching, review, visit, dashboard."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader

from .conftest import PNG, inquiry_body, submit_public


def test_public_inquiry_becomes_referral_case_and_documents(inquiry, clients, db) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    assert inquiry["status"] == "new" and inquiry["source"] == "public"
    assert inquiry["matched_by"] == "new" and inquiry["case_status"] == "referral_received"
    assert [d["kind"] for d in inquiry["documents"]] == ["dicom_zip", "pdf"]
    assert all(len(d["sha256"]) == 64 for d in inquiry["documents"])
    assert {d["translation_status"] for d in inquiry["documents"]} == {"needed"}  # Uzbek
    patient = clients["coordinator"].get(f"/api/v1/patients/{inquiry['patient_id']}").json()
    assert patient["family_name_latin"] == "Karimova" and patient["passport_number"] == "FA9988776"
    case = clients["coordinator"].get(f"/api/v1/cases/{inquiry['case_id']}").json()
    assert "International inquiry INQ-" in case["timeline"][0]["summary"]
    from sqlalchemy import select

    from rareonco.store.tables.audit import AuditEntry

    with db.session() as s:
        who = s.scalars(select(AuditEntry.username).where(
            AuditEntry.resource == f"inquiry/{inquiry['id']}")).all()
    assert "public-inquiry" in who


def test_matching_links_only_on_strong_agreement(anon, clients, inquiry) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    """The identity matcher decides (issue 18): names in either script, birth date, sex,
    passport and country all agreeing link; a given name with a patronymic and no passport,
    or a birth date one day off, go to the coordinator (review); nothing links on one field."""
    r = submit_public(anon, inquiry_body(family_name="Karimova", given_names="Nilufar"), files=[])
    rows = {i["reference"]: i for i in clients["coordinator"].get("/api/v1/desk/inquiries").json()}
    second = rows[r.json()["reference"]]
    assert second["matched_by"] == "link" and second["patient_id"] == inquiry["patient_id"]
    assert second["case_id"] != inquiry["case_id"]
    for over in ({"passport_number": None, "given_names": "Нилуфар Алишеровна"},
                 {"passport_number": None, "birth_date": "2001-06-03"}):
        r = submit_public(anon, inquiry_body(**over), files=[])
        rows = {i["reference"]: i
                for i in clients["coordinator"].get("/api/v1/desk/inquiries").json()}
        held = rows[r.json()["reference"]]
        assert held["matched_by"] == "review" and held["patient_id"] is None, over
        assert [c["id"] for c in held["identity_candidates"]] == [inquiry["patient_id"]]


def test_public_form_checks_types_fields_and_rate(anon, app) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    r = submit_public(anon, files=[("files", ("x.exe", b"MZ\x90\x00", "application/pdf"))])
    assert r.status_code == 422 and r.json()["field"] == "file"
    r = submit_public(anon, files=[("files", ("big.pdf", b"%PDF-" + b"0" * 2**20, "x"))])
    assert r.status_code == 422 and "limit" in r.json()["error"]
    r = submit_public(anon, inquiry_body(email=None))
    assert r.status_code == 422 and "e-mail" in r.json()["error"]
    r = submit_public(anon, inquiry_body(citizenship="XX"))
    assert r.status_code == 422 and r.json()["field"] == "citizenship"
    for _ in range(1):  # 4 used above, the 5th passes, the 6th is refused
        assert submit_public(anon, files=[]).status_code == 201
    r = submit_public(anon, files=[])
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_remote_review_and_pathway(inquiry, clients, users) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    desk, doc = clients["coordinator"], clients["clinician"]
    iid = inquiry["id"]
    r = desk.post(f"/api/v1/desk/inquiries/{iid}/assign", json={"reviewer_id": users["coordinator"]})
    assert r.status_code == 422
    r = desk.post(f"/api/v1/desk/inquiries/{iid}/assign", json={"reviewer_id": users["clinician"]})
    assert r.json()["status"] == "in_review" and r.json()["case_status"] == "remote_review"
    assert desk.post(f"/api/v1/desk/inquiries/{iid}/opinion",
                     json={"outcome": "accept"}).status_code == 403
    assert clients["admin"].post(f"/api/v1/desk/inquiries/{iid}/opinion", json={
        "outcome": "more_data"}).status_code == 422
    r = doc.post(f"/api/v1/desk/inquiries/{iid}/opinion", json={
        "outcome": "more_data", "missing_items": ["Biopsy slides for review", "Chest CT"],
        "text": "MRI suggests Ewing sarcoma; histology must be reviewed"})
    body = r.json()
    assert body["status"] == "more_data" and body["case_status"] == "referral_received"
    assert body["first_answer_at"] is not None
    seen_by_desk = desk.get(f"/api/v1/desk/inquiries/{iid}").json()["opinions"][0]
    assert seen_by_desk["missing_items"] == ["Biopsy slides for review", "Chest CT"]
    assert "text" not in seen_by_desk  # clinical text is for clinicians
    doc_id = inquiry["documents"][1]["id"]
    r = desk.put(f"/api/v1/desk/documents/{doc_id}/translation", json={"status": "in_progress"})
    assert r.json()["translation_status"] == "in_progress"
    assert desk.put(f"/api/v1/desk/documents/{doc_id}/translation",
                    json={"status": "maybe"}).status_code == 422
    desk.post(f"/api/v1/desk/inquiries/{iid}/documents",
              files=[("files", ("ct.png", PNG, "image/png"))])
    desk.post(f"/api/v1/desk/inquiries/{iid}/assign", json={"reviewer_id": users["clinician"]})
    r = doc.post(f"/api/v1/desk/inquiries/{iid}/opinion", json={"outcome": "accept",
                                                                "text": "Accept"})
    assert r.json()["status"] == "accepted" and r.json()["case_status"] == "accepted"
    first = r.json()["first_answer_at"]
    assert first == body["first_answer_at"]  # the first answer stays the first


def test_decline_needs_a_reason(inquiry, clients, users) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    iid = inquiry["id"]
    clients["coordinator"].post(f"/api/v1/desk/inquiries/{iid}/assign",
                                json={"reviewer_id": users["clinician"]})
    c = clients["clinician"]
    assert c.post(f"/api/v1/desk/inquiries/{iid}/opinion",
                  json={"outcome": "decline"}).status_code == 422
    r = c.post(f"/api/v1/desk/inquiries/{iid}/opinion",
               json={"outcome": "decline", "reason": "Benign lesion; treat locally"})
    assert r.json()["status"] == "declined" and r.json()["case_status"] == "declined"


def test_visit_letter_and_admission(inquiry, clients, users) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    desk, iid = clients["coordinator"], inquiry["id"]
    arrival = date.today() + timedelta(days=10)
    assert desk.put(f"/api/v1/desk/inquiries/{iid}/visit", json={
        "planned_arrival": arrival.isoformat(), "department": "Bone sarcoma"}).status_code == 409
    desk.post(f"/api/v1/desk/inquiries/{iid}/assign", json={"reviewer_id": users["clinician"]})
    clients["clinician"].post(f"/api/v1/desk/inquiries/{iid}/opinion", json={"outcome": "accept"})
    assert desk.get(f"/api/v1/desk/inquiries/{iid}/invitation.pdf").status_code == 409
    r = desk.put(f"/api/v1/desk/inquiries/{iid}/visit", json={
        "planned_arrival": arrival.isoformat(),
        "planned_departure": (arrival + timedelta(days=30)).isoformat(),
        "department": "Department of bone and soft-tissue sarcomas",
        "interpreter_needed": True, "letter_language": "ru"})
    assert r.status_code == 200, r.text
    for lang, words in (("ru", ["Приглашение на лечение", "Karimova", "Каримова",
                                "переводчик"]),
                        ("en", ["Invitation for medical treatment", "Karimova Nilufar",
                                "Department of bone and soft-tissue sarcomas", "FA9988776"])):
        r = desk.get(f"/api/v1/desk/inquiries/{iid}/invitation.pdf?lang={lang}")
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages
                                ).split())
        for w in words:
            assert w in text, (lang, w, text)
    r = desk.post(f"/api/v1/desk/inquiries/{iid}/arrival", json={
        "arrival_date": date.today().isoformat(), "admission_date": date.today().isoformat()})
    assert r.json()["status"] == "admitted" and r.json()["case_status"] == "admitted"
    case = desk.get(f"/api/v1/cases/{inquiry['case_id']}").json()
    assert [e["kind"] for e in case["timeline"]][-2:] == ["admission", "status_change"] or \
        "admission" in [e["kind"] for e in case["timeline"]]
    assert desk.post(f"/api/v1/desk/inquiries/{iid}/arrival", json={
        "arrival_date": (date.today() + timedelta(days=1)).isoformat()}).status_code == 422
