"""The board and HIPEC pages in Russian in Chromium (issue 18): a finished perfusion says so,
its header counts the samples the analysis counts, the alarms' and probes' names are Russian,
a meeting's time has no seconds."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


def _russian(page) -> None:
    login(page)
    page.click("form.lang button[value=ru]")
    page.wait_for_load_state("networkidle")


def test_finished_perfusion_in_russian(page) -> None:
    _russian(page)
    page.goto("/cases/2/hipec")
    expect(page.get_by_test_id("hipec-procedures")).to_contain_text("цисплатин 100 мг/м² = 158 мг")
    # other browser tests add running perfusions to this case: open the finished one
    page.locator("[data-testid=hipec-procedures] tbody tr", has_text="завершено").locator(
        "a").first.click()
    expect(page.get_by_test_id("hipec-status")).to_have_text("завершено")
    expect(page.get_by_test_id("hipec-conn")).to_have_text("завершено")
    analysis = page.get_by_test_id("hipec-analysis-samples")
    expect(analysis).to_contain_text("измерени")
    count = int(re.sub(r"\D", "", analysis.inner_text().split(" ")[0]))
    expect(page.get_by_test_id("hipec-clock")).to_contain_text(f"· {count} ")
    expect(page.get_by_test_id("hipec-analysis")).to_contain_text("малый таз")
    expect(page.get_by_test_id("hipec-conn")).not_to_have_text("live")


def test_meeting_time_in_russian_without_seconds(page) -> None:
    _russian(page)
    page.goto("/board")
    page.click("[data-testid=meetings] tbody tr >> nth=0 >> a")
    heading = page.locator("h1").inner_text()
    assert re.search(r"\d{1,2} \w+ \d{4}\sг\., \d{2}:\d{2}$", heading), heading
    assert "PM" not in heading and not re.search(r"\d:\d{2}:\d{2}", heading)
