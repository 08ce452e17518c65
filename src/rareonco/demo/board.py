"""Demo tumour board meetings with signed decisions, matching the timelines of demo/cases.py:
the osteosarcoma case discussed 288 days ago (MAP x 4, then resection I+IV with an individual
implant), the DSRCT case 344 days ago (P6 x 7) and 183 days ago (cytoreduction + HIPEC); and one
meeting next week with an empty agenda, whose attendees are invited, not yet present (attendance
is recorded at the meeting). The follow-on tasks of past decisions are done; the past meetings'
protocols are locked (every decision signed), and their decisions were signed on the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.records.board import summary as board_summary
from rareonco.records.board.schemas import DEFAULT_QUORUM
from rareonco.records.board.views import task_for
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.store.tables.accounts import User
from rareonco.store.tables.board import (
    BoardAgendaItem,
    BoardAttendee,
    BoardDecision,
    BoardMeeting,
    CaseTask,
)
from rareonco.store.tables.cases import Case

TITLE = "Sarcoma and rare tumours board"
GUIDELINE_BONE = "ESMO-EURACAN-GENTURIS Clinical Practice Guidelines: bone sarcomas (2021)"
GUIDELINE_DSRCT = "PSOGI/RENAPE consensus on peritoneal surface malignancies; P6 protocol"
ATTENDEES = [("Dr. Nodira Karimova", "medical_oncologist"),
             ("Dr. Pavel Sokolov", "radiologist"),
             ("Dr. Elena Morozova", "pathologist"),
             ("Dr. Timur Aliev", "paediatric_oncologist")]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(15, 0), tzinfo=UTC)


def _meeting(session: Session, chair: User, day: date, place: str) -> BoardMeeting:
    m = BoardMeeting(title=TITLE, starts_at=_at(day), place=place, chair_id=chair.id,
                     quorum=list(DEFAULT_QUORUM), created_by=chair.id)
    held = day < date.today()  # a future meeting: invited, marked present at the meeting
    m.attendees = [BoardAttendee(user_id=chair.id, name=chair.full_name,
                                 specialty="surgical_oncologist", present=held)]
    m.attendees += [BoardAttendee(name=n, specialty=s, present=held) for n, s in ATTENDEES]
    session.add(m)
    session.flush()
    return m


def _decide(session: Session, meeting: BoardMeeting, case: Case, chair: User, day: date,
            question: str, recs: list[dict[str, Any]], rationale: str, guideline: str,
            dissent: list[dict[str, str]] | None = None) -> None:
    summary = board_summary.build(session, case, question, as_of=day - timedelta(days=1))
    item = BoardAgendaItem(meeting_id=meeting.id, case_id=case.id, position=1,
                           question=question, summary=summary, summary_at=_at(day))
    session.add(item)
    session.flush()
    decision = BoardDecision(item_id=item.id, case_id=case.id, version_no=1, intent="curative",
                             recommendations=recs, rationale=rationale, dissent=dissent or [],
                             guideline=guideline, summary=summary, created_by=chair.id,
                             signed_by=chair.id, signed_at=_at(day) + timedelta(hours=1))
    session.add(decision)
    session.flush()
    for rec in recs:
        kind, title = task_for(rec)
        session.add(CaseTask(case_id=case.id, kind=kind, title=title, decision_id=decision.id,
                             status="done", closed_at=_at(day + timedelta(days=3)),
                             closed_by=chair.id))


def load(session: Session, cases: Any) -> str | None:
    chair = session.scalar(select(User).where(User.username == "demo"))
    osteo = session.get(Case, cases.osteosarcoma_case_id)
    dsrct = session.get(Case, cases.dsrct_case_id)
    if chair is None or osteo is None or dsrct is None:
        return None
    if session.scalar(select(BoardAgendaItem.id).where(BoardAgendaItem.case_id == osteo.id)):
        return None
    today = date.today()
    d1 = today - timedelta(days=288)
    m1 = _meeting(session, chair, d1, "Conference room 2, 3rd floor")
    _decide(session, m1, osteo, chair, d1,
            "Limb-sparing resection feasible after chemotherapy?\nReconstruction options?",
            [{"kind": "neoadjuvant_chemotherapy", "regimen": "MAP", "cycles": 4},
             {"kind": "surgery", "surgery_type": "Resection of the left sacroiliac region "
              "(Enneking-Dunham I+IV), reconstruction with an individual 3D-printed implant"}],
            "High-grade conventional osteosarcoma of the left ilium reaching the sacroiliac "
            "joint, no metastases. Standard of care: MAP, then wide resection; the pelvic "
            "anatomy calls for a CT-based resection plan and an individual implant.",
            GUIDELINE_BONE,
            [{"name": "Dr. Timur Aliev", "opinion": "Would consider 6 preoperative cycles"}])
    d2 = today - timedelta(days=344)
    m2 = _meeting(session, chair, d2, "Conference room 2, 3rd floor")
    _decide(session, m2, dsrct, chair, d2, "First-line treatment of peritoneal DSRCT",
            [{"kind": "neoadjuvant_chemotherapy", "regimen": "P6", "cycles": 7},
             {"kind": "cytoreduction_hipec", "detail": "if resectable after chemotherapy"}],
            "DSRCT with EWSR1-WT1 fusion, peritoneal disease without distant metastases.",
            GUIDELINE_DSRCT)
    d3 = today - timedelta(days=183)
    m3 = _meeting(session, chair, d3, "Conference room 2, 3rd floor")
    _decide(session, m3, dsrct, chair, d3, "Surgery after 7 courses (partial response)?",
            [{"kind": "cytoreduction_hipec", "detail": "cisplatin 100 mg/m², 42-43 °C, 60 min"}],
            "Partial response (-45 %) after P6; disease now resectable. Continued chemotherapy "
            "after surgery.", GUIDELINE_DSRCT)
    nxt = _meeting(session, chair, today + timedelta(days=7), "Conference room 2, 3rd floor")
    nxt.video_link = "https://video.example.org/board"
    audit.record(session, Actor(chair.id, "demo-loader", "admin", "local"), "create",
                 "board_meeting/demo", "4 demo board meetings")
    return "board: 3 past meetings with signed decisions, 1 meeting next week"
