"""Tumour board through the API: quorum, chair signature, versions, effects on the case."""

from __future__ import annotations

import copy

from .conftest import DECISION, add_quorum


def _item(c, meeting, case_id, question="Limb-salvage possible?\nImplant design?"):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    r = c.post(f"/api/v1/board/meetings/{meeting['id']}/agenda",
               json={"case_id": case_id, "question": question})
    assert r.status_code == 201, r.text
    return r.json()


def test_summary_is_built_from_what_the_case_holds(clients, meeting, case_id) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    item = _item(clients["clinician"], meeting, case_id)
    s = item["summary"]
    assert s["diagnosis"]["morphology_code"] == "9180/3"
    assert s["diagnosis"]["morphology_ru"]
    assert s["diagnosis"]["stage"] == "IIB"
    assert s["molecular"][0]["gene"] == "TP53"
    chemo = [t for t in s["treatment"] if t["kind"] == "chemotherapy"]
    assert chemo == [{"kind": "chemotherapy", "regimen": "MAP", "phase": "preoperative",
                      "cycles": 2, "date": "2026-02-01", "date_to": "2026-02-22",
                      "summary": "MAP (preoperative) × 2"}]
    assert s["response"]["recist"] == "PR"
    assert s["imaging"][0]["summary"].startswith("MRI pelvis")
    assert s["open_questions"] == ["Limb-salvage possible?", "Implant design?"]
    again = clients["clinician"].post(f"/api/v1/board/meetings/{meeting['id']}/agenda",
                                      json={"case_id": case_id})
    assert again.status_code == 409


def test_no_decision_is_signed_without_quorum(clients, meeting, case_id) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    c = clients["clinician"]
    item = _item(c, meeting, case_id)
    dec = c.post(f"/api/v1/board/items/{item['id']}/decision", json=DECISION).json()
    add_quorum(c, meeting["id"], [("Dr. Surgeon", "surgical_oncologist"),
                                  ("Dr. Chemo", "medical_oncologist")])
    r = c.post(f"/api/v1/board/decisions/{dec['id']}/sign")
    assert r.status_code == 409
    assert r.json()["missing"] == ["radiologist", "pathologist"]
    add_quorum(c, meeting["id"], [("Dr. Radiology", "radiologist"),
                                  ("Dr. Pathology", "pathologist")])
    m = c.get(f"/api/v1/board/meetings/{meeting['id']}").json()
    absent = next(a for a in m["attendees"] if a["specialty"] == "pathologist")
    c.put(f"/api/v1/board/attendees/{absent['id']}/presence", json={"present": False})
    r = c.post(f"/api/v1/board/decisions/{dec['id']}/sign")
    assert r.status_code == 409 and r.json()["missing"] == ["pathologist"]
    c.put(f"/api/v1/board/attendees/{absent['id']}/presence", json={"present": True})
    r = c.post(f"/api/v1/board/decisions/{dec['id']}/sign")
    assert r.status_code == 200, r.text


def test_custom_quorum(clients, users, case_id) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    c = clients["clinician"]
    m = c.post("/api/v1/board/meetings", json={
        "starts_at": "2026-03-15T15:00:00", "video_link": "https://meet.example.org/b1",
        "chair_id": users["clinician"], "chair_specialty": "orthopaedic_oncologist",
        "quorum": ["orthopaedic_oncologist", "pathologist"]}).json()
    assert m["quorum"] == {"required": ["orthopaedic_oncologist", "pathologist"],
                           "present": ["orthopaedic_oncologist"], "missing": ["pathologist"],
                           "met": False}
    add_quorum(c, m["id"], [("Dr. Pathology", "pathologist")])
    item = _item(c, m, case_id)
    dec = c.post(f"/api/v1/board/items/{item['id']}/decision", json=DECISION).json()
    assert c.post(f"/api/v1/board/decisions/{dec['id']}/sign").status_code == 200


def test_only_the_chair_signs(clients, users, meeting, case_id) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    c = clients["clinician"]
    add_quorum(c, meeting["id"])
    item = _item(c, meeting, case_id)
    dec = c.post(f"/api/v1/board/items/{item['id']}/decision", json=DECISION).json()
    r = clients["admin"].post(f"/api/v1/board/decisions/{dec['id']}/sign")
    assert r.status_code == 403 and "chair" in r.json()["error"]
    assert clients["coordinator"].post(f"/api/v1/board/decisions/{dec['id']}/sign"
                                       ).status_code == 403
    assert clients["coordinator"].get(f"/api/v1/board/meetings/{meeting['id']}"
                                      ).status_code == 403


