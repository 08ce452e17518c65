"""A signed decision version cannot change, even when a caller bypasses the service."""

from __future__ import annotations

import pytest

from rareonco.errors import Conflict
from rareonco.store.tables.board import BoardDecision


def test_signed_row_refuses_update(db, clients, meeting, case_id) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    from .conftest import DECISION, add_quorum

    c = clients["clinician"]
    add_quorum(c, meeting["id"])
    item = c.post(f"/api/v1/board/meetings/{meeting['id']}/agenda",
                  json={"case_id": case_id}).json()
    dec = c.post(f"/api/v1/board/items/{item['id']}/decision", json=DECISION).json()
    c.post(f"/api/v1/board/decisions/{dec['id']}/sign")
    with pytest.raises(Conflict, match="signed"), db.session() as s:
        row = s.get(BoardDecision, dec["id"])
        row.rationale = "rewritten"
        s.flush()
    with db.session() as s:
        row = s.get(BoardDecision, dec["id"])
        assert row.rationale == DECISION["rationale"] and row.signed_at is not None
