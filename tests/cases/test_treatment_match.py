"""Recommended against prescribed: each active course against the board decision in force when
it started, and the banner on the case page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rareonco.records.cases.treatment_match import Decision, Prescribed, compare

from ..conftest import browser_session
from .conftest import open_case, walk
from .test_guard_rails import _confirmed, _signed

D = date(2026, 3, 1)
MAP4 = [{"kind": "neoadjuvant_chemotherapy", "regimen": "MAP", "cycles": 4},
        {"kind": "surgery", "surgery_type": "Internal hemipelvectomy"}]


def _course(regimen: str, start: date = D, n: int | None = None, cid: int = 1) -> Prescribed:
    return Prescribed(cid, regimen, start, n)


def test_compare() -> None:
    board = [Decision(7, D, MAP4)]
    assert compare(board, [_course("MAP", n=4), _course("map")]) == []
    [m] = compare(board, [_course("AI", cid=3)])
    assert (m.kind, m.course_id, m.decision_id, m.prescribed, m.recommended) == (
        "regimen", 3, 7, "AI", "MAP")
    [m] = compare(board, [_course("MAP", n=6)])
    assert (m.kind, m.prescribed, m.recommended) == ("cycles", "MAP × 6", "MAP × 4")
    # a course that started before any decision is not compared
    assert compare(board, [_course("AI", start=D - timedelta(days=1))]) == []
    # the decision in force when the course started: a later one recommends surgery only
    later = [*board, Decision(8, D + timedelta(days=90),
                              [{"kind": "surgery", "surgery_type": "Resection"}])]
    assert compare(later, [_course("MAP", n=4)]) == []
    [m] = compare(later, [_course("MAP", start=D + timedelta(days=91))])
    assert (m.kind, m.decision_id, m.recommended) == ("not_recommended", 8, "surgery")
    trial = [Decision(9, D, [{"kind": "clinical_trial", "trial": "rEECur"}])]
    assert compare(trial, [_course("HD-IFO")]) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_banner_on_the_case_page(app, clients: dict[str, TestClient], users: dict[str, int],
                                 patient_body: Any) -> None:
    c = clients["clinician"]
    case_id = open_case(c, patient_body)["id"]
    walk(c, case_id, "remote_review", "accepted", "admitted")
    _confirmed(c, case_id)
    _signed(c, users, case_id, MAP4)
    page, _ = browser_session(app)
    assert 'data-testid="treatment-mismatch"' not in page.get(f"/cases/{case_id}").text
    r = c.post(f"/api/v1/cases/{case_id}/courses", json={
        "regimen": "AI", "start": (date.today() + timedelta(days=2)).isoformat(),
        "height_cm": 172, "weight_kg": 61, "n_cycles": 6})
    assert r.status_code == 201, r.text
    html = page.get(f"/cases/{case_id}").text
    assert 'data-testid="treatment-mismatch"' in html
    assert "prescribes AI; the board recommended MAP." in html
    [m] = c.get(f"/api/v1/cases/{case_id}/treatment-check").json()
    assert (m["kind"], m["prescribed"], m["recommended"]) == ("regimen", "AI", "MAP")
    assert clients["coordinator"].get(f"/api/v1/cases/{case_id}/treatment-check"
                                      ).status_code == 403
