"""Courses through the API on SQLite and PostgreSQL: planning, prescribing cycles with each gate
rule (block, override with its audit entry, 10 % rule, weight age, pre-checks), roles. The
workflow after the prescription (co-sign, verify, administer) is test_cycle_workflow.py."""

from __future__ import annotations

import pytest

from rareonco.regimens import plan_course

from .cycle_helpers import GOOD_LABS, P6, START, approve, verify_and_give


@pytest.fixture
def case_id(clients, patient_body) -> int:
    c = clients["clinician"]
    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    r = c.post(f"/api/v1/patients/{pid}/cases", json={
        "morphology_code": "8806/3", "topography_code": "C48.1", "molecular_findings": []})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _course(clients, case_id, **over) -> dict:
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/courses", json={**P6, **over})
    assert r.status_code == 201, r.text
    return r.json()


def _labs(clients, case_id, taken_on="2026-01-04", **over) -> None:
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/labs",
                                  json={"taken_on": taken_on, "values": {**GOOD_LABS, **over}})
    assert r.status_code == 201, r.text


def _cycle(clients, course_id, **body):  # prescribe
    body.setdefault("number", 1)
    body.setdefault("start_date", START)
    return clients["clinician"].post(f"/api/v1/courses/{course_id}/cycles", json=body)


def test_library_and_stateless_plan_match_the_cli(clients) -> None:
    ids = [r["id"] for r in clients["researcher"].get("/api/v1/regimens").json()]
    assert {"P6", "MAP"} <= set(ids)
    detail = clients["clinician"].get("/api/v1/regimens/p6").json()
    assert detail["id"] == "P6" and detail["anthracycline_limit_mg_m2"] == 300
    assert clients["clinician"].get("/api/v1/regimens/nope").status_code == 422

    body = {"regimen": "P6", "start": START, "height_cm": 168, "weight_kg": 55}
    r = clients["clinician"].post("/api/v1/courses/plan", json=body)
    assert r.status_code == 200, r.text
    from datetime import date
    assert r.json() == plan_course("P6", date(2026, 1, 5), 168, 55).to_dict()
    c1 = r.json()["cycles"][0]
    cyclo = next(d for d in c1["drugs"] if d["drug"] == "cyclophosphamide")
    vcr = next(d for d in c1["drugs"] if d["drug"] == "vincristine")
    assert cyclo["mg_per_day"] == 3364.37 and vcr["capped"] and vcr["total_mg"] == 2.0
    assert len(r.json()["cycles"]) == 7
    bad = clients["clinician"].post("/api/v1/courses/plan", json={**body, "height_cm": 900})
    assert bad.status_code == 422 and bad.json()["field"] == "height_cm"


def test_plan_save_and_planned_against_given(staff, case_id) -> None:
    clients = staff
    approve(staff, "P6")
    course = _course(clients, case_id)
    assert course["regimen"] == "P6" and course["cycles_planned"] == 7
    assert course["cycles_given"] == 0 and course["next_cycle"] == 1
    assert [c["block"] for c in course["cycles"]] == ["HD-CAV"] * 3 + ["IE"] * 2 + ["HD-CAV", "IE"]
    listed = clients["clinician"].get(f"/api/v1/cases/{case_id}/courses").json()
    assert [c["id"] for c in listed] == [course["id"]]

    _labs(clients, case_id)
    r = _cycle(clients, course["id"])
    assert r.status_code == 201, r.text
    assert r.json()["warnings"] == []
    view = clients["clinician"].get(f"/api/v1/courses/{course['id']}").json()
    assert view["cycles_given"] == 0 and view["next_cycle"] == 2 and view["status"] == "in_progress"
    verify_and_give(staff, course["id"], 1, r.json())
    view = clients["clinician"].get(f"/api/v1/courses/{course['id']}").json()
    assert view["cycles_given"] == 1 and view["next_cycle"] == 2
    given = view["cycles"][0]["given"]
    assert given["start_date"] == START and given["delay_days"] == 0
    cyclo = next(d for d in view["cycles"][0]["drugs"] if d["drug"] == "cyclophosphamide")
    assert [g["given_mg"] for g in cyclo["given"]] == [3364.37, 3364.37]
    assert view["anthracycline"]["case_cumulative_doxorubicin_eq_mg_m2"] == 75.0
    timeline = clients["clinician"].get(f"/api/v1/cases/{case_id}/timeline").json()
    (event,) = [e for e in timeline if e["kind"] == "chemotherapy_cycle"]
    assert event["id"] == given["timeline_event_id"] and "P6 cycle 1 of 7" in event["summary"]

    again = _cycle(clients, course["id"], start_date="2026-01-26")
    assert again.status_code == 409 and "already administered" in again.json()["error"]


