"""Identity at the desk (issue 18): a public inquiry is matched by the master-patient-index
scorer, never attached on one identifier alone; a coordinator settles a review side by side,
and moves an inquiry linked to the wrong patient. On SQLite and PostgreSQL."""

from __future__ import annotations

from .conftest import PDF, inquiry_body, submit_public

RAKHIMOV = {"family_name": "Рахимов", "given_names": "Азиз", "family_name_latin": "Rakhimov",
            "given_names_latin": "Aziz", "birth_date": "2007-08-11", "sex": "male",
            "passport_number": "FA1234567"}
#: the issue's inquiry: another name and birth date, the same passport number
KARIMOV = {"family_name": "Каримов", "given_names": "Бахром", "birth_date": "2007-03-15",
           "sex": "male", "passport_number": "FA 1234567"}


def _inquiry(clients, reference: str) -> dict:  # type: ignore[no-untyped-def, type-arg]  # pytest fixtures are untyped
    rows = clients["coordinator"].get("/api/v1/desk/inquiries").json()
    return next(i for i in rows if i["reference"] == reference)


def _rakhimov(clients, patient_body) -> int:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    r = clients["coordinator"].post("/api/v1/patients", json=patient_body(**RAKHIMOV))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_same_passport_other_name_and_birth_date_is_review_and_opens_nothing(
        anon, clients, patient_body, users) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    rakhimov = _rakhimov(clients, patient_body)
    files = [("files", ("biopsy.pdf", PDF, "application/pdf"))]
    r = submit_public(anon, inquiry_body(**KARIMOV), files)
    assert r.status_code == 201, r.text
    inq = _inquiry(clients, r.json()["reference"])
    assert inq["status"] == "identity_review" and inq["matched_by"] == "review"
    assert inq["patient_id"] is None and inq["case_id"] is None and inq["documents"] == []
    assert [f["filename"] for f in inq["kept_files"]] == ["biopsy.pdf"]
    [cand] = inq["identity_candidates"]
    assert cand["id"] == rakhimov and cand["outcome"] == "review"
    assert "passport:same" in cand["agreements"]
    assert cand["fields"]["family"] == "conflict" and cand["fields"]["birth_date"] == "conflict"
    assert clients["coordinator"].get(f"/api/v1/patients/{rakhimov}").json()["cases"] == []
    # the coordinator's queue shows it; nothing can be assigned before the identity is settled
    board = clients["coordinator"].get("/api/v1/desk/dashboard").json()
    assert board["by_status"].get("identity_review") == 1
    r = clients["coordinator"].post(f"/api/v1/desk/inquiries/{inq['id']}/assign",
                                    json={"reviewer_id": users["clinician"]})
    assert r.status_code == 409


def test_coordinator_links_then_moves_the_inquiry_to_the_right_patient(
        anon, clients, patient_body) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    c = clients["coordinator"]
    rakhimov = _rakhimov(clients, patient_body)
    r = submit_public(anon, inquiry_body(**KARIMOV))
    inq = _inquiry(clients, r.json()["reference"])
    r = c.post(f"/api/v1/desk/inquiries/{inq['id']}/identity", json={})
    assert r.status_code == 422 and r.json()["field"] == "reason"  # a new person says why
    r = c.post(f"/api/v1/desk/inquiries/{inq['id']}/identity", json={"patient_id": rakhimov})
    assert r.status_code == 200, r.text
    linked = r.json()
    assert linked["status"] == "new" and linked["patient_id"] == rakhimov
    assert linked["matched_by"] == "chosen" and len(linked["documents"]) == 2
    assert linked["kept_files"] == [] and linked["case_status"] == "referral_received"
    r = c.post(f"/api/v1/desk/inquiries/{inq['id']}/identity", json={"patient_id": rakhimov})
    assert r.status_code == 409  # settled once
    # wrong after all: the case, referral and documents move to the right patient
    karimov = c.post("/api/v1/patients", json=patient_body(
        family_name="Каримов", given_names="Бахром", birth_date="2007-03-15",
        passport_number="FB7777777")).json()["id"]
    r = c.post(f"/api/v1/desk/inquiries/{inq['id']}/relink", json={"patient_id": karimov})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = c.post(f"/api/v1/desk/inquiries/{inq['id']}/relink",
               json={"patient_id": karimov, "reason": "another person, same passport typed"})
    assert r.status_code == 200, r.text
    assert r.json()["patient_id"] == karimov and r.json()["matched_by"] == "relinked"
    assert c.get(f"/api/v1/patients/{rakhimov}").json()["cases"] == []
    assert [x["id"] for x in c.get(f"/api/v1/patients/{karimov}").json()["cases"]] == [
        linked["case_id"]]
    ref = c.get(f"/api/v1/referrals/{linked['referral_id']}").json()
    assert ref["patient_id"] == karimov
    entries = clients["auditor"].get("/api/v1/audit", params={"limit": 1000}).json()
    moves = [e for e in entries if e["action"] == "move_case"]
    assert {e["resource"] for e in moves} == {f"patient/{rakhimov}", f"patient/{karimov}"}


def test_strong_agreement_links_and_a_stranger_is_new(anon, clients, patient_body) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    rakhimov = _rakhimov(clients, patient_body)
    same = inquiry_body(family_name="Rakhimov", given_names="Aziz", birth_date="2007-08-11",
                        sex="male", passport_number="FA1234567")
    inq = _inquiry(clients, submit_public(anon, same).json()["reference"])
    assert inq["status"] == "new" and inq["patient_id"] == rakhimov
    assert inq["matched_by"] == "link"
    inq = _inquiry(clients, submit_public(anon, inquiry_body()).json()["reference"])
    assert inq["matched_by"] == "new" and inq["patient_id"] not in (None, rakhimov)
