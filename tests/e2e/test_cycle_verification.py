"""End to end in Chromium, in Russian and in English (issue 17): a clinician prescribes a P6 cycle
with a dose override; the pharmacist returns it; the clinician prescribes it again; a second
clinician co-signs the override; the pharmacist verifies; the nurse administers with the second
check the vesicants need. Each step asserts the visible texts of that language.

The patient, case, course and labs are set up through the API (the workflow is what is tested);
the demo accounts are those of ``rareonco demo load`` (demo, demo2, pharmacist, nurse)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e

TEXT = {
    "en": {"findings": "needs an override", "override": "override",
           "returned": "Returned by the pharmacist:", "awaiting": "Waiting for a second person",
           "prescribed": "Prescribed", "verified": "Verified", "progress": "1 of 7",
           "cosign": "Co-sign the overrides", "verify": "Verify",
           "return": "Return to the clinician", "administer": "Record administration",
           "second": "Second check", "missing_second": "second person's check",
           "prescribe": "Prescribe cycle"},
    "ru": {"findings": "needs an override", "override": "отступление",
           "returned": "Возвращено фармацевтом:", "awaiting": "Отступления ждут подписи",
           "prescribed": "Назначен", "verified": "Проверен", "progress": "1 из 7",
           "cosign": "Подписать отступления", "verify": "Подтвердить",
           "return": "Вернуть врачу", "administer": "Записать введение",
           "second": "Двойной контроль", "missing_second": "second person's check",
           "prescribe": "Назначить цикл"},
}


def _as(page, username: str, lang: str) -> None:
    """Log in as ``username`` and choose the interface language (stored for the user)."""
    page.context.clear_cookies()
    login(page, username)
    page.locator(f"form.lang button[value={lang}]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _setup(page, lang: str) -> int:
    """A new patient with a sarcoma case, a P6 course starting today and today's labs (API)."""
    api = page.request
    token = api.post("/api/v1/auth/token", data={"username": "demo",
                                                 "password": "rareonco-demo"}).json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    today = date.today().isoformat()
    patient = api.post("/api/v1/patients", headers=auth, data={
        "family_name": {"ru": "Проверкина", "en": "Назарова"}[lang],
        "given_names": {"ru": "Анна", "en": "Дилноза"}[lang], "sex": "female",
        "birth_date": {"ru": "2005-06-01", "en": "2003-02-17"}[lang], "citizenship": "UZ",
        "residence_country": "UZ",
        "preferred_language": "ru", "other_languages": [],
        "passport_number": {"ru": "FA0017001", "en": "FA0017002"}[lang]})
    assert patient.ok, patient.text()
    # synovial sarcoma: not the demo's 8806/3, which other browser tests open by its code
    case = api.post(f"/api/v1/patients/{patient.json()['id']}/cases", headers=auth, data={
        "morphology_code": "9040/3", "topography_code": "C49.2", "molecular_findings": []})
    assert case.ok, case.text()
    case_id = case.json()["id"]
    course = api.post(f"/api/v1/cases/{case_id}/courses", headers=auth, data={
        "regimen": "P6", "start": today, "height_cm": 168, "weight_kg": 55,
        "weight_measured_on": today})
    assert course.ok, course.text()
    labs = api.post(f"/api/v1/cases/{case_id}/labs", headers=auth, data={
        "taken_on": today, "values": {"anc_10e9_l": 2.1, "platelets_10e9_l": 210,
                                      "lvef_pct": 62, "crcl_ml_min": 110,
                                      "creatinine_umol_l": 70, "bilirubin_x_uln": 0.6}})
    assert labs.ok, labs.text()
    return course.json()["id"]


def _prescribe_with_override(page, course_id: int, t: dict[str, str]) -> None:
    page.goto(f"/courses/{course_id}")
    form = page.get_by_test_id("prescribe-form")
    form.locator("input[name=dose__doxorubicin__1]").fill("30")  # -25 %: needs an override
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("record-error")).to_contain_text(t["findings"])
    expect(page.get_by_test_id("findings")).to_contain_text(t["override"])
    overrides = page.get_by_test_id("overrides")
    overrides.get_by_test_id("override-code").select_option("toxicity_dose_reduction")
    overrides.get_by_test_id("override-text").fill("Grade 3 mucositis after the last course")
    page.get_by_test_id("prescribe-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/courses/{course_id}$"))
    steps = page.locator("[data-testid=cycle-steps][data-cycle='1']")
    expect(steps.get_by_test_id("cycle-state")).to_have_text(t["prescribed"])
    expect(steps.get_by_test_id("awaiting-cosignature")).to_contain_text(t["awaiting"])


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_prescribe_cosign_verify_return_and_administer(page, lang: str) -> None:
    t = TEXT[lang]
    course_id = _setup(page, lang)
    steps = page.locator("[data-testid=cycle-steps][data-cycle='1']")

    _as(page, "demo", lang)
    _prescribe_with_override(page, course_id, t)

    # the pharmacist cannot verify before the co-signature, and returns the prescription
    _as(page, "pharmacist", lang)
    page.goto(f"/courses/{course_id}")
    expect(steps.get_by_test_id("verify-form")).to_have_count(0)
    ret = steps.get_by_test_id("return-form")
    ret.locator("input[name=reason]").fill("Please document the mucositis grade in the notes")
    ret.get_by_role("button", name=t["return"]).click()
    expect(steps.get_by_test_id("return-reason")).to_contain_text(t["returned"])

    # the clinician prescribes again; a second clinician co-signs the override
    _as(page, "demo", lang)
    _prescribe_with_override(page, course_id, t)
    expect(steps.get_by_test_id("cosign-form")).to_have_count(0)  # not the prescriber
    _as(page, "demo2", lang)
    page.goto(f"/courses/{course_id}")
    steps.get_by_role("button", name=t["cosign"]).click()
    expect(steps.get_by_test_id("awaiting-cosignature")).to_have_count(0)

    _as(page, "pharmacist", lang)
    page.goto(f"/courses/{course_id}")
    steps.get_by_test_id("verify-form").get_by_role("button", name=t["verify"]).click()
    expect(steps.get_by_test_id("cycle-state")).to_have_text(t["verified"])

    # the nurse: vesicants (doxorubicin, vincristine) need another nurse or a clinician
    _as(page, "nurse", lang)
    page.goto(f"/courses/{course_id}")
    form = steps.get_by_test_id("administer-form")
    expect(form.get_by_test_id("second-check")).to_contain_text(t["second"])
    form.get_by_role("button", name=t["administer"]).click()
    expect(page.get_by_test_id("step-error")).to_contain_text(t["missing_second"])
    form = steps.get_by_test_id("administer-form")
    form.locator("input[name=second_username]").fill("demo2")
    form.locator("input[name=second_password]").fill("rareonco-demo")
    form.get_by_role("button", name=t["administer"]).click()
    expect(page.get_by_test_id("course-progress")).to_contain_text(t["progress"])
    expect(page.locator("[data-testid=cycle-steps][data-cycle='1']")).to_have_count(0)
