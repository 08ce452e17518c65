"""Perfusion drug doses on the platform (issue 19, item 6): a dose far beyond the protocol's
range is refused, one beyond it needs a clinical reason, which is stored with the dose."""

from __future__ import annotations

from .conftest import procedure_body


def test_cisplatin_1000_mg_m2_is_refused(clients, case_id) -> None:
    body = procedure_body(drugs=[{"drug": "cisplatin", "dose_mg_m2": 1000}])
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "drugs.0.dose_mg_m2"
    assert "cisplatin 1000 mg/m2" in r.json()["error"] and "100 mg/m2" in r.json()["error"]
    assert clients["clinician"].get(f"/api/v1/cases/{case_id}/hipec").json() == []


def test_a_dose_beyond_the_range_needs_a_reason(clients, case_id) -> None:
    body = procedure_body(drugs=[{"drug": "cisplatin", "dose_mg_m2": 130}])  # 238 mg > 200 mg
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec", json=body)
    assert r.status_code == 422 and r.json()["field"] == "drugs.0.reason", r.text
    body["drugs"][0]["reason"] = "x"
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec", json=body)
    assert r.status_code == 422 and r.json()["field"] == "drugs.0.reason"
    reason = "tumour board 2026-05-12: dose agreed with the trial protocol"
    body["drugs"][0]["reason"] = reason
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec", json=body)
    assert r.status_code == 201, r.text
    (drug,) = r.json()["drugs"]
    assert drug["dose_mg"] == 238.0 and drug["reason"] == reason


def test_an_unknown_perfusion_drug_is_refused(clients, case_id) -> None:
    body = procedure_body(drugs=[{"drug": "aspirin", "dose_mg_m2": 10}])
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec", json=body)
    assert r.status_code == 422 and r.json()["field"] == "drugs.0.dose_mg_m2"
