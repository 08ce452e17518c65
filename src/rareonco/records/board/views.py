"""How board records are shown: the typed views (`*Out`) the API answers and the pages read,
recommendation wording, and the follow-on task each recommendation creates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rareonco.i18n import N_
from rareonco.i18n import gettext as _
from rareonco.records.board.protocol_lock import has_started, is_locked
from rareonco.records.board.quorum import quorum
from rareonco.records.board.schemas import (
    INTENTS,
    RECOMMENDATIONS,
    SPECIALTIES,
    AddendumOut,
    AttendeeOut,
    DecisionOut,
    ItemOut,
    MeetingOut,
    MeetingRowOut,
    QuorumOut,
    TaskOut,
)
from rareonco.records.schemas import iso
from rareonco.store.tables.board import (
    BoardAddendum,
    BoardAgendaItem,
    BoardDecision,
    BoardMeeting,
    CaseTask,
)

#: recommendation kind -> follow-on task kind
TASK_KINDS = {
    "neoadjuvant_chemotherapy": "plan_course", "adjuvant_chemotherapy": "plan_course",
    "surgery": "plan_resection", "cytoreduction_hipec": "plan_hipec",
    "radiotherapy": "plan_radiotherapy", "clinical_trial": "trial_screening",
    "follow_up_only": "schedule_follow_up",
}


def recommendation_text(rec: Mapping[str, Any], translate: bool = False) -> str:
    """`neoadjuvant chemotherapy: MAP × 4 cycles`; translated into the current locale when
    `translate` (pages, protocol), English otherwise (timeline, task titles)."""
    t = _ if translate else (lambda s: s)
    parts = [t(RECOMMENDATIONS.get(rec["kind"], rec["kind"]))]
    details = []
    if rec.get("regimen"):
        details.append(rec["regimen"] + (f" × {rec['cycles']}" if rec.get("cycles") else ""))
    elif rec.get("cycles"):
        details.append(f"× {rec['cycles']}")
    for key in ("surgery_type", "trial", "detail"):
        if rec.get(key):
            details.append(str(rec[key]))
    return parts[0] + (": " + ", ".join(details) if details else "")


#: follow-on task kind -> its title's beginning (stored in English, shown translated)
TASK_TITLES = {
    "plan_course": N_("Plan a course"),
    "plan_resection": N_("Plan a resection"),
    "plan_hipec": N_("Plan cytoreduction + HIPEC"),
    "plan_radiotherapy": N_("Plan radiotherapy"),
    "trial_screening": N_("Screen for the clinical trial"),
    "schedule_follow_up": N_("Schedule follow-up"),
}


def decision_event_summary(payload: Mapping[str, Any]) -> str:
    """A `board_decision` timeline event (payload written by `signing._timeline`) as its summary
    in the current locale: "Онкологический консилиум (версия 2): радикальная цель; ..."."""
    version = int(payload.get("version") or 1)
    head = _("Tumour board") + (" (" + (_("Version %(n)s") % {"n": version}).lower() + ")"
                                if version > 1 else "")
    intent = payload.get("intent")
    parts = [_("Intent") + ": " + _(INTENTS.get(intent, intent))] if intent else []
    parts += [recommendation_text(r, translate=True) for r in payload.get("recommendations", ())]
    return f"{head}: " + "; ".join(parts)


def task_for(rec: Mapping[str, Any]) -> tuple[str, str]:
    kind = TASK_KINDS[rec["kind"]]
    return kind, f"{TASK_TITLES[kind]}: {recommendation_text(rec)}"


def task_title(task: TaskOut | CaseTask) -> str:
    """A task's stored English title (`task_for`) in the current locale: its beginning by the
    task's kind, then the recommendation's kind; the typed details stay as written."""
    title = task.title
    head = TASK_TITLES.get(task.kind)
    if head is None or not title.startswith(head):
        return _(title)
    rest = title[len(head):].removeprefix(": ")
    for label in RECOMMENDATIONS.values():
        if rest.startswith(label):
            rest = _(label) + rest[len(label):]
            break
    return f"{_(head)}: {rest}" if rest else _(head)


def decision_view(d: BoardDecision) -> DecisionOut:
    return DecisionOut(
        id=d.id, item_id=d.item_id, case_id=d.case_id, version_no=d.version_no,
        version=d.version, intent=d.intent, recommendations=d.recommendations,
        recommendations_text=[recommendation_text(r, translate=True) for r in d.recommendations],
        rationale=d.rationale, dissent=d.dissent, guideline=d.guideline,
        change_note=d.change_note, signed=d.signed_at is not None, signed_at=iso(d.signed_at),
        signed_by=(d.signer.full_name or d.signer.username) if d.signer else None,
        created_at=iso(d.created_at))


def item_view(item: BoardAgendaItem) -> ItemOut:
    decisions = [decision_view(d) for d in item.decisions]
    signed = [d for d in decisions if d.signed]
    return ItemOut(
        id=item.id, meeting_id=item.meeting_id, case_id=item.case_id, position=item.position,
        question=item.question, summary=item.summary, summary_at=iso(item.summary_at),
        decisions=decisions, current=signed[-1] if signed else None,
        draft=decisions[-1] if decisions and not decisions[-1].signed else None,
        meeting_starts_at=iso(item.meeting.starts_at) if item.meeting else None)


def meeting_view(m: BoardMeeting) -> MeetingOut:
    q = quorum(m)
    return MeetingOut(
        id=m.id, version=m.version, title=m.title, starts_at=iso(m.starts_at), place=m.place,
        video_link=m.video_link, chair_id=m.chair_id, chair=m.chair.full_name or m.chair.username,
        attendees=[AttendeeOut(id=a.id, name=a.name, specialty=a.specialty,
                               specialty_label=_(SPECIALTIES.get(a.specialty, a.specialty)),
                               user_id=a.user_id, present=a.present) for a in m.attendees],
        quorum=QuorumOut(required=list(q.required), present=list(q.present),
                         missing=list(q.missing), met=q.met),
        items=[item_view(i) for i in m.items], started=has_started(m), locked=is_locked(m),
        addenda=[addendum_view(a) for a in m.addenda])


def addendum_view(a: BoardAddendum) -> AddendumOut:
    return AddendumOut(id=a.id, meeting_id=a.meeting_id, text=a.text,
                       author=(a.author.full_name or a.author.username) if a.author else None,
                       created_at=iso(a.created_at))


def meeting_row(m: BoardMeeting) -> MeetingRowOut:
    return MeetingRowOut(id=m.id, title=m.title, starts_at=m.starts_at.isoformat(), place=m.place,
                         video_link=m.video_link, items=len(m.items))


def task_view(t: CaseTask) -> TaskOut:
    return TaskOut(id=t.id, case_id=t.case_id, kind=t.kind, title=t.title, status=t.status,
                   decision_id=t.decision_id, due_date=iso(t.due_date),
                   created_at=iso(t.created_at), closed_at=iso(t.closed_at))
