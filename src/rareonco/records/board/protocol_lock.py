"""Board rules on time and the record (pure: no queries; the services call these).

- a decision is signed on or after the date of its meeting (`require_signable_on`);
- attendance is recorded at the meeting: nobody is present until marked so, and presence is
  marked only once the meeting has started (`require_started`);
- a held meeting's protocol locks once every decision on its agenda is signed (`is_locked`):
  edits to the meeting, its agenda and its attendance are then refused (`require_open`), and
  corrections are recorded as addenda. Amending a decision stays possible: a new version, with
  what changed and why (the signed versions are never changed).

The messages are kept here, in one place (English; marked for translation).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from rareonco.errors import Conflict
from rareonco.i18n import N_
from rareonco.store.tables.board import BoardMeeting

MESSAGES: dict[str, str] = {
    "too_early": N_("a decision of the meeting of %(date)s cannot be signed before that date "
                    "(today is %(today)s)"),
    "not_started": N_("the meeting of %(when)s has not started: attendance is recorded at the "
                      "meeting"),
    "locked": N_("the protocol of the meeting of %(date)s is locked (every decision is "
                 "signed): record a correction as an addendum"),
}


def _aware(value: datetime) -> datetime:
    """Stored times read back from SQLite are naive: they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def meeting_date(meeting: BoardMeeting) -> date:
    """The meeting's date where it is held (in the offset it was given, UTC when none)."""
    return _aware(meeting.starts_at).date()


def has_started(meeting: BoardMeeting, now: datetime | None = None) -> bool:
    return _aware(meeting.starts_at) <= (now or datetime.now(UTC))


def today_at(meeting: BoardMeeting, now: datetime | None = None) -> date:
    """Today, in the meeting's offset."""
    tz = _aware(meeting.starts_at).tzinfo
    return (now or datetime.now(UTC)).astimezone(tz).date()


def require_signable_on(meeting: BoardMeeting, now: datetime | None = None) -> None:
    day, today = meeting_date(meeting), today_at(meeting, now)
    if today < day:
        raise Conflict(MESSAGES["too_early"] % {"date": day.isoformat(),
                                                "today": today.isoformat()},
                       meeting_date=day.isoformat())


def require_started(meeting: BoardMeeting, now: datetime | None = None) -> None:
    if not has_started(meeting, now):
        when = _aware(meeting.starts_at).isoformat(sep=" ", timespec="minutes")
        raise Conflict(MESSAGES["not_started"] % {"when": when},
                       starts_at=_aware(meeting.starts_at).isoformat())


def is_locked(meeting: BoardMeeting, now: datetime | None = None) -> bool:
    """Held, with an agenda, and every agenda item has a signed decision."""
    return (has_started(meeting, now) and bool(meeting.items)
            and all(any(d.signed_at is not None for d in i.decisions) for i in meeting.items))


def require_open(meeting: BoardMeeting, now: datetime | None = None) -> None:
    if is_locked(meeting, now):
        raise Conflict(MESSAGES["locked"] % {"date": meeting_date(meeting).isoformat()},
                       meeting_id=meeting.id, locked=True)