def test_signing_moves_the_case_and_creates_tasks(clients, meeting, case_id) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    c = clients["clinician"]
    add_quorum(c, meeting["id"])
    item = _item(c, meeting, case_id)
    dec = c.post(f"/api/v1/board/items/{item['id']}/decision", json=DECISION).json()
    assert dec["recommendations"][0]["regimen"] == "MAP"
    assert c.get(f"/api/v1/cases/{case_id}").json()["status"] == "diagnosis_confirmed"
    signed = c.post(f"/api/v1/board/decisions/{dec['id']}/sign").json()
    assert signed["signed"] and signed["signed_by"] == "Clinician"
    case = c.get(f"/api/v1/cases/{case_id}").json()
    assert case["status"] == "board_reviewed"
    kinds = [e["kind"] for e in case["timeline"]]
    assert kinds[-2:] == ["status_change", "board_decision"]
    event = case["timeline"][-1]
    assert "neoadjuvant chemotherapy: MAP × 4" in event["summary"]
    assert event["payload"]["decision_id"] == dec["id"]
    tasks = c.get(f"/api/v1/cases/{case_id}/board").json()["tasks"]
    assert [(t["kind"], t["status"]) for t in tasks] == [("plan_course", "open"),
                                                         ("plan_resection", "open")]
    assert tasks[0]["title"] == "Plan a course: neoadjuvant chemotherapy: MAP × 4"
    # the coordinator sees the move but not the clinical event
    timeline = clients["coordinator"].get(f"/api/v1/cases/{case_id}/timeline").json()
    assert "board_decision" not in [e["kind"] for e in timeline]


def test_signed_versions_are_never_overwritten(clients, meeting, case_id) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    c = clients["clinician"]
    add_quorum(c, meeting["id"])
    item = _item(c, meeting, case_id)
    v1 = c.post(f"/api/v1/board/items/{item['id']}/decision", json=DECISION).json()
    edited = c.post(f"/api/v1/board/items/{item['id']}/decision",
                    json={**DECISION, "rationale": "Edited draft", "version": v1["version"]})
    assert edited.json()["id"] == v1["id"] and edited.json()["version_no"] == 1
    stale = c.post(f"/api/v1/board/items/{item['id']}/decision",
                   json={**DECISION, "version": v1["version"]})
    assert stale.status_code == 409
    c.post(f"/api/v1/board/decisions/{v1['id']}/sign")
    assert c.post(f"/api/v1/board/decisions/{v1['id']}/sign").status_code == 409
    amended = copy.deepcopy(DECISION)
    amended["recommendations"] = [
        {"kind": "neoadjuvant_chemotherapy", "regimen": "MAP", "cycles": 4},
        {"kind": "radiotherapy", "detail": "if margins are close"}]
    r = c.post(f"/api/v1/board/items/{item['id']}/decision", json=amended)
    assert r.status_code == 422 and r.json()["field"] == "change_note"
    amended["change_note"] = "Surgery replaced by radiotherapy after review of the MRI"
    v2 = c.post(f"/api/v1/board/items/{item['id']}/decision", json=amended).json()
    assert v2["id"] != v1["id"] and v2["version_no"] == 2 and not v2["signed"]
    c.post(f"/api/v1/board/decisions/{v2['id']}/sign")
    got = c.get(f"/api/v1/board/items/{item['id']}").json()
    assert [d["version_no"] for d in got["decisions"]] == [1, 2]
    assert got["decisions"][0]["rationale"] == "Edited draft"  # v1 kept as signed
    assert "Resection" in got["decisions"][0]["recommendations_text"][1]
    assert got["current"]["id"] == v2["id"]
    board = c.get(f"/api/v1/cases/{case_id}/board").json()
    status = {t["kind"]: t["status"] for t in board["tasks"]}
    assert status == {"plan_course": "open", "plan_resection": "cancelled",
                      "plan_radiotherapy": "open"}
    case = c.get(f"/api/v1/cases/{case_id}").json()
    assert [e["kind"] for e in case["timeline"]].count("status_change") == 5  # moved once
    assert "(version 2)" in case["timeline"][-1]["summary"]


def test_decision_is_refused_before_the_diagnosis_is_confirmed(clients, meeting,  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
                                                               patient_body) -> None:
    c = clients["clinician"]
    pid = c.post("/api/v1/patients", json=patient_body(passport_number="X1")).json()["id"]
    cid = c.post(f"/api/v1/patients/{pid}/cases", json={}).json()["id"]
    add_quorum(c, meeting["id"])
    item = _item(c, meeting, cid)
    dec = c.post(f"/api/v1/board/items/{item['id']}/decision", json=DECISION).json()
    r = c.post(f"/api/v1/board/decisions/{dec['id']}/sign")
    assert r.status_code == 409 and r.json()["current"] == "referral_received"
    assert not c.get(f"/api/v1/board/items/{item['id']}").json()["decisions"][0]["signed"]


def test_decision_validation(clients, meeting, case_id) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    c = clients["clinician"]
    item = _item(c, meeting, case_id)
    url = f"/api/v1/board/items/{item['id']}/decision"
    bad = [({**DECISION, "intent": "maybe"}, "intent"),
           ({**DECISION, "recommendations": []}, "recommendations"),
           ({**DECISION, "recommendations": [{"kind": "neoadjuvant_chemotherapy"}]},
            "recommendations.0"),
           ({**DECISION, "recommendations": [{"kind": "neoadjuvant_chemotherapy",
                                               "regimen": "XYZ"}]}, "recommendations.0"),
           ({**DECISION, "recommendations": [{"kind": "follow_up_only"},
                                              {"kind": "radiotherapy"}]}, "body")]
    for body, field in bad:
        r = c.post(url, json=body)
        assert r.status_code == 422, body
        assert r.json()["field"] == field, r.json()
    r = c.post("/api/v1/board/meetings", json={"starts_at": "2026-03-15T15:00:00",
                                               "chair_id": 1})
    assert r.status_code == 422 and "place or a video link" in r.json()["error"]
