"""End to end in Chromium: plan P6 for the DSRCT demo patient, check the 7 cycles and their doses
on the page, save the course, download its dose sheet PDF; the demo course and response."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import login

pytestmark = pytest.mark.e2e


def _open_dsrct_case(page) -> None:
    login(page)
    page.fill("input[name=q]", "volkov")
    expect(page.locator("#patient-rows")).to_contain_text("Волков")
    page.click("text=8806/3")
    expect(page.locator("h1")).to_contain_text("Volkov")


def test_plan_p6_for_the_dsrct_patient(page) -> None:
    _open_dsrct_case(page)
    page.click("nav.case-nav >> text=Chemotherapy")
    expect(page.locator("h2", has_text="Plan a course")).to_be_visible()
    expect(page.get_by_test_id("course-list")).to_contain_text("P6")  # the demo's given course
    page.select_option("[data-testid=regimen]", "P6")
    page.fill("input[name=height_cm]", "168")
    page.fill("input[name=weight_kg]", "55")
    page.fill("input[name=start]", "2026-01-05")
    page.click("text=Show dose sheet")

    preview = page.get_by_test_id("plan-preview")
    expect(preview.get_by_test_id("plan-summary")).to_contain_text("BSA 1.60 m²")
    expect(preview.locator("[data-testid=calendar] li")).to_have_count(7)
    cycles = preview.locator("tbody[data-testid=cycle]")
    expect(cycles).to_have_count(7)
    first = cycles.nth(0)
    expect(first.locator("td[data-drug=cyclophosphamide]")).to_have_text("3364.37")
    expect(first.locator("td[data-drug=doxorubicin]")).to_have_text("40.05")
    expect(first).to_contain_text("capped 2.0 mg/course")
    expect(cycles.nth(3).locator("td[data-drug=ifosfamide]")).to_have_text("2883.75")
    expect(cycles.nth(6)).to_contain_text("2026-05-11")  # course 7: 6 x 21 days after the start

    page.click("text=Save course")
    expect(page).to_have_url(re.compile(r"/courses/\d+$"))
    table = page.get_by_test_id("course-table")
    expect(table.locator("tbody[data-testid=cycle]")).to_have_count(7)
    expect(table.locator("tbody[data-cycle='1'] td[data-drug=cyclophosphamide]")).to_contain_text(
        "3364.37")
    expect(page.get_by_test_id("course-progress")).to_contain_text("0 of 7")

    with page.expect_download() as info:
        page.get_by_test_id("dose-sheet-pdf").click()
    pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Volkov" in text and "BSA 1.60" in text
    assert text.count("Cycle ") >= 7 and "3364.37" in text
    assert "CAPPED 2.0 mg/course" in text


def test_demo_course_and_response(page) -> None:
    _open_dsrct_case(page)
    page.click("nav.case-nav >> text=Chemotherapy")
    page.get_by_test_id("course-list").locator("a").first.click()
    expect(page.get_by_test_id("course-progress")).to_contain_text("7 of 7")
    expect(page.locator("[data-testid=given]")).to_have_count(7)
    page.click("nav.case-nav >> text=Response")
    expect(page.get_by_test_id("best-response")).to_contain_text("PR")
    expect(page.get_by_test_id("recist-table")).to_contain_text("-45.2 %")
    # plotly drew it (4.6 MB of JavaScript: allow for a busy machine)
    expect(page.locator("#response-chart .main-svg").first).to_be_visible(timeout=30000)


def test_enter_a_follow_up_timepoint(page) -> None:
    """The form under the RECIST table: a follow-up today adds a row and a point on the chart;
    a refused value is shown next to its input and the entered values stay."""
    _open_dsrct_case(page)
    page.click("nav.case-nav >> text=Response")
    rows = page.locator("[data-testid=recist-table] tbody tr")
    expect(page.locator("#response-chart .main-svg").first).to_be_visible(timeout=30000)
    before = rows.count()
    points = "document.getElementById('response-chart').data[0].x.length"
    assert page.evaluate(points) == before

    form = page.get_by_test_id("timepoint-form")
    expect(form).to_contain_text("Add a follow-up timepoint")
    form.locator("input[name=mm__T1]").fill("-3")
    form.locator("input[name=mm__T2]").fill("34")
    form.locator("input[name=mm__T3]").fill("20")
    form.locator("select[name=non_target]").select_option("present")
    form.locator("input[name=mm__T1]").evaluate("e => e.removeAttribute('min')")
    form.locator("button[type=submit]").click()
    expect(page.locator("span.error[data-field=mm__T1]")).to_be_visible()
    form = page.get_by_test_id("timepoint-form")
    expect(form.locator("input[name=mm__T2]")).to_have_value("34")

    form.locator("input[name=mm__T1]").fill("40")
    form.locator("button[type=submit]").click()
    expect(rows).to_have_count(before + 1)
    last = rows.nth(before)
    expect(last).to_contain_text("94")  # 40 + 34 + 20 mm
    expect(last).to_contain_text("PR")
    expect(page.locator("#response-chart .main-svg").first).to_be_visible(timeout=30000)
    assert page.evaluate(points) == before + 1
    assert page.evaluate("document.getElementById('response-chart').data[0].y.slice(-1)[0]") == 94
