"""The researcher's registry page: two cohorts, curves as SVG, numbers at risk, log-rank,
downloads, Russian, refusals."""

from __future__ import annotations

import re
from datetime import date

import pytest
from tests.conftest import browser_session

from rareonco.demo.registry import load_synthetic_registry
from rareonco.security.audit import Actor

QUERY = ("endpoint=os&a_label=Pelvis&a_morphology=9180%2F3&a_site_group=pelvis&a_age_min=10&a_age_max=30"
         "&b_label=Limbs&b_morphology=9180%2F3&b_site_group=limb&b_age_min=10&b_age_max=30")


@pytest.fixture
def researcher(app, db):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    with db.session() as session:
        load_synthetic_registry(session, Actor(None, "test", "admin", "local"), 3000, seed=3,
                                today=date(2026, 12, 1))
    client, csrf = browser_session(app, "researcher")
    client.csrf = csrf
    return client


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_two_cohorts_with_curves_and_log_rank(researcher) -> None:  # type: ignore[no-untyped-def]
    assert researcher.get("/registry").status_code == 200
    r = researcher.get(f"/registry?{QUERY}")
    assert r.status_code == 200, r.text
    html = r.text
    assert html.count('data-cohort="Pelvis"') >= 2 and 'data-cohort="Limbs"' in html
    assert re.search(r'data-testid="log-rank">Log-rank test: χ² = [\d.]+, df = 1, p = ', html)
    cells = re.findall(r"<td>(\d+)</td>", html.split('data-testid="at-risk"')[1].split("</table>")[0])
    assert cells and all(int(c) == 0 or int(c) >= 5 for c in cells)
    svg = researcher.get(f"/registry/chart.svg?{QUERY}")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<path" in svg.text
    csv = researcher.get(f"/registry/curve.csv?{QUERY}")
    assert csv.text.splitlines()[0] == "cohort,endpoint,day,estimate,lower,upper"
    assert {line.split(",")[0] for line in csv.text.splitlines()[1:]} == {"Pelvis", "Limbs"}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_russian_page_and_refusals(app, researcher) -> None:  # type: ignore[no-untyped-def]
    r = researcher.post("/locale", data={"lang": "ru", "next": "/registry",
                                         "csrf_token": researcher.csrf}, follow_redirects=False)
    assert r.status_code == 303
    html = researcher.get(f"/registry?{QUERY}").text
    assert "Регистр редких опухолей" in html and "Лог-ранговый критерий" in html
    assert "Число под наблюдением" in html and "таз и крестец" in html
    bad = researcher.get("/registry?a_age_min=abc")
    assert bad.status_code == 422 and 'data-testid="registry-error"' in bad.text
    coordinator, _ = browser_session(app, "coordinator")
    assert coordinator.get("/registry").status_code == 403


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_label_cannot_inject_markup(researcher) -> None:  # type: ignore[no-untyped-def]
    r = researcher.get("/registry?a_label=%3Cscript%3Ex%3C%2Fscript%3E&a_morphology=9180%2F3")
    assert "<script>x</script>" not in r.text and "&lt;script&gt;" in r.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_export_from_the_page(researcher) -> None:  # type: ignore[no-untyped-def]
    form = {"csrf_token": researcher.csrf, "a_morphology": "9180/3", "format": "csv",
            "purpose": "Registry study of osteosarcoma, approval 2026/117"}
    r = researcher.post("/registry/export", data=form)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    r = researcher.post("/registry/export", data={**form, "purpose": "x"})
    assert r.status_code == 422 and 'data-testid="export-error"' in r.text
