"""The diagnosis screen in Chromium: a clinician enters a diagnosis with the ICD-O-3 pickers,
searching in Russian, corrects it searching in English, and adds a clinical event (the pathology
report that confirming the diagnosis needs) on the case page."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


def _switch(page, lang: str) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    page.click(f"header form.lang button[value={lang}]")
    page.wait_for_load_state("networkidle")


def _new_case(page) -> int:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    """A patient and an empty case, through the API with the page's session."""
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    headers = {"X-CSRF-Token": csrf}
    r = page.request.post("/api/v1/patients", headers=headers, data={
        "family_name": "Назарова", "given_names": "Дилноза", "sex": "female",
        "birth_date": "2008-06-21", "citizenship": "UZ", "residence_country": "UZ",
        "preferred_language": "ru", "other_languages": [], "passport_number": "FD2468135"})
    assert r.ok, r.text()
    r = page.request.post(f"/api/v1/patients/{r.json()['id']}/cases", headers=headers,
                          data={"molecular_findings": []})
    assert r.ok, r.text()
    return int(r.json()["id"])


def _pick(page, axis: str, query: str, code: str) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    """Type a search into the picker, wait for htmx to bring the option, choose it."""
    select = page.locator(f"[data-testid={axis}-select]")
    before = select.locator("option").count()
    with page.expect_response(lambda r: f"/cases/icdo3/{axis}/options" in r.url):
        page.fill(f"[data-testid={axis}-search]", query)
    expect(select.locator("option")).not_to_have_count(before)  # the search's options are in
    expect(select.locator(f'option[value="{code}"]')).to_have_count(1)
    select.select_option(code)


def test_diagnosis_via_the_pickers_and_a_clinical_event(page) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    login(page)
    case_id = _new_case(page)
    page.goto(f"/cases/{case_id}")
    _switch(page, "ru")
    page.click("[data-testid=edit-diagnosis]")
    expect(page.locator("h1")).to_contain_text("Диагноз")

    # in Russian: search by Russian words
    _pick(page, "morphology", "остеосаркома", "9180/3")
    expect(page.locator("[data-testid=morphology-select] option").first).to_have_text(
        "9180/3 — Остеосаркома, БДУ")
    _pick(page, "topography", "кости таза", "C41.4")
    page.select_option("[data-testid=laterality]", "left")
    page.select_option("[data-testid=grade]", "G3")
    page.select_option("[data-testid=stage]", "Enneking IIB")
    page.click("[data-testid=save-diagnosis]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=morphology]")).to_have_text("9180/3 Остеосаркома, БДУ")
    expect(page.locator("[data-testid=topography]")).to_contain_text("Кости таза")
    expect(page.locator("[data-testid=diagnosis]")).to_contain_text("слева")
    expect(page.locator("[data-testid=diagnosis-history]")).to_contain_text(
        "Изменение диагноза: Морфология: — → 9180/3")

    # in English: correct the morphology, searching by English words
    _switch(page, "en")
    page.click("[data-testid=edit-diagnosis]")
    _pick(page, "morphology", "conventional", "9186/3")
    expect(page.locator("[data-testid=topography-select] option:checked")).to_have_text(
        "C41.4 — Pelvic bones, sacrum, coccyx and associated joints")
    page.click("[data-testid=save-diagnosis]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=morphology]")).to_have_text(
        "9186/3 Conventional (central) osteosarcoma")

    # a clinical event: the pathology report, dated today
    page.select_option("[data-testid=event-kind]", "pathology")
    page.fill("[data-testid=event-date]", date.today().isoformat())
    page.fill("[data-testid=event-summary]", "High-grade conventional osteosarcoma")
    page.click("[data-testid=add-event]")
    page.wait_for_load_state("networkidle")
    timeline = page.locator("[data-testid=timeline]")
    expect(timeline).to_contain_text("High-grade conventional osteosarcoma")
    expect(timeline.locator("li.kind-pathology .kind")).to_have_text("pathology")
    _switch(page, "ru")
    expect(page.locator("[data-testid=timeline] li.kind-pathology .kind")).to_have_text(
        "морфология")
    expect(page.locator("[data-testid=morphology]")).to_have_text(
        "9186/3 Конвенциональная (центральная) остеосаркома")
