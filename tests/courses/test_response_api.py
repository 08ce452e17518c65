"""Response through the API: RECIST 1.1 timepoints, chart thresholds, Huvos from necrosis."""

from __future__ import annotations

import pytest


@pytest.fixture
def case_id(clients, patient_body) -> int:
    c = clients["clinician"]
    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    return c.post(f"/api/v1/patients/{pid}/cases", json={"molecular_findings": []}).json()["id"]


BASELINE = {"assessed_on": "2026-01-02", "baseline": True, "lesions": [
    {"id": "T1", "organ": "omentum", "mm": 78}, {"id": "T2", "organ": "mesentery", "mm": 64},
    {"id": "T3", "organ": "pelvic peritoneum", "mm": 44},
    {"id": "N1", "kind": "non_target", "organ": "peritoneum"}]}


def _follow(date: str, t1: float, t2: float, t3: float, **over):
    return {"assessed_on": date, "non_target": "present", **over,
            "lesions": [{"id": "T1", "mm": t1}, {"id": "T2", "mm": t2}, {"id": "T3", "mm": t3}]}


def test_recist_series_chart_and_timeline(clients, case_id) -> None:
    c = clients["clinician"]
    url = f"/api/v1/cases/{case_id}/timepoints"
    assert c.post(url, json=_follow("2026-02-01", 1, 1, 1)).json()["field"] == "baseline"
    r = c.post(url, json=BASELINE)
    assert r.status_code == 201, r.text
    assert c.post(url, json=BASELINE).status_code == 409
    r = c.post(url, json=_follow("2026-03-20", 62, 50, 34))
    assert r.json()["timepoint"]["overall_response"] == "SD"
    r = c.post(url, json=_follow("2026-06-20", 44, 36, 22))
    assert r.status_code == 201, r.text
    tp = r.json()["timepoint"]
    assert tp["sum_mm"] == 102 and tp["overall_response"] == "PR"
    assert tp["change_from_baseline_pct"] == pytest.approx(-45.16, abs=0.01)
    assert r.json()["best_overall_response"] == "PR"

    view = c.get(f"/api/v1/cases/{case_id}/response").json()
    chart = view["chart"]
    assert chart["sum_mm"] == [186, 146, 102]
    assert chart["pr_threshold_mm"] == pytest.approx(130.2)
    # PD line: 20 % over the nadir before each assessment, at least 5 mm
    assert chart["pd_threshold_mm"] == [223.2, 223.2, 175.2]
    assert view["baseline"]["non_targets"] == ["N1"]

    timeline = c.get(f"/api/v1/cases/{case_id}/timeline").json()
    kinds = [e["kind"] for e in timeline]
    assert kinds.count("response_assessment") == 2 and kinds.count("imaging") == 1
    assert any("-45.2 %" in e["summary"] and "PR" in e["summary"] for e in timeline)


def test_invalid_timepoints_are_refused(clients, case_id) -> None:
    c = clients["clinician"]
    url = f"/api/v1/cases/{case_id}/timepoints"
    small = {"assessed_on": "2026-01-02", "baseline": True,
             "lesions": [{"id": "T1", "organ": "liver", "mm": 8}]}
    r = c.post(url, json=small)
    assert r.status_code == 422 and r.json()["field"] == "lesions" and "10 mm" in r.json()["error"]
    assert c.post(url, json=BASELINE).status_code == 201
    missing = {"assessed_on": "2026-02-01", "lesions": [{"id": "T1", "mm": 50}]}
    r = c.post(url, json=missing)
    assert r.status_code == 422 and "missing target 'T2'" in r.json()["error"]
    before = _follow("2025-12-01", 60, 50, 30)
    assert c.post(url, json=before).status_code == 422
    growth = _follow("2026-02-01", 90, 80, 60, new_lesions=True)
    assert c.post(url, json=growth).json()["timepoint"]["overall_response"] == "PD"


def test_huvos_from_necrosis(clients, case_id) -> None:
    c = clients["clinician"]
    url = f"/api/v1/cases/{case_id}/pathology-response"
    r = c.post(url, json={"specimen_date": "2026-05-01", "necrosis_pct": 92})
    assert r.status_code == 201, r.text
    assert r.json()["huvos_grade"] == "III" and r.json()["good_responder"]
    assert c.post(url, json={"specimen_date": "2026-05-01", "necrosis_pct": 120}).status_code == 422
    view = c.get(f"/api/v1/cases/{case_id}/response").json()
    assert view["pathology"][0]["huvos_grade"] == "III" and view["chart"] is None
    assert clients["coordinator"].post(url, json={"specimen_date": "2026-05-01",
                                                  "necrosis_pct": 50}).status_code == 403
