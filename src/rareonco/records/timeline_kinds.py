"""Timeline event kinds. Clinical kinds are hidden from roles without clinical access.

Later features register their own kinds with `register_kind`.
"""

from __future__ import annotations

EVENT_KINDS: dict[str, bool] = {
    # kind: is clinical
    "referral": False,
    "status_change": False,
    "admission": False,
    "discharge": False,
    "imaging": True,
    "biopsy": True,
    "pathology": True,
    "board_decision": True,
    "chemotherapy_cycle": True,
    "surgery": True,
    "hipec": True,
    "response_assessment": True,
    "follow_up_visit": True,
    "resection_plan": True,
    "note": True,
    "death": True,
}


def register_kind(kind: str, clinical: bool) -> None:
    EVENT_KINDS[kind] = clinical


def is_clinical(kind: str) -> bool:
    return EVENT_KINDS.get(kind, True)
