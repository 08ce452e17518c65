"""Audit actions in the user's language: the verbs the services record (`audit.record(...,
action, ...)`), each with its English label marked for translation (Russian in ``audit.po``).

An action missing here is shown as recorded (the log keeps what was written), so a new verb in
a service never breaks the page; `tests/audit_web` checks that every label has its Russian.
"""

from __future__ import annotations

from rareonco.i18n import N_, gettext

ACTIONS: dict[str, str] = {
    "login": N_("log in"),
    "logout": N_("log out"),
    "read": N_("read"),
    "search": N_("search"),
    "create": N_("create"),
    "bulk_create": N_("create in bulk"),
    "update": N_("update"),
    "transition": N_("change of status"),
    "assign": N_("assign"),
    "close": N_("close"),
    "sign": N_("sign"),
    "upload": N_("upload"),
    "download": N_("download"),
    "import": N_("import"),
    "ingest": N_("record samples"),
    "simulate": N_("simulate"),
    "export": N_("export"),
    "override": N_("override a safety finding"),
    "acknowledge": N_("acknowledge an alarm"),
    "alarm": N_("alarm"),
    "fail": N_("failure"),
}


def action_label(action: str) -> str:
    """The action in the current locale; an unknown action as recorded."""
    label = ACTIONS.get(action)
    return gettext(label) if label else action


#: the reasons `security.audit.verify` gives, by their opening words
_CHAIN_REASONS = (
    ("link to the previous entry", N_("its link to the previous entry does not match")),
    ("entry content", N_("its content does not match its hash: it was changed")),
    ("entry ", N_("an entry is missing")),
    ("the chain ends", N_("the chain ends before its head: entries were removed")),
)


def chain_reason(reason: str) -> str:
    """Why the chain check failed, in the current locale (as given when not recognised)."""
    for start, label in _CHAIN_REASONS:
        if reason.startswith(start):
            return gettext(label)
    return reason
