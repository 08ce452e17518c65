"""The protocol of a tumour board meeting (PDF, Russian or English): meeting, attendees and
quorum, then for each case its summary and the decision in force with its versions.

It renders the meeting's view as the board service builds it (`records.board.views.meeting_view`,
built in the document's language), so this module reads no records of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rareonco.reports._documents import render, to_pdf

__all__ = ["protocol_html", "protocol_pdf"]


def protocol_html(meeting: Mapping[str, Any], lang: str) -> str:
    return render("board_protocol.html", lang, m=meeting)


def protocol_pdf(meeting: Mapping[str, Any], lang: str) -> bytes:
    return to_pdf(protocol_html(meeting, lang))
