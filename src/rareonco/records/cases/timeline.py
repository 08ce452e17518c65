"""Timeline event kinds. Clinical kinds are hidden from roles without clinical access.

Each feature declares the kinds it writes in `rareonco.features`; this module reads that list.
"""

from __future__ import annotations

from rareonco.features import TIMELINE_KINDS

#: kind -> is clinical
EVENT_KINDS = TIMELINE_KINDS


def is_clinical(kind: str) -> bool:
    """Unknown kinds count as clinical: hiding too much is safer than showing too much."""
    return EVENT_KINDS.get(kind, True)

#: Kinds a user enters by hand on the case page (the others are written by their features:
#: referral and status changes, board decisions, cycles, HIPEC, plans, response assessments).
MANUAL_KINDS = ("admission", "discharge", "imaging", "biopsy", "pathology", "surgery",
                "follow_up_visit", "note", "death")
#: Kinds that may be entered ahead of their date, as planned
PLANNABLE_KINDS = ("admission", "imaging", "biopsy", "surgery", "follow_up_visit")
