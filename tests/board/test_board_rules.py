"""Board rules: signed on or after the meeting date, attendance marked at the meeting, the
protocol locked once every decision is signed (corrections as addenda), ready cases first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rareonco.errors import Conflict
from rareonco.features import import_tables
from rareonco.records.board import protocol_lock
from rareonco.store.db import Database
from rareonco.store.tables.audit import AuditEntry
from rareonco.store.tables.board import BoardMeeting

from .conftest import DECISION, QUORUM_ATTENDEES, add_quorum, diagnosed_case

API = "/api/v1"


def _meeting(c: TestClient, users: dict[str, int], starts: datetime,
             **extra: Any) -> dict[str, Any]:
    r = c.post(f"{API}/board/meetings", json={
        "starts_at": starts.isoformat(), "place": "Room 4", "chair_id": users["clinician"],
        **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_decision_is_not_signed_before_the_meeting_date() -> None:
    import_tables()  # every mapper known before a row object is made
    m = BoardMeeting(title="b", starts_at=datetime(2026, 12, 11, 15, 0, tzinfo=UTC), place="x",
                     chair_id=1, quorum=[])
    with pytest.raises(Conflict) as refused:
        protocol_lock.require_signable_on(m, datetime(2026, 12, 4, 10, 0, tzinfo=UTC))
    assert "meeting of 2026-12-11" in refused.value.message
    assert refused.value.details["meeting_date"] == "2026-12-11"
    protocol_lock.require_signable_on(m, datetime(2026, 12, 11, 9, 0, tzinfo=UTC))
    protocol_lock.require_signable_on(m, datetime(2026, 12, 20, 9, 0, tzinfo=UTC))


def test_signing_a_future_meeting_is_refused_naming_its_date(
        clients: dict[str, TestClient], users: dict[str, int], patient_body: Any) -> None:
    c = clients["clinician"]
    case_id = diagnosed_case(c, patient_body)
    day = datetime.now(UTC) + timedelta(days=7)
    m = _meeting(c, users, day)
    item = c.post(f"{API}/board/meetings/{m['id']}/agenda", json={"case_id": case_id}).json()
    dec = c.post(f"{API}/board/items/{item['id']}/decision", json=DECISION).json()
    r = c.post(f"{API}/board/decisions/{dec['id']}/sign")
    assert r.status_code == 409 and day.date().isoformat() in r.json()["error"]
    assert r.json()["meeting_date"] == day.date().isoformat()


def test_attendance_is_recorded_at_the_meeting(clients: dict[str, TestClient],
                                               users: dict[str, int]) -> None:
    c = clients["clinician"]
    future = _meeting(c, users, datetime.now(UTC) + timedelta(days=7),
                      chair_specialty="surgical_oncologist")
    assert [a["present"] for a in future["attendees"]] == [False]
    assert future["quorum"]["met"] is False and future["started"] is False
    for name, spec in QUORUM_ATTENDEES:  # invited: listed, not present
        r = c.post(f"{API}/board/meetings/{future['id']}/attendees",
                   json={"name": name, "specialty": spec})
        assert r.status_code == 201
    got = r.json()
    assert not any(a["present"] for a in got["attendees"]) and not got["quorum"]["met"]
    r = c.post(f"{API}/board/meetings/{future['id']}/attendees",
               json={"name": "Dr. X", "specialty": "nurse", "present": True})
    assert r.status_code == 409 and "has not started" in r.json()["error"]
    r = c.put(f"{API}/board/attendees/{got['attendees'][1]['id']}/presence",
              json={"present": True})
    assert r.status_code == 409
    held = _meeting(c, users, datetime.now(UTC) - timedelta(minutes=5))
    a = c.post(f"{API}/board/meetings/{held['id']}/attendees",
               json={"name": "Dr. Y", "specialty": "pathologist"}).json()["attendees"][0]
    assert a["present"] is False
    assert c.put(f"{API}/board/attendees/{a['id']}/presence",
                 json={"present": True}).status_code == 200


def test_the_protocol_locks_once_every_decision_is_signed(
        clients: dict[str, TestClient], meeting: dict[str, Any], case_id: int,
        patient_body: Any, db: Database) -> None:
    c, mid = clients["clinician"], meeting["id"]
    add_quorum(c, mid)
    item = c.post(f"{API}/board/meetings/{mid}/agenda", json={"case_id": case_id}).json()
    dec = c.post(f"{API}/board/items/{item['id']}/decision", json=DECISION).json()
    assert c.post(f"{API}/board/meetings/{mid}/addenda",
                  json={"text": "early"}).status_code == 201  # a held meeting takes addenda
    assert c.get(f"{API}/board/meetings/{mid}").json()["locked"] is False
    assert c.post(f"{API}/board/decisions/{dec['id']}/sign").status_code == 200
    m = c.get(f"{API}/board/meetings/{mid}").json()
    assert m["locked"] is True
    other = diagnosed_case(c, patient_body, passport_number="ZZ7654321", family_name="Юсупова",
                           given_names="Нигора", sex="female", birth_date="2004-09-21")
    refusals = [
        c.post(f"{API}/board/meetings/{mid}/attendees",
               json={"name": "Late", "specialty": "nurse", "present": True}),
        c.put(f"{API}/board/attendees/{m['attendees'][0]['id']}/presence",
              json={"present": False}),
        c.post(f"{API}/board/meetings/{mid}/agenda", json={"case_id": other}),
        c.post(f"{API}/board/items/{item['id']}/summary"),
    ]
    for r in refusals:
        assert r.status_code == 409 and "addendum" in r.json()["error"], r.text
    r = c.post(f"{API}/board/meetings/{mid}/addenda",
               json={"text": "Dr. Chemo left before item 1 was decided"})
    assert r.status_code == 201, r.text
    assert r.json()["author"] == "Clinician" and r.json()["meeting_id"] == mid
    assert c.post(f"{API}/board/meetings/{mid}/addenda", json={"text": ""}).status_code == 422
    texts = [a["text"] for a in c.get(f"{API}/board/meetings/{mid}").json()["addenda"]]
    assert texts == ["early", "Dr. Chemo left before item 1 was decided"]
    # a new version of the decision stays possible (it says what changed and why)
    v2 = c.post(f"{API}/board/items/{item['id']}/decision",
                json={**DECISION, "change_note": "cycles corrected"})
    assert v2.status_code == 200, v2.text
    with db.session() as session:
        assert session.query(AuditEntry).filter(
            AuditEntry.resource.like(f"board_meeting/{mid}/addendum/%")).count() == 2
    page = clients["clinician"].get(f"/board/meetings/{mid}", headers={"accept": "text/html"})
    if page.status_code == 200:  # the page needs a browser session; the API client may not
        assert "Dr. Chemo left before item 1" in page.text


def test_the_agenda_offers_ready_cases_first(clients: dict[str, TestClient],
                                             patient_body: Any, db: Database) -> None:
    from rareonco.records.board import meetings
    from rareonco.security.audit import Actor
    from rareonco.store.tables.cases import TimelineEvent

    c = clients["clinician"]
    ready = diagnosed_case(c, patient_body)  # has an imaging event
    bare = diagnosed_case(c, patient_body, passport_number="ZZ7654321", family_name="Юсупова",
                           given_names="Нигора", sex="female", birth_date="2004-09-21")
    with db.session() as session:  # the newer case has no imaging
        session.query(TimelineEvent).filter(TimelineEvent.case_id == bare,
                                            TimelineEvent.kind == "imaging").delete()
    with db.session() as session:
        actor = Actor(None, "test", "clinician", "local")
        ids = [x.id for x in meetings.candidate_cases(session, actor)]
        assert ids.index(ready) < ids.index(bare)
