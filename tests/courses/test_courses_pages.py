"""Course pages through a browser session (no browser): picker preview, save, record a cycle with
findings and reasons, dose sheet PDF, response page with the local plotly.js."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from ..conftest import browser_session as _login
from .cycle_helpers import approve, labs

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)




@pytest.fixture
def case_id(clients, patient_body) -> int:
    c = clients["clinician"]
    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    return c.post(f"/api/v1/patients/{pid}/cases", json={"morphology_code": "8806/3",
                                                         "molecular_findings": []}).json()["id"]


PLAN = {"regimen": "P6", "height_cm": "168", "weight_kg": "55", "start": "2026-01-05",
        "weight_measured_on": "2026-01-04", "bsa_formula": "mosteller"}


def test_plan_save_record_and_print(app, staff, case_id) -> None:
    approve(staff, "P6")
    labs(staff, case_id)
    c, csrf = _login(app)
    h = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    page = c.get(f"/cases/{case_id}/courses").text
    assert page.index('value="P6"') < page.index('value="MAP"')  # indicated regimen first
    frag = c.post(f"/cases/{case_id}/courses/preview", data=PLAN, headers=h).text
    assert frag.count('data-testid="cycle"') == 7 and "3364.37" in frag and "capped 2.0 mg/course" in frag
    bad = c.post(f"/cases/{case_id}/courses/preview", data={**PLAN, "height_cm": "2000"}, headers=h)
    assert "height_cm" in bad.text

    r = c.post(f"/cases/{case_id}/courses", data={**PLAN, "csrf_token": csrf},
               follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    course_id = int(url.rsplit("/", 1)[1])
    page = c.get(url).text
    assert page.count('data-testid="cycle"') == 7 and 'name="dose__cyclophosphamide__1"' in page

    # every planned dose as the form shows it, cyclophosphamide day 1 changed
    form = dict(re.findall(r'name="(dose__[a-z-]+__\d+)" value="([^"]*)"', page))
    form |= {"number": "1", "start_date": "2026-01-05", "dose__cyclophosphamide__1": "2000",
             "reason__cyclophosphamide__1": "pump failure: the rest could not be given"}
    frag = c.post(f"/courses/{course_id}/record", data=form, headers=h)
    assert frag.status_code == 200 and "needs an override" in frag.text
    assert 'name="override_code__dose_deviation__cyclophosphamide"' in frag.text
    form |= {"override": "dose_deviation__cyclophosphamide",
             "override_code__dose_deviation__cyclophosphamide": "clinical_judgement_documented",
             "override_text__dose_deviation__cyclophosphamide": "x"}
    frag = c.post(f"/courses/{course_id}/record", data=form, headers=h)
    assert (frag.status_code == 200 and "overrides.0.text" in frag.text) or "a reason needs" in frag.text
    form["override_text__dose_deviation__cyclophosphamide"] = "Pump failure after 2000 mg"
    r = c.post(f"/courses/{course_id}/record", data=form, headers=h)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == url
    page = c.get(url).text
    assert "pump failure" in page and 'data-testid="awaiting-cosignature"' in page
    assert 'data-testid="cosign-form"' not in page  # not for the prescriber

    second, csrf2 = _login(app, "clinician2")
    r = second.post(f"/courses/{course_id}/cycles/1/cosign", data={"csrf_token": csrf2},
                    follow_redirects=False)
    assert r.status_code == 303 and "step_error" not in r.headers["location"], r.headers
    pharmacist, csrf3 = _login(app, "pharmacist")
    assert 'data-testid="verify-form"' in pharmacist.get(url).text
    r = pharmacist.post(f"/courses/{course_id}/cycles/1/verify", data={"csrf_token": csrf3},
                        follow_redirects=False)
    assert r.status_code == 303 and "step_error" not in r.headers["location"], r.headers
    nurse, csrf4 = _login(app, "nurse")
    page = nurse.get(url).text
    assert 'data-testid="administer-form"' in page and 'data-testid="second-check"' in page
    cycle = staff["clinician"].get(f"/api/v1/courses/{course_id}").json()["cycles"][0]["given"]
    give = {"csrf_token": csrf4, "give": [f"{d['drug']}__{d['day']}" for d in cycle["doses"]]}
    for d in cycle["doses"]:
        give[f"given__{d['drug']}__{d['day']}"] = str(d["dose_mg"])
        give[f"at__{d['drug']}__{d['day']}"] = "2026-01-05T09:30"
    r = nurse.post(f"/courses/{course_id}/cycles/1/administer", data=give, follow_redirects=False)
    assert "step_error" in r.headers["location"] and "second" in r.headers["location"]
    r = nurse.post(f"/courses/{course_id}/cycles/1/administer", data={
        **give, "second_username": "nurse2", "second_password": "correct-horse-42"},
        follow_redirects=False)
    assert r.status_code == 303 and "step_error" not in r.headers["location"], r.headers
    view = staff["clinician"].get(f"/api/v1/courses/{course_id}").json()
    assert view["cycles_given"] == 1 and view["cycles"][0]["given"]["state"] == "administered"

    measures = c.post(f"/courses/{course_id}/measures/weight",
                      data={"measured_on": "2026-01-20", "weight_kg": "54"}, headers=h).text
    assert "54.0 kg" in measures
    measures = c.post(f"/courses/{course_id}/measures/ae",
                      data={"term": "Nausea", "grade": "5", "onset": "2026-01-08"}, headers=h).text
    assert "no grade 5" in measures

    pdf = c.get(f"/courses/{course_id}/dose-sheet.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "3364.37" in text and "CAPPED 2.0 mg/course" in text and "BSA 1.60" in text


def test_response_page_serves_its_chart_locally(app, clients, case_id) -> None:
    api = clients["clinician"]
    api.post(f"/api/v1/cases/{case_id}/timepoints", json={
        "assessed_on": "2026-01-02", "baseline": True,
        "lesions": [{"id": "T1", "organ": "omentum", "mm": 100}]})
    api.post(f"/api/v1/cases/{case_id}/timepoints", json={
        "assessed_on": "2026-03-02", "lesions": [{"id": "T1", "mm": 60}]})
    c, _ = _login(app)
    page = c.get(f"/cases/{case_id}/response").text
    assert '<script src="/vendor/plotly.min.js" defer>' in page and "cdn" not in page.lower()
    assert '"pr_threshold_mm": 70.0' in page and "Best overall response: <strong>PR" in page
    js = c.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000


def test_course_pages_speak_russian(app, case_id) -> None:
    c, csrf = _login(app)
    c.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf})
    h = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    page = c.get(f"/cases/{case_id}/courses").text
    assert "Запланировать курс" in page and "Показать лист назначений" in page
    frag = c.post(f"/cases/{case_id}/courses/preview", data=PLAN, headers=h).text
    assert "ограничено до 2.0 мг/курс" in frag and "7 циклов" in frag and "Цикл 1" in frag
    url = c.post(f"/cases/{case_id}/courses", data={**PLAN, "csrf_token": csrf},
                 follow_redirects=False).headers["location"]
    page = c.get(url).text
    assert "Проведено циклов: <strong>0</strong> из 7" in page
    assert "Лист назначений (PDF)" in page and "Назначить цикл" in page
    assert "не утверждена" in page
    assert "Оценок по данным визуализации пока нет." in c.get(f"/cases/{case_id}/response").text


def test_stop_a_course_from_its_page(app, case_id) -> None:
    """The stop form: a refusal comes back next to the form, the values kept on the server;
    a stop shows on the page and the form and the cycle recording are gone."""
    c, csrf = _login(app)
    r = c.post(f"/cases/{case_id}/courses", data={**PLAN, "csrf_token": csrf},
               follow_redirects=False)
    url = r.headers["location"]
    course_id = int(url.rsplit("/", 1)[1])
    page = c.get(url).text
    assert 'data-testid="stop-form"' in page
    version = page.split('name="version" value="', 1)[1].split('"', 1)[0]
    bad = c.post(f"/courses/{course_id}/stop", data={
        "csrf_token": csrf, "version": version, "reason": "other", "stopped_on": "2026-01-06",
        "note": ""})
    assert bad.status_code == 200 and 'data-testid="stop-error"' in bad.text
    assert "say why the course stops" in bad.text
    ok = c.post(f"/courses/{course_id}/stop", data={
        "csrf_token": csrf, "version": version, "reason": "patient_choice",
        "stopped_on": "2026-01-06", "note": "moved abroad"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == url
    page = c.get(url).text
    assert 'data-testid="course-stop"' in page and "patient choice" in page
    assert "moved abroad" in page and 'data-testid="stop-form"' not in page
    no_csrf = c.post(f"/courses/{course_id}/stop", data={"version": version,
                                                         "reason": "toxicity",
                                                         "stopped_on": "2026-01-06"})
    assert no_csrf.status_code == 403


def test_a_second_active_course_needs_a_reason_and_a_planned_course_can_be_cancelled(
        app, case_id) -> None:
    c, csrf = _login(app)
    first = c.post(f"/cases/{case_id}/courses", data={**PLAN, "csrf_token": csrf},
                   follow_redirects=False).headers["location"]
    page = c.get(f"/cases/{case_id}/courses").text
    assert 'data-testid="concurrent-reason"' in page
    r = c.post(f"/cases/{case_id}/courses", data={**PLAN, "csrf_token": csrf})
    assert r.status_code == 422 and 'data-testid="save-error"' in r.text
    assert "give a reason" in r.text and "Plan a course" in r.text
    r = c.post(f"/cases/{case_id}/courses", data={
        **PLAN, "csrf_token": csrf, "concurrent_code": "tumour_board_decision",
        "concurrent_text": "Board: maintenance in parallel"}, follow_redirects=False)
    assert r.status_code == 303
    assert "Board: maintenance in parallel" in c.get(r.headers["location"]).text

    page = c.get(first).text
    version = page.split('name="version" value="', 1)[1].split('"', 1)[0]
    course_id = int(first.rsplit("/", 1)[1])
    r = c.post(f"/courses/{course_id}/cancel", data={"csrf_token": csrf, "version": version,
                                                     "reason": "x"}, follow_redirects=False)
    assert "stop_error" in r.headers["location"]
    r = c.post(f"/courses/{course_id}/cancel", data={
        "csrf_token": csrf, "version": version, "reason": "Board changed the plan to MAP"},
        follow_redirects=False)
    assert r.status_code == 303 and "stop_error" not in r.headers["location"]
    page = c.get(first).text
    assert 'data-testid="cancel-course-form"' not in page and 'data-testid="prescribe-form"' not in page
