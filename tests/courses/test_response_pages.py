"""The response page's forms with a browser session: baseline and follow-up timepoints, the
Huvos form, and refusals shown next to their field with the entered values kept."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from ..conftest import browser_session as _login

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)




@pytest.fixture
def case_id(clients, patient_body) -> int:
    c = clients["clinician"]
    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    return c.post(f"/api/v1/patients/{pid}/cases", json={"morphology_code": "9180/3",  # Huvos applies
                                                         "molecular_findings": []}).json()["id"]


BASELINE = {"baseline": "1", "assessed_on": "2026-01-02", "modality": "CT",
            "target_0_id": "T1", "target_0_organ": "omentum", "target_0_mm": "80",
            "target_1_id": "T2", "target_1_organ": "para-aortic node", "target_1_node": "on",
            "target_1_mm": "20", "non_target_0_id": "NT1", "non_target_0_organ": "peritoneum"}


def _field_error(html: str, field: str) -> str:
    m = re.search(rf'<span class="error" data-field="{re.escape(field)}">([^<]*)</span>', html)
    assert m, f"no error shown next to {field}"
    return m.group(1)


def test_baseline_then_follow_up(app, case_id) -> None:
    c, csrf = _login(app)
    url = f"/cases/{case_id}/response"
    page = c.get(url).text
    assert "Record the baseline" in page and 'name="target_4_mm"' in page

    r = c.post(f"{url}/timepoints", data={**BASELINE, "target_1_mm": "12", "csrf_token": csrf})
    assert r.status_code == 422
    assert "15 mm" in _field_error(r.text, "target_1_mm")
    assert 'value="para-aortic node"' in r.text and 'value="12"' in r.text  # values kept
    assert 'name="target_1_node" checked' in r.text

    r = c.post(f"{url}/timepoints", data={**BASELINE, "csrf_token": csrf},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == url
    page = c.get(url).text
    assert "Add a follow-up timepoint" in page and 'name="mm__T1"' in page
    assert "sum of diameters 100.0 mm" in page or "sum of diameters 100 mm" in page
    again = c.post(f"{url}/timepoints", data={**BASELINE, "csrf_token": csrf})
    assert again.status_code == 409 and "already has a baseline" in again.text

    follow = {"assessed_on": "2026-03-02", "modality": "CT", "mm__T1": "-4", "mm__T2": "",
              "non_target": "present", "csrf_token": csrf}
    r = c.post(f"{url}/timepoints", data=follow)
    assert r.status_code == 422 and _field_error(r.text, "mm__T1")
    assert 'value="-4"' in r.text and '<option value="present" selected>' in r.text
    future = (date.today() + timedelta(days=3)).isoformat()
    r = c.post(f"{url}/timepoints", data={**follow, "mm__T1": "50", "assessed_on": future})
    assert r.status_code == 422 and "future" in _field_error(r.text, "assessed_on")

    r = c.post(f"{url}/timepoints", data={**follow, "mm__T1": "50", "mm__T2": "12"},
               follow_redirects=False)
    assert r.status_code == 303
    page = c.get(url).text
    table = page[page.index('data-testid="recist-table"'):]
    assert "-38.0 %" in table and "<strong>PR</strong>" in table
    assert '"sum_mm": [100.0, 62.0]' in page  # the chart's series gained the point
    api = c.get(f"/api/v1/cases/{case_id}/response").json()
    assert [t["overall_response"] for t in api["timepoints"]] == [None, "PR"]


def test_huvos_form(app, case_id) -> None:
    c, csrf = _login(app)
    url = f"/cases/{case_id}/response"
    r = c.post(f"{url}/pathology", data={"specimen_date": "2026-04-01", "necrosis_pct": "150",
                                         "note": "femur", "csrf_token": csrf})
    assert r.status_code == 422 and _field_error(r.text, "necrosis_pct")
    assert 'value="150"' in r.text and 'value="femur"' in r.text
    r = c.post(f"{url}/pathology", data={"specimen_date": "2026-04-01", "necrosis_pct": "95",
                                         "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    page = c.get(url).text
    assert "Huvos III" in page and "good responder" in page


def test_forms_need_the_csrf_token_and_a_clinician(app, clients, case_id) -> None:
    c, _ = _login(app)
    r = c.post(f"/cases/{case_id}/response/pathology",
               data={"specimen_date": "2026-04-01", "necrosis_pct": "95"})
    assert r.status_code == 403
    assert clients["clinician"].get(f"/api/v1/cases/{case_id}/response").json()["pathology"] == []


def test_forms_speak_russian(app, case_id) -> None:
    c, csrf = _login(app)
    c.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf})
    page = c.get(f"/cases/{case_id}/response").text
    assert "Записать исходную оценку" in page and "Некроз, %" in page
    c.post(f"/cases/{case_id}/response/timepoints", data={**BASELINE, "csrf_token": csrf})
    page = c.get(f"/cases/{case_id}/response").text
    assert "Добавить контрольную оценку" in page and "присутствуют" in page
