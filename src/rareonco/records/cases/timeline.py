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
