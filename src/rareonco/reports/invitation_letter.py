"""The invitation letter for travel and visa (PDF, Russian or English): who is invited, when,
to which department, whether an interpreter is arranged, signed for the centre."""

from __future__ import annotations

from datetime import date

from rareonco.reports._documents import render, to_pdf
from rareonco.store.desk_tables import Inquiry

__all__ = ["letter_html", "letter_pdf"]


def letter_html(inquiry: Inquiry, lang: str, signed_by: str, today: date | None = None) -> str:
    p = inquiry.patient
    return render("invitation_letter.html", lang, i=inquiry, p=p, signed_by=signed_by,
                  today=today or date.today())


def letter_pdf(inquiry: Inquiry, lang: str, signed_by: str) -> bytes:
    return to_pdf(letter_html(inquiry, lang, signed_by))