def test_anthracycline_limit_needs_an_override_which_is_audited(staff, case_id) -> None:
    clients = staff
    approve(staff, "P6")
    # 250 mg/m2 of doxorubicin given elsewhere: cycle 1 (75) would make 325 > 300 (P6 limit).
    course = _course(clients, case_id, external_anthracyclines=[
        {"drug": "doxorubicin", "dose_mg_m2": 250}])
    _labs(clients, case_id)
    r = _cycle(clients, course["id"])
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "overrides" and "325.0" in body["error"] and "300" in body["error"]
    assert {f["code"] for f in body["findings"]} == {"anthracycline_limit"}
    assert clients["clinician"].get(f"/api/v1/courses/{course['id']}").json()["cycles"][0][
        "given"] is None

    reason = "Tumour board 2026-01-04: LVEF 62 %, benefit outweighs cardiac risk"
    override = {"finding": "anthracycline_limit", "drug": "doxorubicin",
                "reason_code": "tumour_board_decision", "text": reason}
    assert _cycle(clients, course["id"], overrides=[{**override, "text": "  "}]).status_code == 422
    r = _cycle(clients, course["id"], overrides=[override])
    assert r.status_code == 201, r.text
    assert r.json()["overrides"] == [{k: override[k] for k in
                                      ("finding", "drug", "reason_code", "text")}]
    assert r.json()["prescribed_by"] == "clinician" and r.json()["awaiting_cosignature"]
    entries = clients["auditor"].get("/api/v1/audit",
                                     params={"resource": f"course/{course['id']}/cycle/1"}).json()
    overrides = [e for e in entries if e["action"] == "override"]
    assert len(overrides) == 1 and overrides[0]["username"] == "clinician"
    assert overrides[0]["detail"] == (
        f"anthracycline_limit (doxorubicin): tumour_board_decision: {reason}")


def _doses(course: dict, number: int = 1) -> list[dict]:
    return [{"drug": d["drug"], "day": day, "dose_mg": d["mg_per_day"]}
            for d in course["cycles"][number - 1]["drugs"] for day in d["days"]]


def test_dose_more_than_10_percent_off_needs_an_override(staff, case_id) -> None:
    clients = staff
    approve(staff, "P6")
    course = _course(clients, case_id)
    _labs(clients, case_id)
    doses = _doses(course)
    for d in doses:
        if d["drug"] == "cyclophosphamide":
            d["dose_mg"] = round(d["dose_mg"] * 0.75, 1)  # 25 % reduction
    r = _cycle(clients, course["id"], doses=doses)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "overrides"
    assert "-25.0 %" in r.json()["error"]
    assert {f["code"] for f in r.json()["findings"]} == {"dose_deviation"}

    within = [dict(d, dose_mg=round(d["dose_mg"] / 0.75 * 0.92, 1))
              if d["drug"] == "cyclophosphamide" else d for d in doses]
    assert _cycle(clients, course["id"], doses=within).status_code == 201  # 8 % off: no reason


def test_reduction_with_an_override_is_stored(staff, case_id) -> None:
    clients = staff
    approve(staff, "P6")
    course = _course(clients, case_id)
    _labs(clients, case_id)
    doses = _doses(course)
    for d in doses:
        if d["drug"] == "doxorubicin":
            d.update(dose_mg=30.0, reason="75 % dose: grade 3 mucositis after the previous course")
    overrides = [{"finding": "dose_deviation", "drug": "doxorubicin",
                  "reason_code": "toxicity_dose_reduction",
                  "text": "75 % dose: grade 3 mucositis after the previous course"}]
    r = _cycle(clients, course["id"], doses=doses, overrides=overrides)
    assert r.status_code == 201, r.text
    dox = [d for d in r.json()["doses"] if d["drug"] == "doxorubicin"]
    assert all(d["reason"].startswith("75 % dose") and d["deviation_pct"] == -25.1 for d in dox)
    (f,) = [f for f in r.json()["findings"] if f["code"] == "dose_deviation"][:1]
    assert f["severity"] == "override" and r.json()["awaiting_cosignature"]


