"""The perfusion report: HTML with chart and tables, PDF with the same content."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from rareonco.hipec import analyse, parse_fault, simulate
from rareonco.reports.hipec_report import chart_svg, render_html, render_pdf


@pytest.fixture(scope="module")
def perfusion():
    log = simulate(45, seed=3, faults=[parse_fault("pump_stop@40")])
    return log, analyse(log)


def test_html_has_chart_table_alarms_and_metadata(perfusion) -> None:
    log, result = perfusion
    html = render_html(
        result, log, metadata={"Patient": "DEMO <001>", "Surgeon": "Dr A"}
    )
    assert html.count("<svg") == 1 and "<polyline" in html
    assert '<table class="probes">' in html
    for name in log.probes_c:
        assert f"{name}</td>" in html
    assert "flow_low" in html and "under_temperature" in html
    assert "DEMO &lt;001&gt;" in html  # escaped
    # every alarm's life, with its levels; per-probe data coverage
    assert '<table class="lives">' in html and "still active" in html
    assert html.count("<tr class=\"alarm\">") == len(result.alarms)
    lives = html.split('<table class="lives">')[1].split("</table>")[0]
    assert lives.count("<tr>") == len(result.alarm_lives) + 1  # + the header row
    assert "Data coverage" in html and "100 %" in html
    assert "target 42-43" in html


def test_chart_marks_band_plateau_and_gaps(perfusion) -> None:
    log, result = perfusion
    svg = chart_svg(log, result)
    assert 'fill="#2ca02c"' in svg and "plateau start" in svg
    assert svg.count("<polyline") >= len(log.probes_c)
    assert len(svg) < 200_000  # decimated


def test_pdf_is_a_document_with_the_probe_names(perfusion) -> None:
    log, result = perfusion
    pdf = render_pdf(result, log, metadata={"Procedure": "CRS + HIPEC"})
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for name in (
        "inflow",
        "outflow",
        "ip_upper",
        "ip_pelvis",
        "flow_low",
        "CRS + HIPEC",
    ):
        assert name in text


def test_report_shows_who_acknowledged_and_when() -> None:
    from rareonco.hipec import Acknowledge, AlarmType

    log = simulate(25, seed=1, faults=[parse_fault("heater_failure@3")])
    ack = Acknowledge(960.0, AlarmType.TARGET_NOT_REACHED, None, "perfusionist A")
    result = analyse(log, acknowledgements=(ack,))
    html = render_html(result, log)
    lives = html.split('<table class="lives">')[1].split("</table>")[0]
    assert "target_not_reached" in lives and "perfusionist A at 16:00" in lives
