"""The case page and the diagnosis screen with a browser session: the ICD-O-3 picker's search
(htmx fragment) in Russian and English, saving and correcting the diagnosis, clinical events,
the "Move to" list, the Huvos form only where it applies, and the treatment-mismatch banner."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rareonco.records.cases import pathway
from rareonco.records.response.applicability import Huvos, huvos_applies, huvos_morphologies

from ..conftest import browser_session
from .conftest import open_case, walk

#: page tests run on SQLite (the services below them are tested on both databases)
SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
S = pathway.Status


def _field_error(html: str, field: str) -> str:
    m = re.search(rf'<span class="error" data-field="{re.escape(field)}">([^<]*)</span>', html)
    assert m, f"no error shown next to {field}"
    return m.group(1)


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select.group(1))


def _ru(c: TestClient, csrf: str) -> None:
    c.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf})


def test_move_to_preselects_the_next_forward_step() -> None:
    assert pathway.suggested_next(S.REMOTE_REVIEW) is S.ACCEPTED
    assert pathway.suggested_next(S.ADMITTED) is S.DIAGNOSIS_CONFIRMED
    assert pathway.suggested_next(S.IN_TREATMENT) is S.FOLLOW_UP
    assert pathway.suggested_next(S.FOLLOW_UP) is None  # closing is chosen explicitly
    assert pathway.suggested_next(S.CLOSED) is None
    assert pathway.is_backward(S.FOLLOW_UP, S.BOARD_REVIEWED)
    assert pathway.is_backward(S.REMOTE_REVIEW, S.REFERRAL_RECEIVED)
    assert not pathway.is_backward(S.IN_TREATMENT, S.FOLLOW_UP)
    for status in S:
        nxt = pathway.suggested_next(status)
        assert nxt is None or (nxt in pathway.allowed_next(status)
                               and not pathway.is_backward(status, nxt))


@SQLITE
def test_move_to_on_the_page(app, clients: dict[str, TestClient], patient_body: Any) -> None:
    c = clients["clinician"]
    case_id = open_case(c, patient_body)["id"]
    walk(c, case_id, "remote_review")
    view = c.get(f"/api/v1/cases/{case_id}").json()
    assert view["suggested_next"] == "accepted" and view["backward"] == ["referral_received"]
    page, _ = browser_session(app)
    html = page.get(f"/cases/{case_id}").text
    assert _selected(html, "to") == ["accepted"]
    assert re.search(r'<option value="referral_received">referral received \(back\)</option>',
                     html)


@SQLITE
def test_diagnosis_screen_with_the_pickers(app, clients: dict[str, TestClient],
                                           patient_body: Any) -> None:
    case_id = open_case(clients["clinician"], patient_body)["id"]
    c, csrf = browser_session(app)
    html = c.get(f"/cases/{case_id}/diagnosis").text
    assert 'data-testid="morphology-search"' in html and "9180/3 — Osteosarcoma, NOS" in html
    # the htmx search, in English then in Russian (labels shown in the user's language)
    opts = c.get("/cases/icdo3/morphology/options", params={"q": "ewing"}).text
    assert re.findall(r'<option value="([^"]+)"', opts) == ["9364/3", "9260/3"]
    _ru(c, csrf)
    opts = c.get("/cases/icdo3/morphology/options", params={"q": "остеосаркома"}).text
    assert '<option value="9180/3" title="Osteosarcoma, NOS">9180/3 — Остеосаркома, БДУ' in opts
    kept = c.get("/cases/icdo3/topography/options",
                 params={"q": "брюшина", "current": "C41.4"}).text
    assert re.findall(r'<option value="([^"]+)"', kept)[0] == "C41.4"  # the stored code stays
    assert 'value="C41.4" selected' in kept
    html = c.get(f"/cases/{case_id}/diagnosis").text
    assert "Поиск по коду или названию" in html and "Морфология (МКБ-О-3)" in html
    assert "В хронологии пока нет." in html  # no pathology report yet

    version = clients["clinician"].get(f"/api/v1/cases/{case_id}").json()["version"]
    form = {"csrf_token": csrf, "version": str(version), "morphology_code": "9180/3",
            "topography_code": "C41.4", "laterality": "left", "grade": "G3",
            "stage": "__other__", "stage_other": "Enneking IV", "site_detail": "",
            "diagnosis_date": "2026-02-01", "reason": ""}
    r = c.post(f"/cases/{case_id}/diagnosis", data=form)
    assert r.status_code == 422
    assert _field_error(r.text, "stage") == "такой стадии нет в выбранной системе стадирования"
    assert 'value="Enneking IV"' in r.text  # what was typed is kept
    assert _selected(r.text, "laterality") == ["left"]
    r = c.post(f"/cases/{case_id}/diagnosis", data={
        **form, "stage": "Enneking IIB", "diagnosis_date": "2099-01-01"})
    assert r.status_code == 422 and _field_error(r.text, "diagnosis_date") == "дата в будущем"
    r = c.post(f"/cases/{case_id}/diagnosis", data={**form, "stage": "Enneking IIB"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{case_id}"
    page = c.get(f"/cases/{case_id}").text
    assert "9180/3 Остеосаркома, БДУ" in page and "C41.4 Кости таза" in page
    assert "Enneking IIB" in page
    history = page[page.index('data-testid="diagnosis-history"'):]
    assert history.startswith('data-testid="diagnosis-history">Изменение диагноза: Морфология: '
                              "— → 9180/3; Топография: — → C41.4; Сторона: неизвестно → слева")
    again = c.post(f"/cases/{case_id}/diagnosis", data={**form, "stage": "Enneking IIB",
                                                        "grade": "G2"})
    assert again.status_code == 409 and 'data-field="version"' in again.text

    r = c.post(f"/cases/{case_id}/diagnosis/findings", data={
        "csrf_token": csrf, "version": str(version + 1), "finding": "", "method": "RT-PCR"})
    assert r.status_code == 422 and _field_error(r.text, "finding")
    r = c.post(f"/cases/{case_id}/diagnosis/findings", data={
        "csrf_token": csrf, "version": str(version + 1), "finding": "MDM2 not amplified",
        "method": "FISH", "gene": "MDM2", "finding_date": ""}, follow_redirects=False)
    assert r.status_code == 303
    assert "MDM2 not amplified" in c.get(f"/cases/{case_id}/diagnosis").text
    desk, _ = browser_session(app, "coordinator")
    assert desk.get(f"/cases/{case_id}/diagnosis").status_code == 403
    assert 'data-testid="edit-diagnosis"' not in desk.get(f"/cases/{case_id}").text


@SQLITE
def test_clinical_events_from_the_case_page(app, clients: dict[str, TestClient],
                                            patient_body: Any) -> None:
    case_id = open_case(clients["clinician"], patient_body)["id"]
    c, csrf = browser_session(app)
    html = c.get(f"/cases/{case_id}").text
    kinds = re.findall(r'<option value="([a-z_]+)"', html[html.index('name="kind"'):])
    assert kinds[:3] == ["admission", "discharge", "imaging"] and "board_decision" not in kinds
    future = (date.today() + timedelta(days=10)).isoformat()
    form = {"csrf_token": csrf, "kind": "surgery", "event_date": future,
            "summary": "Resection of the left ilium"}
    r = c.post(f"/cases/{case_id}/events", data=form)
    assert r.status_code == 422 and "future" in _field_error(r.text, "event_date")
    assert "Resection of the left ilium" in r.text  # kept
    r = c.post(f"/cases/{case_id}/events", data={**form, "planned": "on"},
               follow_redirects=False)
    assert r.status_code == 303
    r = c.post(f"/cases/{case_id}/events", data={**form, "kind": "board_decision"})
    assert r.status_code == 403
    _ru(c, csrf)
    page = c.get(f"/cases/{case_id}").text
    timeline = page[page.index('data-testid="timeline"'):]
    assert "операция" in timeline and 'data-testid="planned"' in timeline
    assert "Добавить клиническое событие" in page
    r = c.post(f"/cases/{case_id}/events", data=form)
    assert r.status_code == 422 and _field_error(r.text, "event_date").startswith("дата в будущем")
    # a coordinator adds logistics events only
    desk, _ = browser_session(app, "coordinator")
    html = desk.get(f"/cases/{case_id}").text
    assert re.findall(r'<option value="([a-z_]+)"', html[html.index('name="kind"'):]) == [
        "admission", "discharge"]


@SQLITE
def test_huvos_only_where_it_applies(app, clients: dict[str, TestClient],
                                     patient_body: Any) -> None:
    assert huvos_applies("9180/3") is Huvos.APPLIES and huvos_applies("9364/3") is Huvos.APPLIES
    assert huvos_applies("8806/3") is Huvos.NOT_APPLICABLE
    assert huvos_applies(None) is Huvos.DIAGNOSIS_PENDING
    assert len(huvos_morphologies()) == 13  # 11 osteosarcomas, Ewing (old and new code)
    c = clients["clinician"]
    dsrct = open_case(c, patient_body, morphology_code="8806/3")["id"]
    other = {"family_name": "Каримова", "given_names": "Мадина", "sex": "female",
             "birth_date": "2009-05-02", "passport_number": "FB1234567"}
    osteo = open_case(c, lambda: patient_body(**other), morphology_code="9180/3")["id"]
    body = {"specimen_date": "2026-05-01", "necrosis_pct": 92}
    r = c.post(f"/api/v1/cases/{dsrct}/pathology-response", json=body)
    assert r.status_code == 409 and r.json()["morphology_code"] == "8806/3"
    assert c.post(f"/api/v1/cases/{osteo}/pathology-response", json=body).status_code == 201
    assert c.get(f"/api/v1/cases/{dsrct}/response").json()["huvos"] == "not_applicable"
    page, _ = browser_session(app)
    assert 'id="pathology-form"' not in page.get(f"/cases/{dsrct}/response").text
    html = page.get(f"/cases/{osteo}/response").text
    assert 'id="pathology-form"' in html and "Huvos III" in html


@SQLITE
def test_pathway_refusals_in_the_users_language(app, clients: dict[str, TestClient],
                                                admitted: int) -> None:
    c, csrf = browser_session(app)
    url = f"/cases/{admitted}/transition"
    r = c.post(url, data={"to": "diagnosis_confirmed", "csrf_token": csrf})
    assert r.status_code == 200  # the fragment, with the refusal beside the control
    assert "cannot move the case to diagnosis confirmed: missing the ICD-O-3 morphology" in r.text
    _ru(c, csrf)
    r = c.post(url, data={"to": "diagnosis_confirmed", "csrf_token": csrf})
    assert ("нельзя перевести случай в состояние «диагноз подтверждён»: не хватает: морфология "
            "диагноза по МКБ-О-3; топография диагноза по МКБ-О-3; патоморфологическое "
            "заключение в хронологии") in r.text
    r = c.post(url, data={"to": "follow_up", "csrf_token": csrf})
    assert "допустимые следующие: диагноз подтверждён, закрыт" in r.text
    assert "выберите, на какой этап" in c.post(url, data={"to": "", "csrf_token": csrf}).text
    assert "нужна причина" in c.post(url, data={"to": "closed", "csrf_token": csrf}).text
    desk, desk_csrf = browser_session(app, "coordinator")
    r = desk.post(url, data={"to": "diagnosis_confirmed", "csrf_token": desk_csrf})
    assert "may not make this move" in r.text
    assert clients["clinician"].post(f"/api/v1/cases/{admitted}/transitions", json={
        "to": "diagnosis_confirmed"}).json()["missing"] == ["morphology", "topography",
                                                             "pathology_report"]