def test_failed_precheck_needs_an_override_and_missing_ones_block(staff, case_id) -> None:
    clients = staff
    approve(staff, "P6")
    course = _course(clients, case_id)
    _labs(clients, case_id, anc_10e9_l=0.4)  # P6 starts at ANC >= 0.5 (Kushner 1996)
    r = _cycle(clients, course["id"])
    assert r.status_code == 422 and r.json()["field"] == "overrides"
    assert "ANC 0.4" in r.json()["error"]
    r = _cycle(clients, course["id"], overrides=[{
        "finding": "precheck_failed", "reason_code": "counts_recovering_gcsf",
        "text": "G-CSF given; count rising, board agreed"}])
    assert r.status_code == 201, r.text

    other = _course(clients, case_id, concurrent_reason={
        "reason_code": "protocol_amendment", "text": "testing the later start in parallel"})
    # labs older than 7 days do not count: every pre-check is missing, which blocks
    r = _cycle(clients, other["id"], start_date="2026-01-20")
    assert r.status_code == 409, r.text
    assert "precheck_missing" in {f["code"] for f in r.json()["outstanding"]}


def test_stale_weight_warns_and_a_new_weight_moves_the_reference(staff, case_id) -> None:
    clients = staff
    approve(staff, "P6")
    course = _course(clients, case_id, weight_measured_on="2025-12-01")
    _labs(clients, case_id)
    r = _cycle(clients, course["id"])
    assert r.status_code == 201
    (w,) = [f for f in r.json()["warnings"] if f["code"].startswith("weight")]
    assert w["code"] == "weight_stale" and "35 days" in w["message"]
    verify_and_give(staff, course["id"], 1, r.json())

    # The patient lost weight: the planned mg (55 kg) are now > 10 % above the protocol dose.
    c = clients["clinician"]
    assert c.post(f"/api/v1/cases/{case_id}/weights",
                  json={"measured_on": "2026-01-25", "weight_kg": 40}).status_code == 201
    _labs(clients, case_id, taken_on="2026-01-25")
    r = _cycle(clients, course["id"], number=2, start_date="2026-01-26", doses=_doses(course, 2))
    assert r.status_code == 422 and r.json()["field"] == "overrides"
    assert {f["drug"] for f in r.json()["findings"] if f["code"] == "dose_deviation"} >= {
        "cyclophosphamide"}
    r = _cycle(clients, course["id"], number=2, start_date="2026-01-26")  # recomputed doses
    assert r.status_code == 201 and r.json()["weight_kg"] == 40
    assert r.json()["bsa_m2"] == pytest.approx(1.3663, abs=1e-4)


def test_delay_and_order_of_cycles(staff, case_id) -> None:
    clients = staff
    approve(staff, "P6")
    course = _course(clients, case_id)
    _labs(clients, case_id)
    assert _cycle(clients, course["id"]).status_code == 201
    _labs(clients, case_id, taken_on="2026-01-29")
    early = _cycle(clients, course["id"], number=2, start_date="2026-01-05")
    assert early.status_code == 422 and early.json()["field"] == "start_date"
    r = _cycle(clients, course["id"], number=2, start_date="2026-01-30")
    assert r.status_code == 201, r.text
    assert r.json()["delay_days"] == 4 and r.json()["planned_start"] == "2026-01-26"
    assert "delay_without_reason" in {f["code"] for f in r.json()["findings"]}
    assert _cycle(clients, course["id"], number=9).json()["field"] == "number"


def test_adverse_events_are_ctcae_terms_and_grades(clients, case_id) -> None:
    c = clients["clinician"]
    url = f"/api/v1/cases/{case_id}/adverse-events"
    r = c.post(url, json={"term": "Febrile neutropenia", "grade": 3, "onset": "2026-01-14"})
    assert r.status_code == 201 and r.json()["term_checked"]
    r = c.post(url, json={"term": "Febrile neutropenia", "grade": 1, "onset": "2026-01-14"})
    assert r.status_code == 422 and r.json()["field"] == "grade"
    r = c.post(url, json={"term": "Hemorrhagic cystitis", "grade": 2, "onset": "2026-01-15"})
    assert r.status_code == 201 and not r.json()["term_checked"]
    assert c.post(url, json={"term": "Nausea", "grade": 6, "onset": "2026-01-15"}).status_code == 422
    obs = c.get(f"/api/v1/cases/{case_id}/observations").json()
    assert [a["term"] for a in obs["adverse_events"]] == ["Febrile neutropenia",
                                                         "Hemorrhagic cystitis"]
    r = c.post(f"/api/v1/cases/{case_id}/labs", json={"taken_on": "2026-01-04",
                                                      "values": {"sodium": 140}})
    assert r.status_code == 422


