"""The quorum of a board meeting: which required specialties are present (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from rareonco.store.tables.board import BoardMeeting


@dataclass(frozen=True)
class Quorum:
    required: tuple[str, ...]
    present: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def met(self) -> bool:
        return not self.missing


def quorum(meeting: BoardMeeting) -> Quorum:
    """Which required specialties are represented by attendees marked present."""
    present = tuple(sorted({a.specialty for a in meeting.attendees if a.present}))
    missing = tuple(s for s in meeting.quorum if s not in present)
    return Quorum(tuple(meeting.quorum), present, missing)
