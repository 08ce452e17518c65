"""Pathway guard rails: a move without its prerequisites is a 409 naming them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from rareonco.records.cases import pathway

from .conftest import event, move, walk

S, R = pathway.Status, pathway.Requirement
DECISION = {"intent": "curative", "rationale": "Localised disease",
            "recommendations": [{"kind": "neoadjuvant_chemotherapy", "regimen": "MAP",
                                 "cycles": 4}]}
QUORUM = [("Dr. Surgeon", "surgical_oncologist"), ("Dr. Chemo", "medical_oncologist"),
          ("Dr. Radiology", "radiologist"), ("Dr. Pathology", "pathologist")]


def test_rules_are_data() -> None:
    assert pathway.requirements(S.DIAGNOSIS_CONFIRMED) == (
        R.MORPHOLOGY, R.TOPOGRAPHY, R.PATHOLOGY_REPORT)
    assert pathway.requirements(S.BOARD_REVIEWED) == (R.SIGNED_BOARD_DECISION,)
    assert pathway.requirements(S.IN_TREATMENT) == (R.TREATMENT_PLAN,)
    assert pathway.requirements(S.ADMITTED) == ()
    assert all(r in pathway.MESSAGES for r in R)
    text = pathway.missing_message(S.BOARD_REVIEWED, [R.SIGNED_BOARD_DECISION])
    assert text == "cannot move the case to board_reviewed: missing a signed board decision"


def test_board_never_moves_a_case_backwards() -> None:
    assert pathway.board_moves_case(S.DIAGNOSIS_CONFIRMED) is True
    for status in (S.BOARD_REVIEWED, S.IN_TREATMENT, S.FOLLOW_UP):
        assert pathway.board_moves_case(status) is False
    for status in (S.ADMITTED, S.CLOSED, S.DECLINED):
        assert pathway.board_moves_case(status) is None


def test_diagnosis_confirmed_needs_codes_and_pathology(clients: dict[str, TestClient],
                                                       admitted: int) -> None:
    c = clients["clinician"]
    r = move(c, admitted, "diagnosis_confirmed")
    assert r.status_code == 409
    body = r.json()
    assert body["missing"] == ["morphology", "topography", "pathology_report"]
    assert "ICD-O-3 morphology" in body["error"] and "pathology report" in body["error"]
    version = c.get(f"/api/v1/cases/{admitted}").json()["version"]
    assert c.patch(f"/api/v1/cases/{admitted}", json={
        "version": version, "morphology_code": "9180/3",
        "topography_code": "C41.4"}).status_code == 200
    event(c, admitted, "biopsy")  # the procedure is not its result
    assert move(c, admitted, "diagnosis_confirmed").json()["missing"] == ["pathology_report"]
    event(c, admitted, "pathology")
    walk(c, admitted, "diagnosis_confirmed")


def _confirmed(c: TestClient, case_id: int) -> None:
    version = c.get(f"/api/v1/cases/{case_id}").json()["version"]
    c.patch(f"/api/v1/cases/{case_id}", json={"version": version, "morphology_code": "9180/3",
                                              "topography_code": "C41.4"})
    event(c, case_id, "pathology")
    walk(c, case_id, "diagnosis_confirmed")


def _meeting(c: TestClient, users: dict[str, int], starts: datetime) -> dict[str, Any]:
    r = c.post("/api/v1/board/meetings", json={
        "starts_at": starts.isoformat(), "place": "Room 4", "chair_id": users["clinician"]})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _signed(c: TestClient, users: dict[str, int], case_id: int,
            recs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    m = _meeting(c, users, datetime.now(UTC) - timedelta(hours=2))
    for name, spec in QUORUM:
        assert c.post(f"/api/v1/board/meetings/{m['id']}/attendees", json={
            "name": name, "specialty": spec, "present": True}).status_code == 201
    item = c.post(f"/api/v1/board/meetings/{m['id']}/agenda", json={"case_id": case_id}).json()
    dec = c.post(f"/api/v1/board/items/{item['id']}/decision",
                 json={**DECISION, "recommendations": recs or DECISION["recommendations"]})
    r = c.post(f"/api/v1/board/decisions/{dec.json()['id']}/sign")
    assert r.status_code == 200, r.text
    return m


def test_board_reviewed_and_in_treatment_need_their_records(
        clients: dict[str, TestClient], users: dict[str, int], admitted: int) -> None:
    c = clients["clinician"]
    _confirmed(c, admitted)
    r = move(c, admitted, "board_reviewed")
    assert r.status_code == 409 and r.json()["missing"] == ["signed_board_decision"]
    assert "signed board decision" in r.json()["error"]
    _signed(c, users, admitted)  # the signature moves the case forward
    assert c.get(f"/api/v1/cases/{admitted}").json()["status"] == "board_reviewed"
    r = move(c, admitted, "in_treatment")  # chemotherapy recommended, but no course yet
    assert r.status_code == 409 and r.json()["missing"] == ["treatment_plan"]
    assert "chemotherapy course" in r.json()["error"]
    event(c, admitted, "chemotherapy_cycle", regimen="MAP")
    walk(c, admitted, "in_treatment")


def test_a_decision_recommending_surgery_is_a_plan(
        clients: dict[str, TestClient], users: dict[str, int], admitted: int) -> None:
    c = clients["clinician"]
    _confirmed(c, admitted)
    _signed(c, users, admitted, [{"kind": "surgery", "surgery_type": "Hemipelvectomy"}])
    walk(c, admitted, "in_treatment")
    # a later decision (re-discussion) leaves an in-treatment case where it is
    _signed(c, users, admitted, [{"kind": "radiotherapy"}])
    case = c.get(f"/api/v1/cases/{admitted}").json()
    assert case["status"] == "in_treatment"
    moves = [e["payload"]["to"] for e in case["timeline"] if e["kind"] == "status_change"]
    assert moves[-2:] == ["board_reviewed", "in_treatment"]


def test_signing_needs_a_confirmed_diagnosis(
        clients: dict[str, TestClient], users: dict[str, int], admitted: int) -> None:
    c = clients["clinician"]
    m = _meeting(c, users, datetime.now(UTC) - timedelta(hours=2))
    for name, spec in QUORUM:
        c.post(f"/api/v1/board/meetings/{m['id']}/attendees",
               json={"name": name, "specialty": spec, "present": True})
    item = c.post(f"/api/v1/board/meetings/{m['id']}/agenda", json={"case_id": admitted}).json()
    dec = c.post(f"/api/v1/board/items/{item['id']}/decision", json=DECISION).json()
    r = c.post(f"/api/v1/board/decisions/{dec['id']}/sign")
    assert r.status_code == 409 and r.json()["current"] == "admitted"
    assert c.get(f"/api/v1/cases/{admitted}").json()["status"] == "admitted"


def test_the_case_page_says_what_the_next_step_needs(clients: dict[str, TestClient],
                                                     admitted: int) -> None:
    page = clients["clinician"].get(f"/cases/{admitted}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert 'data-testid="requires-diagnosis_confirmed"' in page.text
    assert "a pathology report on the timeline" in page.text
