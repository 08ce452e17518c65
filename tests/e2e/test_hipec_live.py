"""HIPEC live monitoring in Chromium: the DSRCT case's HIPEC page, a new procedure, a simulated
perfusion with a fault; the curve grows, an alarm appears and is acknowledged."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


def _points(page) -> int:
    return int(page.get_by_test_id("hipec-chart").get_attribute("data-points") or 0)


def test_demo_perfusion_has_analysis_and_report(page) -> None:
    login(page)
    page.fill("input[name=q]", "volkov")
    page.click("text=8806/3")
    page.click("nav.case-nav >> text=HIPEC")
    expect(page.get_by_test_id("hipec-procedures")).to_contain_text("cisplatin 100 mg/m² = 158 mg")
    page.click("[data-testid=hipec-procedures] tbody a")
    expect(page.get_by_test_id("hipec-status")).to_have_text("finished")
    expect(page.get_by_test_id("hipec-conn")).to_have_text("finished")
    expect(page.get_by_test_id("hipec-analysis")).to_contain_text("ip_pelvis")
    page.wait_for_function("Number(document.querySelector('[data-testid=hipec-chart]')"
                           ".dataset.points) > 1000")
    report = page.request.get(page.url.replace("/cases/", "/api/v1/cases/") + "/report.pdf")
    assert report.ok and report.headers["content-type"] == "application/pdf"


def _new_procedure(page) -> None:
    login(page)
    page.fill("input[name=q]", "volkov")
    page.click("text=8806/3")
    page.click("nav.case-nav >> text=HIPEC")
    form = page.locator("#hipec-create")
    form.locator("input[name=procedure_date]").fill("2026-05-20")
    form.locator("input[name=height_cm]").fill("168")
    form.locator("input[name=weight_kg]").fill("53.5")
    form.locator("input[name=pci]").fill("14")
    form.locator("select[name=cc_score]").select_option("CC-1")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/hipec/\d+$"))


def test_simulated_perfusion_with_fault_raises_an_alarm(page) -> None:
    _new_procedure(page)
    expect(page.get_by_test_id("hipec-status")).to_have_text("planned")
    expect(page.locator("#hipec-conn")).to_have_text("live")
    page.select_option("#hipec-sim select[name=fault]", "heater_runaway@1")
    page.select_option("#hipec-sim select[name=speed]", "30")
    page.click("#hipec-sim-start")
    page.wait_for_function("Number(document.querySelector('[data-testid=hipec-chart]')"
                           ".dataset.points) > 5")
    first = _points(page)
    page.wait_for_function(f"Number(document.querySelector('[data-testid=hipec-chart]')"
                           f".dataset.points) > {first + 10}")
    alarm = page.locator("[data-testid=hipec-alarms] li[data-type=over_temperature]")
    expect(alarm).to_be_visible(timeout=30000)
    expect(alarm).to_contain_text("inflow")
    alarm.get_by_role("button", name="Acknowledge").click()
    expect(alarm).to_contain_text("acknowledged by demo")
    assert _points(page) > first
    page.click("#hipec-sim-stop")
    expect(page.get_by_test_id("hipec-status")).to_have_text("running")


def test_predicted_alarm_comes_before_the_crossing_and_finish(page) -> None:
    """A slow drift of the inflow set point (0.3 C/min from minute 1): the live page shows
    ``over_temperature_predicted`` with "crossing in N s" before ``over_temperature`` appears;
    the current values, time in range and the analysis fill in; finishing says "finished"."""
    _new_procedure(page)
    expect(page.get_by_test_id("hipec-conn")).to_have_text("live")
    page.select_option("#hipec-sim select[name=fault]", "drift@1,rate=0.3")
    page.select_option("#hipec-sim select[name=speed]", "10")
    page.click("#hipec-sim-start")
    tile = page.locator("[data-testid=hipec-probe][data-probe=inflow]")
    expect(tile).to_be_visible(timeout=15000)
    assert tile.get_attribute("data-state") in ("in", "below", "above")
    assert tile.get_attribute("data-trend") in ("rising", "falling", "steady")
    # the analysis panel fills in during the run
    expect(page.get_by_test_id("hipec-analysis")).to_contain_text("inflow", timeout=20000)
    predicted = page.locator("#hipec-active .active-alarm[data-type=over_temperature_predicted]")
    expect(predicted.first).to_be_visible(timeout=120000)
    real = page.locator("[data-testid=hipec-alarms] li[data-type=over_temperature]")
    assert real.count() == 0, "the predicted alarm must come before the crossing"
    expect(predicted.first).to_contain_text(re.compile(r"crossing in \d+ s"))
    expect(predicted.first).to_contain_text("level 1")
    expect(real.first).to_be_visible(timeout=120000)
    expect(page.locator("#hipec-active .active-alarm[data-type=over_temperature]").first) \
        .to_be_visible()
    # the forecast on inflow is over once the real inflow alarm is raised
    expect(page.locator("#hipec-active .active-alarm[data-type=over_temperature_predicted]")
           .filter(has_text="inflow")).to_have_count(0)
    assert float(page.get_by_test_id("hipec-time-in-range").inner_text()) >= 0.0
    page.click("#hipec-sim-stop")
    page.get_by_role("button", name="Finish perfusion").click()
    expect(page.get_by_test_id("hipec-status")).to_have_text("finished")
    expect(page.get_by_test_id("hipec-conn")).to_have_text("finished")
    expect(page.locator("#hipec-active button")).to_have_count(0)
