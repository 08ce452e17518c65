"""The case pathway state machine (pure)."""

from itertools import pairwise

import pytest

from rareonco.errors import Conflict, InvalidInput
from rareonco.records.cases.pathway import Status, allowed_next, check_transition

MAIN_LINE = ["referral_received", "remote_review", "accepted", "admitted", "diagnosis_confirmed",
             "board_reviewed", "in_treatment", "follow_up", "closed"]


def test_main_line_is_legal_step_by_step() -> None:
    for cur, nxt in pairwise(MAIN_LINE):
        reason = "completed" if nxt == "closed" else None
        assert check_transition(cur, nxt, reason) is Status(nxt)


def test_illegal_move_lists_allowed_next_states() -> None:
    with pytest.raises(Conflict) as err:
        check_transition("referral_received", "in_treatment")
    assert "allowed next: remote_review, closed" in err.value.message
    assert err.value.details["allowed"] == ["remote_review", "closed"]


def test_remote_review_branches() -> None:
    assert set(allowed_next(Status.REMOTE_REVIEW)) == {
        Status.ACCEPTED, Status.DECLINED, Status.REFERRAL_RECEIVED, Status.CLOSED}


def test_closed_is_terminal() -> None:
    assert allowed_next(Status.CLOSED) == ()
    with pytest.raises(Conflict, match="none"):
        check_transition("closed", "follow_up")


def test_close_needs_a_valid_reason() -> None:
    with pytest.raises(InvalidInput) as err:
        check_transition("follow_up", "closed")
    assert err.value.field == "reason"
    with pytest.raises(InvalidInput):
        check_transition("follow_up", "closed", "bored")
    # "completed" only once treatment is over (or after a decline)
    with pytest.raises(InvalidInput):
        check_transition("in_treatment", "closed", "completed")
    assert check_transition("in_treatment", "closed", "deceased") is Status.CLOSED
    assert check_transition("declined", "closed", "completed") is Status.CLOSED


def test_unknown_status_names_the_field() -> None:
    with pytest.raises(InvalidInput) as err:
        check_transition("admitted", "cured")
    assert err.value.field == "to"


@pytest.mark.parametrize("start", [s.value for s in Status])
def test_every_state_has_a_way_out_or_is_closed(start: str) -> None:
    assert allowed_next(Status(start)) or start == "closed"
