"""End to end in Chromium: log in, find the demo patients, follow a referral through intake
and pathway moves, and see the role limits."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


def test_login_search_and_case_page(page) -> None:
    login(page)
    expect(page.locator("h1")).to_have_text("Patients")
    page.fill("input[name=q]", "Рахим")
    expect(page.locator("#patient-rows tbody tr")).to_have_count(1)
    expect(page.locator("#patient-rows")).to_contain_text("Rakhimov, Aziz")
    page.fill("input[name=q]", "volkov")
    expect(page.locator("#patient-rows")).to_contain_text("Волков")
    page.click("text=8806/3")
    expect(page.locator("h1")).to_contain_text("Volkov")
    expect(page.locator("body")).to_contain_text("EWSR1-WT1")
    expect(page.get_by_test_id("timeline")).to_contain_text("HIPEC")
    expect(page.get_by_test_id("case-status")).to_have_text("in treatment")


def test_intake_then_pathway_moves(page) -> None:
    login(page, "desk")
    page.click("text=New referral")
    page.fill("input[name=family_name]", "Назарова")
    page.fill("input[name=given_names]", "Мадина")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=birth_date]", "2004-02-29")
    page.fill("input[name=citizenship]", "TJ")
    page.fill("input[name=residence_country]", "TJ")
    page.fill("input[name=preferred_language]", "qq")  # not a language: must be refused
    page.fill("input[name=referring_institution]", "Republican Oncology Centre, Dushanbe")
    page.fill("input[name=referral_country]", "TJ")
    page.fill("textarea[name=reason]", "Soft-tissue mass of the thigh, biopsy slides attached")
    page.click("text=Register referral")
    expect(page.locator("[data-field=preferred_language]")).to_contain_text("ISO 639-1")
    expect(page.locator("input[name=family_name]")).to_have_value("Назарова")
    page.fill("input[name=preferred_language]", "ru")
    page.click("text=Register referral")
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("h1")).to_contain_text("Nazarova")
    expect(page.get_by_test_id("case-status")).to_have_text("referral received")
    page.select_option("select[name=to]", "remote_review")
    page.click("#pathway button[type=submit]")
    expect(page.get_by_test_id("case-status")).to_have_text("remote review")
    expect(page.get_by_test_id("timeline")).to_contain_text("referral_received → remote_review")
    # accepting is a clinical decision: the desk may not
    page.select_option("select[name=to]", "accepted")
    page.click("#pathway button[type=submit]")
    expect(page.locator("#pathway .error")).to_contain_text("may not")
    expect(page.get_by_test_id("case-status")).to_have_text("remote review")


def test_researcher_sees_no_names(page) -> None:
    login(page, "research")
    expect(page.locator("#patient-rows")).to_contain_text("P-")
    expect(page.locator("#patient-rows")).not_to_contain_text("Rakhimov")
    expect(page.locator("input[name=q]")).to_have_count(0)