@pytest.mark.parametrize("role", ["coordinator", "researcher"])
def test_roles_without_clinical_access_are_refused(clients, case_id, role) -> None:
    course = _course(clients, case_id)
    c = clients[role]
    assert c.get(f"/api/v1/cases/{case_id}/courses").status_code == 403
    assert c.get(f"/api/v1/courses/{course['id']}").status_code == 403
    assert c.post(f"/api/v1/cases/{case_id}/courses", json=P6).status_code == 403
    assert c.post(f"/api/v1/courses/{course['id']}/cycles",
                  json={"number": 1, "start_date": START}).status_code == 403
    assert c.post(f"/api/v1/cases/{case_id}/weights",
                  json={"measured_on": START, "weight_kg": 50}).status_code == 403
    assert c.get(f"/api/v1/cases/{case_id}/response").status_code == 403
    plan = c.post("/api/v1/courses/plan", json={k: P6[k] for k in
                                                ("regimen", "start", "height_cm", "weight_kg")})
    assert plan.status_code == (200 if role == "researcher" else 403)


def test_stop_a_course(staff, case_id, db) -> None:
    """A course stopped after cycle 1 (toxicity): no cycle may follow; the stop is on the case's
    timeline and in the audit log; bad stops are refused naming the field."""
    clients = staff
    approve(staff, "P6")
    course = _course(clients, case_id)
    _labs(clients, case_id)
    r = _cycle(clients, course["id"])
    assert r.status_code == 201
    verify_and_give(staff, course["id"], 1, r.json())
    current = clients["clinician"].get(f"/api/v1/courses/{course['id']}").json()
    url = f"/api/v1/courses/{course['id']}/stop"
    body = {"version": current["version"], "reason": "toxicity", "stopped_on": "2026-01-20",
            "note": "grade 4 neutropenic sepsis"}

    assert clients["coordinator"].post(url, json=body).status_code == 403
    stale = clients["clinician"].post(url, json={**body, "version": current["version"] - 1})
    assert stale.status_code == 409
    for bad, field in (({"reason": "bored"}, "reason"),
                       ({"stopped_on": "2026-01-01"}, "stopped_on"),  # before cycle 1
                       ({"stopped_on": "2999-01-01"}, "stopped_on"),
                       ({"reason": "other", "note": ""}, "note")):
        r = clients["clinician"].post(url, json={**body, **bad})
        assert r.status_code == 422 and r.json()["field"] == field, (bad, r.text)

    r = clients["clinician"].post(url, json=body)
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["status"] == "stopped" and view["cycles_given"] == 1
    assert view["stop"] == {"reason": "toxicity", "on": "2026-01-20",
                            "note": "grade 4 neutropenic sepsis", "by": "clinician"}

    refused = _cycle(clients, course["id"], number=2, start_date="2026-01-26")
    assert refused.status_code == 409 and "stopped" in refused.json()["error"]
    again = clients["clinician"].post(url, json={**body, "version": view["version"]})
    assert again.status_code == 409

    events = clients["clinician"].get(f"/api/v1/cases/{case_id}/timeline").json()
    items = events["items"] if isinstance(events, dict) else events
    stop = [e for e in items if e["payload"].get("stopped")]
    assert len(stop) == 1 and stop[0]["date"] == "2026-01-20"
    assert "stopped after 1 of 7 cycles: toxicity" in stop[0]["summary"]

    from sqlalchemy import select

    from rareonco.store.tables.audit import AuditEntry
    with db.session() as s:
        actions = s.execute(select(AuditEntry.action, AuditEntry.detail).where(
            AuditEntry.resource == f"course/{course['id']}")).all()
    assert ("update", f"case/{case_id};stopped:toxicity") in actions
