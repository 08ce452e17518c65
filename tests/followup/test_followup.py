"""The follow-up clinic on the osteosarcoma demo case (MAP given: doxorubicin 450 mg/m2 and
cisplatin): planned visits, recording, due list, reminders through a local SMTP server."""

from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from rareonco.demo import courses as demo_courses
from rareonco.demo.cases import load_demo_cases
from rareonco.demo.loader import demo_cases
from rareonco.demo.users import ensure_demo_users
from rareonco.store.tables.cases import Case, TimelineEvent
from rareonco.store.tables.followup import FollowupVisit


@pytest.fixture
def osteo(db) -> int:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    with db.session() as session:
        ensure_demo_users(session)  # the demo courses are approved and signed by demo accounts
        load_demo_cases(session)
        cases = demo_cases(session)
        demo_courses.load(session, cases)
        case = session.get(Case, cases.osteosarcoma_case_id)
        assert case is not None and case.status == "follow_up"
        case.patient.email = "aziz@example.org"
        return cases.osteosarcoma_case_id


def _plan(client, case_id: int, end: date):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/cases/{case_id}/followup",
                       json={"end_of_treatment": end.isoformat(), "years": 10})


def test_plan_joins_surveillance_and_late_effects(clients, osteo) -> None:  # type: ignore[no-untyped-def]
    end = date.today() - timedelta(days=80)
    r = _plan(clients["clinician"], osteo, end)
    assert r.status_code == 201, r.text
    visits = r.json()
    surveillance = [v for v in visits if v["kind"] == "surveillance"]
    late = [v for v in visits if v["kind"] == "late_effect"]
    # bone sarcoma (C41.4): every 3 months in years 1-2 -> 8, every 6 in 3-5 -> 6, yearly to 10 -> 5
    assert len(surveillance) == 19 and surveillance[0]["months_after_treatment"] == 3
    tests = {v["tests"][0] for v in late}
    assert "echocardiography" in tests and "audiology" in tests  # MAP: anthracycline + cisplatin
    echo = [v for v in late if v["tests"] == ["echocardiography"]]
    assert "high risk" in echo[0]["reason"]  # 450 mg/m2 doxorubicin >= 250
    assert _plan(clients["clinician"], osteo, end).status_code == 409
    assert clients["coordinator"].get(f"/api/v1/cases/{osteo}/followup").status_code == 403


def test_recording_a_visit_and_the_bad_dates(clients, db, osteo) -> None:  # type: ignore[no-untyped-def]
    end = date.today() - timedelta(days=200)
    first = _plan(clients["clinician"], osteo, end).json()[0]
    url = f"/api/v1/followup/visits/{first['id']}"
    body = {"done_on": (end - timedelta(days=1)).isoformat(), "disease_status": "ned",
            "msts_total": 24, "mobility": "walking_aids", "version": first["version"]}
    bad = clients["clinician"].post(url, json=body)
    assert bad.status_code == 422 and bad.json()["field"] == "done_on"
    bad = clients["clinician"].post(url, json={**body, "done_on": (date.today() + timedelta(days=2)).isoformat()})
    assert bad.status_code == 422 and bad.json()["field"] == "done_on"
    no_status = clients["clinician"].post(url, json={**body, "disease_status": None,
                                                     "done_on": date.today().isoformat()})
    assert no_status.status_code == 422
    ok = clients["clinician"].post(url, json={**body, "done_on": (end + timedelta(days=95)).isoformat()})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "done" and ok.json()["findings"] == {"msts_total": 24,
                                                                      "mobility": "walking_aids"}
    assert clients["clinician"].post(url, json={**body, "version": ok.json()["version"],
                                                "done_on": date.today().isoformat()}).status_code == 409
    stale = _plan_second_visit(clients, osteo)
    assert clients["clinician"].post(f"/api/v1/followup/visits/{stale['id']}", json={
        **body, "done_on": date.today().isoformat(), "version": stale["version"] + 5}).status_code == 409
    with db.session() as s:
        kinds = s.scalars(select(TimelineEvent.kind).where(TimelineEvent.case_id == osteo)).all()
    assert "follow_up_visit" in kinds


