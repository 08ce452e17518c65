"""Optimistic locking: an update names the version it was made against (HTTP 409 if stale)."""

from __future__ import annotations

from rareonco.errors import Conflict


def require_version(what: str, current: int, sent: int | None) -> None:
    """Refuse an update of `what` made against version `sent` when the record is at `current`:
    someone else changed it meanwhile, and nothing is overwritten. `sent` None: not checked."""
    if sent is not None and sent != current:
        raise Conflict(f"{what} was changed by someone else (version {current}, yours {sent}); "
                       "reload and try again", current_version=current)
