"""Helpers of the cycle workflow tests (issue 17): approve a regimen, plan a P6 course, add labs,
prescribe, take a step (cosign, verify, return, cancel, administer)."""

from __future__ import annotations

from datetime import date

from rareonco.regimens import plan_course

START = "2026-01-05"
P6 = {"regimen": "P6", "start": START, "height_cm": 168, "weight_kg": 55,
      "weight_measured_on": "2026-01-02"}
GOOD_LABS = {"anc_10e9_l": 2.1, "platelets_10e9_l": 210, "lvef_pct": 62, "crcl_ml_min": 110,
             "creatinine_umol_l": 70, "bilirubin_x_uln": 0.6}
REASON = {"reason_code": "clinical_judgement_documented",
          "text": "Discussed with the patient and the team; benefit outweighs the risk"}


def approve(staff, regimen: str) -> None:
    for who in ("pharmacist", "clinician"):
        r = staff[who].post(f"/api/v1/regimens/{regimen}/approve")
        assert r.status_code == 200, r.text


def course(staff, case_id, **over) -> dict:
    r = staff["clinician"].post(f"/api/v1/cases/{case_id}/courses", json={**P6, **over})
    assert r.status_code == 201, r.text
    return r.json()


def labs(staff, case_id, taken_on="2026-01-04", **over) -> None:
    r = staff["clinician"].post(f"/api/v1/cases/{case_id}/labs",
                                json={"taken_on": taken_on, "values": {**GOOD_LABS, **over}})
    assert r.status_code == 201, r.text


def prescribe(staff, course_id, who="clinician", **body):
    body.setdefault("number", 1)
    body.setdefault("start_date", START)
    return staff[who].post(f"/api/v1/courses/{course_id}/cycles", json=body)


def planned_doses(number: int = 1, **change: float) -> list[dict]:
    plan = plan_course("P6", date(2026, 1, 5), 168, 55).cycles[number - 1]
    return [{"drug": d.drug, "day": day, "dose_mg": change.get(f"{d.drug}/{day}", d.mg_per_day)}
            for d in plan.drugs for day in d.days]


def step(staff, who, course_id, number, what, **body):
    return staff[who].post(f"/api/v1/courses/{course_id}/cycles/{number}/{what}", json=body)


def codes(body) -> dict[str, str]:
    return {f["code"]: f["severity"] for f in body["findings"]}


def given_all(cycle: dict, day_time: str = "2026-01-05T09:00:00+00:00") -> list[dict]:
    return [{"drug": d["drug"], "day": d["day"], "dose_mg": d["dose_mg"], "given_at": day_time}
            for d in cycle["doses"]]


def audit_actions(staff, course_id, number=1) -> list[tuple[str, str]]:
    entries = staff["auditor"].get("/api/v1/audit", params={
        "resource": f"course/{course_id}/cycle/{number}"}).json()
    return [(e["action"], e["username"]) for e in entries]


def verify_and_give(staff, course_id, number, cycle: dict, day_time: str | None = None) -> dict:
    """The pharmacist verifies the prescribed cycle and the nurse gives every dose (nurse2 as the
    second check); the administered cycle."""
    r = step(staff, "pharmacist", course_id, number, "verify")
    assert r.status_code == 200, r.text
    r = step(staff, "nurse", course_id, number, "administer",
             doses=given_all(cycle, day_time or f"{cycle['start_date']}T09:00:00+00:00"),
             second_check={"username": "nurse2", "password": "correct-horse-42"})
    assert r.status_code == 200, r.text
    return r.json()
