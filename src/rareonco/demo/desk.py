"""Demo inquiries from abroad for the desk dashboard: new, in review, more data requested,
accepted with a planned visit; one of them overdue. Names are fictional."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.records.desk import inquiries as desk
from rareonco.records.desk import review as desk_review
from rareonco.records.desk.schemas import AssignIn, InquiryIn, OpinionIn, VisitIn
from rareonco.security.audit import Actor
from rareonco.store.tables.accounts import User
from rareonco.store.tables.desk import Inquiry

#: (family, given, birth, sex, country, language, diagnosis, days ago, plan)
INQUIRIES = [
    ("Юсупова", "Мадина", date(2009, 4, 17), "female", "UZ", "uz",
     "Suspected Ewing sarcoma of the left tibia", 8, "new"),
    ("Саидов", "Фаррух", date(1996, 1, 5), "male", "TJ", "ru",
     "Retroperitoneal liposarcoma, recurrence after surgery", 3, "in_review"),
    ("Ахметова", "Айгерим", date(2003, 9, 30), "female", "KZ", "ru",
     "Synovial sarcoma of the right thigh, biopsy done locally", 12, "more_data"),
    ("Токтогулов", "Бакыт", date(2000, 11, 11), "male", "KG", "ru",
     "Chondrosarcoma of the pelvis, grade 2 on local biopsy", 20, "accepted"),
    ("Mammadov", "Elvin", date(1991, 2, 23), "male", "AZ", "en",
     "Desmoplastic small round cell tumour suspected on CT", 0, "new"),
]


def load(session: Session, cases: Any) -> str | None:
    if session.scalar(select(Inquiry.id).limit(1)) is not None:
        return None
    doctor = session.scalar(select(User).where(User.username == "demo"))
    coordinator = session.scalar(select(User).where(User.username == "desk"))
    if doctor is None or coordinator is None:
        return None
    desk_actor = Actor(coordinator.id, coordinator.username, coordinator.role, "demo")
    doc_actor = Actor(doctor.id, doctor.username, doctor.role, "demo")
    now = datetime.now(UTC)
    for n, (family, given, born, sex, country, lang, dx, days_ago, plan) in enumerate(INQUIRIES):
        row = desk.submit(session, desk.public_actor("demo"), InquiryIn(
            family_name=family, given_names=given, birth_date=born, sex=sex,
            citizenship=country, residence_country=country, preferred_language=lang,
            passport_number=f"DEMO{n:05d}", email=f"patient{n}@example.org", diagnosis_text=dx),
            [], Path("."), 0)
        row.received_at = now - timedelta(days=days_ago, hours=3)
        if plan == "new":
            continue
        desk_review.assign(session, desk_actor, row.id, AssignIn(reviewer_id=doctor.id))
        if plan == "more_data":
            desk_review.write_opinion(session, doc_actor, row.id, OpinionIn(
                outcome="more_data", missing_items=["MRI of the thigh with contrast (DICOM)",
                                                    "Biopsy slides or blocks for review"]))
            row.first_answer_at = row.received_at + timedelta(days=2, hours=4)
        if plan == "accepted":
            desk_review.write_opinion(session, doc_actor, row.id, OpinionIn(
                outcome="accept", text="Pelvic chondrosarcoma: surgical candidate"))
            row.first_answer_at = row.received_at + timedelta(days=1, hours=2)
            desk_review.plan_visit(session, desk_actor, row.id, VisitIn(
                planned_arrival=date.today() + timedelta(days=12),
                department="Department of bone and soft-tissue sarcomas",
                interpreter_needed=False, letter_language="ru"))
    session.flush()
    return f"desk: {len(INQUIRIES)} inquiries from abroad (one overdue)"
