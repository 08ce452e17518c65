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

Guard rails (`REQUIRES`): some states say what the case must hold before it may enter them; the
rules are data here, the checking (queries) is in `service.py`, and a move without them is
refused (409) naming what is missing. A requirement is met by any one of its kinds of evidence:

- diagnosis_confirmed: the ICD-O-3 morphology and topography recorded on the case, and a
  pathology report on the timeline (a `pathology` event; a `biopsy` event records only the
  procedure, not its result);
- board_reviewed: a signed board decision on the case;
- in_treatment: a treatment plan or its start: a chemotherapy course (planned or running), a
  HIPEC procedure, a resection plan (`resection_plan` event), a `surgery`, `hipec` or
  `chemotherapy_cycle` event, or a signed board decision recommending surgery, cytoreduction +
  HIPEC or radiotherapy (whose plans are kept outside RareOnco).

A board decision moves a case forward only (`board_moves_case`): from diagnosis_confirmed to
board_reviewed; a case already reviewed, in treatment or in follow-up stays where it is.
"""

from __future__ import annotations

from enum import StrEnum

from rareonco.errors import Conflict, InvalidInput
from rareonco.i18n import N_


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

class Requirement(StrEnum):
    """Something a case must hold before it enters a state (see `REQUIRES`)."""

    MORPHOLOGY = "morphology"
    TOPOGRAPHY = "topography"
    PATHOLOGY_REPORT = "pathology_report"
    SIGNED_BOARD_DECISION = "signed_board_decision"
    TREATMENT_PLAN = "treatment_plan"


R = Requirement
#: state -> what the case must hold before it enters that state (from any state)
REQUIRES: dict[Status, tuple[Requirement, ...]] = {
    S.DIAGNOSIS_CONFIRMED: (R.MORPHOLOGY, R.TOPOGRAPHY, R.PATHOLOGY_REPORT),
    S.BOARD_REVIEWED: (R.SIGNED_BOARD_DECISION,),
    S.IN_TREATMENT: (R.TREATMENT_PLAN,),
}

#: The messages of this module, in one place (English; translated where shown)
MESSAGES: dict[str, str] = {
    R.MORPHOLOGY: N_("the ICD-O-3 morphology of the diagnosis"),
    R.TOPOGRAPHY: N_("the ICD-O-3 topography of the diagnosis"),
    R.PATHOLOGY_REPORT: N_("a pathology report on the timeline"),
    R.SIGNED_BOARD_DECISION: N_("a signed board decision"),
    R.TREATMENT_PLAN: N_("a treatment plan or course (a chemotherapy course, a HIPEC "
                         "procedure, a resection plan, or a signed board decision recommending "
                         "surgery, cytoreduction + HIPEC or radiotherapy)"),
    "missing": N_("cannot move the case to %(target)s: missing %(items)s"),
    "illegal": N_("cannot move a case from %(current)s to %(target)s; allowed next: "
                  "%(allowed)s"),
    "none_next": N_("none (the case is closed)"),
}

#: Timeline kinds that are evidence for a requirement (checked by the service)
EVIDENCE_EVENTS: dict[Requirement, tuple[str, ...]] = {
    R.PATHOLOGY_REPORT: ("pathology",),
    R.TREATMENT_PLAN: ("resection_plan", "surgery", "hipec", "chemotherapy_cycle"),
}
#: Board recommendations that stand for a treatment plan (their plans are kept elsewhere)
PLAN_RECOMMENDATIONS = ("surgery", "cytoreduction_hipec", "radiotherapy")

#: The main line, in order (for "behind" / "ahead" comparisons)
MAIN_LINE: tuple[Status, ...] = (S.REFERRAL_RECEIVED, S.REMOTE_REVIEW, S.ACCEPTED, S.ADMITTED,
                                 S.DIAGNOSIS_CONFIRMED, S.BOARD_REVIEWED, S.IN_TREATMENT,
                                 S.FOLLOW_UP)


def requirements(target: Status) -> tuple[Requirement, ...]:
    """What a case must hold before it may enter `target`."""
    return REQUIRES.get(target, ())


def missing_message(target: Status, missing: list[Requirement]) -> str:
    """English: `cannot move the case to board_reviewed: missing a signed board decision`."""
    return MESSAGES["missing"] % {"target": target.value,
                                  "items": "; ".join(MESSAGES[m] for m in missing)}


def board_moves_case(current: Status) -> bool | None:
    """What signing a board decision does to a case in `current`: True moves it to
    board_reviewed (it is behind), False leaves it (it is there or ahead: never backwards),
    None refuses (the diagnosis is not confirmed yet, or the case is declined or closed)."""
    if current is S.DIAGNOSIS_CONFIRMED:
        return True
    if current in (S.BOARD_REVIEWED, S.IN_TREATMENT, S.FOLLOW_UP):
        return False
    return None


#: Transitions a coordinator (international desk) may make; the rest need a clinician.
LOGISTICS = frozenset({(S.REFERRAL_RECEIVED, S.REMOTE_REVIEW), (S.ACCEPTED, S.ADMITTED),
                       (S.REMOTE_REVIEW, S.REFERRAL_RECEIVED)})


def allowed_next(current: Status) -> tuple[Status, ...]:
    """The states reachable from `current` in one step (closed included where allowed)."""
    nxt = _FORWARD[current]
    return nxt + ((S.CLOSED,) if current is not S.CLOSED else ())


def is_backward(current: Status, target: Status) -> bool:
    """Whether `target` lies behind `current` on the main line (a case discussed again, more
    data requested): such moves are offered, never preselected."""
    if current not in MAIN_LINE or target not in MAIN_LINE:
        return False
    return MAIN_LINE.index(target) < MAIN_LINE.index(current)


def suggested_next(current: Status) -> Status | None:
    """The step the "Move to" control preselects: the next state of the main line when the
    state machine allows it from `current` (remote_review -> accepted, admitted ->
    diagnosis_confirmed...). None when the only forward move is closing the case (from
    follow_up) or there is none: closing and moving backwards are chosen explicitly."""
    if current not in MAIN_LINE:
        return None
    i = MAIN_LINE.index(current)
    nxt = MAIN_LINE[i + 1] if i + 1 < len(MAIN_LINE) else None
    return nxt if nxt is not None and nxt in _FORWARD[current] else None


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
        allowed = ", ".join(nxt) if nxt else MESSAGES["none_next"]
        raise Conflict(MESSAGES["illegal"] % {"current": cur.value, "target": tgt.value,
                                              "allowed": allowed},
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
