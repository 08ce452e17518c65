"""A task in the inbox, as every provider returns it and the page shows it."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from rareonco.i18n import N_
from rareonco.records.schemas import Out

#: task kind -> what to do, in English marked for translation (Russian in ``audit.po``)
KINDS: dict[str, str] = {
    "answer_inquiry": N_("Answer the inquiry"),
    "give_opinion": N_("Give the remote opinion"),
    "expect_arrival": N_("Patient expected to arrive"),
    "board_review": N_("Put the case before the board"),
    "board_discussion": N_("Case on the board's agenda"),
    "plan_course": N_("Plan a course"),
    "plan_resection": N_("Plan a resection"),
    "plan_hipec": N_("Plan cytoreduction + HIPEC"),
    "plan_radiotherapy": N_("Plan radiotherapy"),
    "trial_screening": N_("Screen for the clinical trial"),
    "schedule_follow_up": N_("Schedule follow-up"),
    "follow_up_visit": N_("Follow-up visit due"),
    "verify_cycle": N_("Verify a chemotherapy cycle"),
    "cosign_cycle": N_("Co-sign a chemotherapy override"),
    "administer_cycle": N_("Give a verified chemotherapy cycle"),
}


class TaskOut(Out):
    """One thing to do: its kind (see `KINDS`), whom or what it concerns, where to do it,
    and when it is due (``overdue`` when that day has passed)."""

    kind: str
    subject: str = Field(description="the patient or inquiry it concerns")
    url: str = Field(description="the page where the task is done")
    due: date | None = None
    overdue: bool = False
    note: str = Field("", description="a short detail (reference, meeting), not translated")


class InboxOut(Out):
    """The actor's tasks, overdue first, then by due date (undated last)."""

    tasks: list[TaskOut]
    overdue: int
