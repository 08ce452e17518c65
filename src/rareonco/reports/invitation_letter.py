"""The invitation letter for travel and visa (PDF, Russian or English): who is invited, when,
to which department, whether an interpreter is arranged, signed for the centre."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rareonco.reports._documents import render, to_pdf

__all__ = ["Invitation", "InvitedPatient", "letter_html", "letter_pdf"]


@dataclass(frozen=True)
class InvitedPatient:
    family_name: str
    given_names: str
    family_name_latin: str
    given_names_latin: str
    birth_date: date
    citizenship: str  # ISO 3166-1 alpha-2
    passport_number: str | None


@dataclass(frozen=True)
class Invitation:
    """What the letter states: the inquiry's reference, department and planned dates."""

    reference: str
    department: str | None
    planned_arrival: date
    planned_departure: date | None
    interpreter_needed: bool
    patient: InvitedPatient


def letter_html(invitation: Invitation, lang: str, signed_by: str, today: date | None = None) -> str:
    return render("invitation_letter.html", lang, i=invitation, p=invitation.patient,
                  signed_by=signed_by, today=today or date.today())


def letter_pdf(invitation: Invitation, lang: str, signed_by: str) -> bytes:
    return to_pdf(letter_html(invitation, lang, signed_by))
