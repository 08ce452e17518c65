"""The demo cases hold what every state they reached requires, and the demo board follows the
board rules (decisions signed on the meeting day, a future meeting with nobody present)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from rareonco.demo.loader import demo_cases, load_demo
from rareonco.records.board.protocol_lock import has_started, is_locked, meeting_date
from rareonco.records.cases import pathway
from rareonco.records.cases import service as cases
from rareonco.store.db import Database
from rareonco.store.tables.board import BoardDecision, BoardMeeting
from rareonco.store.tables.cases import Case


def test_demo_cases_hold_what_their_pathway_required(db: Database) -> None:
    load_demo(db)
    with db.session() as session:
        ids = demo_cases(session)
        for case_id in (ids.osteosarcoma_case_id, ids.dsrct_case_id):
            case = session.get(Case, case_id)
            assert case is not None
            reached = {e.payload["to"] for e in case.events if e.kind == "status_change"}
            for status in reached:
                missing = cases.missing_requirements(session, case, pathway.Status(status))
                assert not missing, (case_id, status, missing)
        for d in session.scalars(select(BoardDecision)).all():
            meeting = d.item.meeting
            assert d.signed_at is not None
            assert d.signed_at.date() >= meeting_date(meeting)
        meetings = session.scalars(select(BoardMeeting)).all()
        future = [m for m in meetings if not has_started(m, datetime.now(UTC))]
        assert len(future) == 1 and not any(a.present for a in future[0].attendees)
        assert all(is_locked(m) for m in meetings if m.items)
