"""Board pages in the browser's HTML (forms, errors shown on the page) and the protocol PDF."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from pypdf import PdfReader

from .conftest import QUORUM_ATTENDEES, diagnosed_case, web_login


def _login(app) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    b = TestClient(app)
    return b, web_login(b, "clinician")


def test_meeting_decision_and_protocol(app, clients, users, patient_body) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    case_id = diagnosed_case(clients["clinician"], patient_body)
    b, csrf = _login(app)
    html = {"accept": "text/html"}
    r = b.post("/board/meetings", data={"csrf_token": csrf, "date": "2026-03-15", "time": "15:00",
                                        "place": "Room 4", "chair_id": users["clinician"],
                                        "quorum": ["surgical_oncologist", "medical_oncologist",
                                                   "radiologist", "pathologist"]},
               follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    mid = int(url.rsplit("/", 1)[1])
    b.post(f"{url}/agenda", data={"csrf_token": csrf, "case_id": case_id,
                                  "question": "Limb salvage?"})
    page = b.get(url, headers=html).text
    assert "Limb salvage?" in page and "9180/3" in page and "MAP (preoperative) × 2" in page
    item_id = int(re.search(r'id="item-(\d+)"', page).group(1))  # type: ignore[union-attr]  # the page holds the match
    r = b.post(f"{url}/items/{item_id}/decision", headers=html, data={
        "csrf_token": csrf, "intent": "curative", "neo_on": "1", "neo_regimen": "MAP",
        "neo_cycles": "4", "surg_on": "1", "surg_type": "Resection of the sacroiliac region",
        "rationale": "Localised disease; limb salvage feasible.",
        "guideline": "ESMO-EURACAN-GENTURIS 2021", "dissent": "Dr. X: prefers 6 cycles"})
    assert r.status_code == 200 and "Version 1" in r.text
    decision_id = int(re.search(r'/decisions/(\d+)/sign', r.text).group(1))  # type: ignore[union-attr]  # the page holds the match
    r = b.post(f"{url}/decisions/{decision_id}/sign", data={"csrf_token": csrf}, headers=html)
    assert r.status_code == 409 and "no quorum" in r.text
    for name, spec in QUORUM_ATTENDEES:
        b.post(f"{url}/attendees", data={"csrf_token": csrf, "name": name, "specialty": spec,
                                         "present": "1"})  # the form's "present" box
    r = b.post(f"{url}/decisions/{decision_id}/sign", data={"csrf_token": csrf}, headers=html)
    assert r.status_code == 200 and "signed by Clinician" in r.text
    case_page = b.get(f"/cases/{case_id}/board", headers=html).text
    assert "Plan a course: neoadjuvant chemotherapy: MAP × 4" in case_page
    assert "Plan a resection" in case_page
    for lang, words in (("en", ["Tumour board protocol", "Rakhimov", "Рахимов",
                                "neoadjuvant chemotherapy: MAP × 4", "Signed by the chair"]),
                        ("ru", ["Протокол онкологического консилиума", "Рахимов",
                                "неоадъювантная химиотерапия: MAP × 4",
                                "Подписано председателем", "Кворум"])):
        r = b.get(f"/board/meetings/{mid}/protocol.pdf?lang={lang}")
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        text = " ".join(text.split())
        for w in words:
            assert w in text, (lang, w, text[:800])


def test_forms_show_refusals_on_the_page(app, users) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    b, csrf = _login(app)
    r = b.post("/board/meetings", headers={"accept": "text/html"},
               data={"csrf_token": csrf, "date": "2026-03-15", "chair_id": users["clinician"]})
    assert r.status_code == 422 and "place or a video link" in r.text


def test_russian_refusals_and_times_on_the_board_pages(app, clients, users, patient_body) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    """Issue 18: a refusal on the meeting page is in the user's language, its values (the missing
    specialties) translated; the meeting's time has no seconds ("3:00:00 PM")."""
    case_id = diagnosed_case(clients["clinician"], patient_body)
    b, csrf = _login(app)
    html = {"accept": "text/html"}
    r = b.post("/board/meetings", data={"csrf_token": csrf, "date": "2026-03-15", "time": "15:00",
                                        "place": "Room 4", "chair_id": users["clinician"]},
               follow_redirects=False)
    url = r.headers["location"]
    assert "3:00:00" not in b.get(url, headers=html).text
    b.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf})
    page = b.get(url, headers=html).text
    assert "15:00" in page and "15:00:00" not in page and "15 марта 2026" in page
    b.post(f"{url}/agenda", data={"csrf_token": csrf, "case_id": case_id, "question": ""})
    page = b.get(url, headers=html).text
    assert "MAP (предоперационный) × 2" in page  # the summary's chemotherapy line
    item_id = int(re.search(r'id="item-(\d+)"', page).group(1))  # type: ignore[union-attr]  # the page holds the match
    r = b.post(f"{url}/items/{item_id}/decision", headers=html, data={
        "csrf_token": csrf, "intent": "curative", "fu_on": "1", "rationale": "Watchful waiting."})
    decision_id = int(re.search(r'/decisions/(\d+)/sign', r.text).group(1))  # type: ignore[union-attr]  # the page holds the match
    r = b.post(f"{url}/decisions/{decision_id}/sign", data={"csrf_token": csrf}, headers=html)
    assert r.status_code == 409
    refusal = re.search(r'data-testid="board-error">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]  # the page holds the match
    assert refusal.startswith("нет кворума: отсутствуют ") and "онколог-хирург" in refusal, refusal
    r = b.get("/board/meetings/abc", headers=html)
    assert r.status_code == 422 and "номер заседания: не целое число" in r.text
    assert b.get("/board/meetings/999", headers=html).text.count("Не найдено: заседание консилиума 999.") == 1


def test_a_form_rule_refuses_in_russian_without_a_field_name(app, users) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    """Issue 18: "body: ..." was shown for a rule of the whole form; the reason alone now, in
    the user's language."""
    b, csrf = _login(app)
    b.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf})
    r = b.post("/board/meetings", headers={"accept": "text/html"},
               data={"csrf_token": csrf, "date": "2026-03-15", "chair_id": users["clinician"]})
    assert r.status_code == 422
    assert 'role="alert">Укажите место или ссылку на видеосвязь<' in r.text
    r = b.post("/board/meetings", headers={"accept": "text/html"},
               data={"csrf_token": csrf, "date": "", "chair_id": users["clinician"]})
    assert r.status_code == 422 and "Дата: укажите дату и время заседания" in r.text
