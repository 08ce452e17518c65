"""The inbox of the acting user: every provider's tasks for them, overdue first.

`PROVIDERS` is the list of task providers, one function per feature (see `providers.py` for
their contract: ``(session, actor, today) -> list[TaskOut]``, [] for a role that may not see
them, reads only). To add a feature's tasks, append its function here; for the chemotherapy
cycles waiting for verification the courses feature is to provide
``rareonco.records.courses.pending_tasks`` (tasks of kind ``verify_cycle``, already in
`schemas.KINDS`), registered by adding it to this tuple::

    from rareonco.records.courses import pending_tasks
    PROVIDERS = (..., pending_tasks)

The list is explicit, not discovered at import, as the feature list is (`rareonco.features`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from rareonco.records.inbox import providers
from rareonco.records.inbox.schemas import InboxOut, TaskOut
from rareonco.security import audit
from rareonco.security.audit import Actor

Provider = Callable[[Session, Actor, date], list[TaskOut]]

PROVIDERS: tuple[Provider, ...] = (
    providers.desk_tasks,
    providers.board_tasks,
    providers.case_tasks,
    providers.follow_up_tasks,
    providers.cycle_tasks,
)


def _order(t: TaskOut) -> tuple[bool, date, str]:
    return (not t.overdue, t.due or date.max, t.subject)


def gather(session: Session, actor: Actor, today: date | None = None) -> list[TaskOut]:
    today = today or date.today()
    return sorted((t for p in PROVIDERS for t in p(session, actor, today)), key=_order)


def inbox(session: Session, actor: Actor, today: date | None = None) -> InboxOut:
    """The actor's tasks (the read is recorded: the tasks name patients)."""
    tasks = gather(session, actor, today)
    audit.record(session, actor, "read", "inbox", f"tasks={len(tasks)}")
    return InboxOut(tasks=tasks, overdue=sum(t.overdue for t in tasks))


def count(session: Session, actor: Actor, today: date | None = None) -> tuple[int, int]:
    """How many tasks the actor has and how many are overdue (for the navigation; names no
    patient, so not recorded)."""
    tasks = gather(session, actor, today)
    return len(tasks), sum(t.overdue for t in tasks)
