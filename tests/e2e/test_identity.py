"""Identity matching in Chromium (issue 18): the public inquiry for Каримов, born 15.03.2007,
with the demo patient Rakhimov Aziz's passport number, is not attached to him: the coordinator
sees it as an identity to check, side by side with the patient on file, in Russian and in
English; and registering the demo patient again at intake shows the duplicate warning."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _switch(page, lang: str) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    page.click(f"header form.lang button[value={lang}]")
    page.wait_for_load_state("networkidle")


def test_wrong_patient_inquiry_is_a_review_for_the_coordinator(page) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    page.goto("/inquiry")
    _switch(page, "ru")
    page.fill("input[name=family_name]", "Каримов")
    page.fill("input[name=given_names]", "Бахром")
    page.fill("input[name=birth_date]", "2007-03-15")
    page.select_option("select[name=sex]", "male")
    page.select_option("select[name=citizenship]", "UZ")
    page.select_option("select[name=residence_country]", "UZ")
    page.fill("input[name=passport_number]", "FA1234567")  # the demo patient's number
    page.fill("input[name=email]", "b.karimov@example.org")
    page.fill("textarea[name=diagnosis_text]", "Опухоль правой подвздошной кости")
    page.set_input_files("input[name=files]", files=[
        {"name": "mri.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.check("input[name=consent]")
    page.click("form button[type=submit] >> text=Отправить обращение")
    reference = page.get_by_test_id("inquiry-reference").inner_text()

    login(page, "desk")
    _switch(page, "ru")
    page.goto("/desk")
    row = page.locator("[data-testid=inquiries] tr", has_text=reference)
    expect(row.locator("[data-status]")).to_have_text("проверка личности")
    row.locator(f"text={reference}").click()
    expect(page.get_by_test_id("inquiry-status")).to_have_text("проверка личности")
    expect(page.get_by_test_id("patient-record")).to_contain_text("нужна проверка личности")
    expect(page.locator("a[href^='/cases/']")).to_have_count(0)  # no case opened
    panel = page.get_by_test_id("identity-candidates")
    expect(panel).to_have_attribute("data-decision", "review")
    expect(panel.locator("h2")).to_have_text("Этот человек, возможно, уже зарегистрирован")
    candidate = panel.get_by_test_id("candidate")
    expect(candidate).to_have_count(1)
    expect(candidate).to_contain_text("Rakhimov")
    expect(candidate.locator("tr[data-field=passport] [data-state]")).to_have_text("совпадает")
    expect(candidate.locator("tr[data-field=family] [data-state]")).to_have_text("расходится")
    expect(candidate.locator("tr[data-field=birth_date] [data-state]")).to_have_text(
        "расходится")
    expect(page.get_by_test_id("kept-file")).to_contain_text("mri.pdf")

    _switch(page, "en")
    expect(page.get_by_test_id("inquiry-status")).to_have_text("identity to check")
    expect(panel.locator("h2")).to_have_text("This person may already be on file")
    expect(candidate.locator("tr[data-field=passport] [data-state]")).to_have_text("agrees")
    expect(candidate.locator("tr[data-field=family] [data-state]")).to_have_text("conflicts")


def test_intake_warns_of_a_duplicate_and_uses_the_record_on_file(page) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    login(page, "desk")
    _switch(page, "en")
    demo = page.request.get("/api/v1/patients", params={"q": "Rakhimov"}).json()["items"][0]
    page.goto("/intake")
    page.fill("input[name=family_name]", "Рахимов")
    page.fill("input[name=given_names]", "Азиз")
    page.select_option("select[name=sex]", "male")
    page.fill("input[name=birth_date]", demo["birth_date"])
    page.fill("input[name=citizenship]", "UZ")
    page.fill("input[name=residence_country]", "UZ")
    page.fill("input[name=preferred_language]", "ru")
    page.fill("input[name=referring_institution]", "Samarkand Regional Oncology Centre")
    page.fill("input[name=referral_country]", "UZ")
    page.fill("textarea[name=reason]", "Second opinion")
    page.click("form[action='/intake'] button[type=submit] >> text=Register referral")
    panel = page.get_by_test_id("identity-candidates")
    expect(panel).to_have_attribute("data-decision", "link")
    expect(panel.locator("h2")).to_have_text("This person is probably already on file")
    candidate = panel.get_by_test_id("candidate")
    expect(candidate).to_have_attribute("data-patient-id", str(demo["id"]))
    expect(candidate.locator("tr[data-field=birth_date] [data-state]")).to_have_text("agrees")
    expect(page.get_by_test_id("confirm-new")).to_be_visible()
    candidate_form = panel.locator("form").first
    candidate_form.get_by_test_id("use-existing").click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/cases/\d+$", page.url), page.url
    cases = page.request.get(f"/api/v1/patients/{demo['id']}").json()["cases"]
    assert len(cases) == 2  # the demo case and the new referral's, on one patient
