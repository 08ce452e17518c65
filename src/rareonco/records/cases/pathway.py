"""The case pathway as an explicit state machine (pure: no storage).

    referral_received -> remote_review -> accepted | declined
    accepted -> admitted -> diagnosis_confirmed -> board_reviewed -> in_treatment -> follow_up
    follow_up -> closed (completed)

Besides the main line, the choices the centre needs in practice:
- in_treatment -> board_reviewed and follow_up -> board_reviewed: a case is discussed again
  (after neoadjuvant chemotherapy before surgery; at relapse);
- remote_review -> referral_received: more data requested from the referring hospital;
- any open state -> closed with reason deceased, lost_to_follow_up or transferred;
  declined -> closed with any of those reasons or completed.
"""

from __future__ import annotations

from enum import StrEnum

from rareonco.errors import Conflict, InvalidInput


class Status(StrEnum):
    REFERRAL_RECEIVED = "referral_received"
    REMOTE_REVIEW = "remote_review"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ADMITTED = "admitted"
    DIAGNOSIS_CONFIRMED = "diagnosis_confirmed"
    BOARD_REVIEWED = "board_reviewed"
    IN_TREATMENT = "in_treatment"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"


class CloseReason(StrEnum):
    COMPLETED = "completed"
    DECEASED = "deceased"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"
    TRANSFERRED = "transferred"


S = Status
_FORWARD: dict[Status, tuple[Status, ...]] = {
    S.REFERRAL_RECEIVED: (S.REMOTE_REVIEW,),
    S.REMOTE_REVIEW: (S.ACCEPTED, S.DECLINED, S.REFERRAL_RECEIVED),
    S.ACCEPTED: (S.ADMITTED,),
    S.DECLINED: (),
    S.ADMITTED: (S.DIAGNOSIS_CONFIRMED,),
    S.DIAGNOSIS_CONFIRMED: (S.BOARD_REVIEWED,),
    S.BOARD_REVIEWED: (S.IN_TREATMENT, S.FOLLOW_UP),
    S.IN_TREATMENT: (S.FOLLOW_UP, S.BOARD_REVIEWED),
    S.FOLLOW_UP: (S.BOARD_REVIEWED, S.IN_TREATMENT),
    S.CLOSED: (),
}

#: Transitions a coordinator (international desk) may make; the rest need a clinician.
LOGISTICS = frozenset({(S.REFERRAL_RECEIVED, S.REMOTE_REVIEW), (S.ACCEPTED, S.ADMITTED),
                       (S.REMOTE_REVIEW, S.REFERRAL_RECEIVED)})


def allowed_next(current: Status) -> tuple[Status, ...]:
    """The states reachable from `current` in one step (closed included where allowed)."""
    nxt = _FORWARD[current]
    return nxt + ((S.CLOSED,) if current is not S.CLOSED else ())


def allowed_reasons(current: Status) -> tuple[CloseReason, ...]:
    if current in (S.FOLLOW_UP, S.DECLINED):
        return tuple(CloseReason)
    return (CloseReason.DECEASED, CloseReason.LOST_TO_FOLLOW_UP, CloseReason.TRANSFERRED)


def parse_status(value: str, field: str = "to") -> Status:
    try:
        return Status(value)
    except ValueError:
        raise InvalidInput(field, f"unknown status {value!r}; one of {', '.join(Status)}") from None


def check_transition(current: str, target: str, reason: str | None = None) -> Status:
    """Return the target status if the move is legal; otherwise raise Conflict (HTTP 409)
    naming the allowed next states, or InvalidInput for a missing or wrong close reason."""
    cur, tgt = Status(current), parse_status(target)
    nxt = allowed_next(cur)
    if tgt not in nxt:
        allowed = ", ".join(nxt) if nxt else "none (the case is closed)"
        raise Conflict(f"cannot move a case from {cur} to {tgt}; allowed next: {allowed}",
                       current=cur.value, allowed=[s.value for s in nxt])
    if tgt is S.CLOSED:
        reasons = allowed_reasons(cur)
        if reason is None:
            raise InvalidInput("reason", "closing a case needs a reason: "
                               + ", ".join(r.value for r in reasons))
        if reason not in {r.value for r in reasons}:
            raise InvalidInput("reason", f"{reason!r} is not a reason to close from {cur}; "
                               "one of " + ", ".join(r.value for r in reasons))
    return tgt
