"""Reminders to patients of their coming follow-up visit, by e-mail, in the patient's own
language (Russian, English, Uzbek), through the SMTP server the settings name.

Each reminder goes once (``reminder_sent_at``), only for planned visits due within
:data:`REMINDER_DAYS`, only to patients with an e-mail address; the message names the date and
the tests, never the diagnosis (an e-mail is not a secure channel). Sending is audited.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.config import Settings
from rareonco.errors import Conflict
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.cases import Case
from rareonco.store.tables.followup import FollowupVisit

__all__ = ["REMINDER_DAYS", "SentReminder", "compose", "send_reminders"]

REMINDER_DAYS = 14
_TEXT = {
    "ru": ("Напоминание о контрольном визите {date}",
           "Здравствуйте, {name}!\n\nНапоминаем о контрольном обследовании {date}: {tests}.\n"
           "Если вы наблюдаетесь дистанционно, пришлите результаты обследований, сделанных по месту "
           "жительства, вашему координатору.\n\nНациональный центр редких опухолей"),
    "en": ("Reminder: your follow-up visit on {date}",
           "Dear {name},\n\nThis is a reminder of your follow-up visit on {date}: {tests}.\n"
           "If you are followed remotely, please send the results of tests done at home to your "
           "coordinator.\n\nNational Rare Tumour Centre"),
    "uz": ("Eslatma: nazorat tashrifingiz {date}",
           "Hurmatli {name},\n\n{date} kuni nazorat tekshiruvingiz borligini eslatamiz: {tests}.\n"
           "Agar siz masofadan kuzatilayotgan bo'lsangiz, yashash joyingizda qilingan tekshiruv "
           "natijalarini koordinatoringizga yuboring.\n\nNoyob o'smalar milliy markazi"),
}
_DATE = {"ru": "%d.%m.%Y", "en": "%d %B %Y", "uz": "%d.%m.%Y"}


@dataclass(frozen=True)
class SentReminder:
    visit_id: int
    to: str
    language: str


def compose(language: str, name: str, due: date, tests: list[str], sender: str, to: str
            ) -> EmailMessage:
    """The reminder in ``language`` (ru, en or uz; anything else gets English)."""
    lang = language if language in _TEXT else "en"
    subject, body = _TEXT[lang]
    when = due.strftime(_DATE[lang])
    msg = EmailMessage()
    msg["Subject"] = subject.format(date=when)
    msg["From"] = sender
    msg["To"] = to
    msg.set_content(body.format(name=name, date=when, tests="; ".join(tests)))
    msg["Content-Language"] = lang  # after set_content, which resets the Content-* headers
    return msg


def send_reminders(session: Session, actor: Actor, settings: Settings, today: date
                   ) -> list[SentReminder]:
    """Send the reminders due today (each visit once); refused when no SMTP host is set."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    if not settings.smtp_host:
        raise Conflict("no SMTP server is configured (RAREONCO_SMTP_HOST)")
    rows = session.execute(select(FollowupVisit, Case).join(Case, Case.id == FollowupVisit.case_id)
                           .where(FollowupVisit.status == "planned",
                                  FollowupVisit.reminder_sent_at.is_(None),
                                  FollowupVisit.due_on >= today,
                                  FollowupVisit.due_on <= today + timedelta(days=REMINDER_DAYS))
                           .order_by(FollowupVisit.due_on)).all()
    sent: list[SentReminder] = []
    if not rows:
        return sent
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        for visit, case in rows:
            patient = case.patient
            if not patient.email:
                continue
            msg = compose(patient.preferred_language, patient.given_names, visit.due_on,
                          visit.tests, settings.smtp_from, patient.email)
            smtp.send_message(msg)
            visit.reminder_sent_at = datetime.now(UTC)
            sent.append(SentReminder(visit.id, patient.email, str(msg["Content-Language"])))
            audit.record(session, actor, "remind", f"case/{case.id}/followup/{visit.id}",
                         f"e-mail in {msg['Content-Language']}")
    session.flush()
    return sent
