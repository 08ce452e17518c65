"""The protocol of a tumour board meeting (PDF, Russian or English): meeting, attendees and
quorum, then for each case its summary and the decision in force with its versions."""

from __future__ import annotations

from rareonco.records.board_views import meeting_view
from rareonco.reports._documents import render, to_pdf
from rareonco.store.board_tables import BoardMeeting

__all__ = ["protocol_html", "protocol_pdf"]


def protocol_html(meeting: BoardMeeting, lang: str) -> str:
    from rareonco import i18n

    with i18n.use_locale(lang):  # labels inside the view are translated too
        view = meeting_view(meeting)
    return render("board_protocol.html", lang, m=view)


def protocol_pdf(meeting: BoardMeeting, lang: str) -> bytes:
    return to_pdf(protocol_html(meeting, lang))