def _plan_second_visit(clients, case_id: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    visits = clients["clinician"].get(f"/api/v1/cases/{case_id}/followup").json()
    return next(v for v in visits if v["status"] == "planned")


def test_due_list(clients, osteo) -> None:  # type: ignore[no-untyped-def]
    _plan(clients["clinician"], osteo, date.today() - timedelta(days=120))
    due = clients["clinician"].get("/api/v1/followup/due").json()
    assert due and due[0]["days_overdue"] > 0 and due[0]["visit"]["overdue"]
    assert due[0]["patient"].startswith("Рахимов") or due[0]["patient"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_reminders_go_once_in_the_patients_language(app, clients, osteo) -> None:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):  # type: ignore[no-untyped-def]
            received.append(message)

    assert clients["clinician"].post("/api/v1/followup/reminders").status_code == 409  # no SMTP
    port = _free_port()
    smtp = Controller(Keep(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        app.state.settings.smtp_host, app.state.settings.smtp_port = "127.0.0.1", port
        # end of treatment 3 months minus a week ago: the first visit is due in about a week
        _plan(clients["clinician"], osteo, date.today() - timedelta(days=84))
        r = clients["clinician"].post("/api/v1/followup/reminders")
        assert r.status_code == 200 and r.json()["sent"] >= 1
        assert clients["clinician"].post("/api/v1/followup/reminders").json()["sent"] == 0
    finally:
        smtp.stop()
    msg = received[0]
    from email.header import decode_header, make_header

    assert msg["To"] == "aziz@example.org" and msg["Content-Language"] == "ru"
    assert str(make_header(decode_header(msg["Subject"]))).startswith("Напоминание о контрольном визите")
    body = msg.get_payload(decode=True).decode()
    assert "контрольном обследовании" in body and "9180" not in body and "остеосаркома" not in body.lower()


def test_reminder_text_per_language() -> None:
    from rareonco.records.followup.reminders import compose

    en = compose("en", "Aziz", date(2027, 3, 1), ["chest CT"], "a@b.c", "x@y.z")
    uz = compose("uz", "Aziz", date(2027, 3, 1), ["chest CT"], "a@b.c", "x@y.z")
    fr = compose("fr", "Aziz", date(2027, 3, 1), ["chest CT"], "a@b.c", "x@y.z")
    assert en["Subject"] == "Reminder: your follow-up visit on 01 March 2027"
    assert "01.03.2027" in uz.get_content() and fr["Content-Language"] == "en"


def test_plan_refused_outside_follow_up(clients, db, osteo) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        dsrct = demo_cases(s).dsrct_case_id
    r = _plan(clients["clinician"], dsrct, date.today() - timedelta(days=10))
    assert r.status_code == 409
    r = _plan(clients["clinician"], osteo, date.today() + timedelta(days=10))
    assert r.status_code == 422 and r.json()["field"] == "end_of_treatment"
    with db.session() as s:
        assert not s.scalars(select(FollowupVisit)).all()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_pages_in_russian_and_english(app, osteo) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import browser_session

    from rareonco.clinical.followup import IMAGING
    from rareonco.i18n.catalogs import translations

    client, csrf = browser_session(app, "clinician")
    page = client.get(f"/cases/{osteo}/followup")
    assert page.status_code == 200 and 'data-testid="plan-form"' in page.text
    bad = client.post(f"/cases/{osteo}/followup", data={"csrf_token": csrf, "end_of_treatment": ""})
    assert bad.status_code == 422 and 'data-testid="followup-error"' in bad.text
    end = (date.today() - timedelta(days=100)).isoformat()
    r = client.post(f"/cases/{osteo}/followup", data={"csrf_token": csrf, "end_of_treatment": end},
                    follow_redirects=True)
    assert r.status_code == 200 and 'data-testid="next-visit"' in r.text
    assert "chest imaging (CT or X-ray)" in r.text
    client.post("/locale", data={"lang": "ru", "next": "/followup", "csrf_token": csrf})
    ru_page = client.get(f"/cases/{osteo}/followup").text
    assert "Следующий визит" in ru_page and "визуализация грудной клетки" in ru_page
    assert "Кабинет наблюдения" in client.get("/followup").text
    ru = translations("ru")
    for label in [t for pair in IMAGING.values() for t in pair] + ["echocardiography", "audiology"]:
        assert ru.ugettext(label) != label, label
