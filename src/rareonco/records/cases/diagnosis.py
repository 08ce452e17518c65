"""Enter and correct a case's diagnosis and its molecular findings, keeping the history.

Every change is checked against the case's version (a stale form is a 409), audited with the
values before and after, and written on the timeline as a ``note`` whose payload holds the
change (``{"diagnosis": {field: [before, after]}, "reason": ...}``), so the case page shows
when the diagnosis was recorded and how it was corrected. Once the diagnosis is confirmed (the
pathway went through diagnosis_confirmed) its ICD-O-3 codes may be corrected but not removed,
and a correction needs a reason.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from rareonco.errors import Conflict, InvalidInput, NotFound
from rareonco.records.cases import pathway
from rareonco.records.cases.diagnosis_terms import check_stage
from rareonco.records.cases.schemas import CaseUpdate, FindingIn
from rareonco.records.versions import require_version
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.cases import Case, MolecularFinding, TimelineEvent

CODES = ("morphology_code", "topography_code")
#: columns that are text, not null: None stands for their empty value
_EMPTY = {"laterality": "unknown", "site_detail": ""}
#: the states of a case whose diagnosis is confirmed (pathway, main line)
CONFIRMED = pathway.MAIN_LINE[pathway.MAIN_LINE.index(pathway.Status.DIAGNOSIS_CONFIRMED):]


def _load(session: Session, case_id: int) -> Case:
    case = session.scalar(select(Case).where(Case.id == case_id)
                          .options(selectinload(Case.molecular_findings)))
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _flush(session: Session, case_id: int) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"case {case_id} was changed concurrently; reload") from exc


def _history(session: Session, actor: Actor, case: Case, summary: str,
             payload: dict[str, Any]) -> None:
    session.add(TimelineEvent(case_id=case.id, kind="note", event_date=date.today(),
                              summary=summary, payload=payload, author_id=actor.user_id))


def is_confirmed(case: Case) -> bool:
    return pathway.Status(case.status) in CONFIRMED


def update_diagnosis(session: Session, actor: Actor, case_id: int, data: CaseUpdate) -> Case:
    """Apply the fields of `data` that differ from the case; nothing changes the version when
    nothing differs."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case = _load(session, case_id)
    require_version(f"case {case_id}", case.version, data.version)
    wanted = data.model_dump(exclude_unset=True, exclude={"version", "reason"})
    if "stage" in wanted:
        wanted["stage"] = check_stage(wanted["stage"])
    for key, empty in _EMPTY.items():
        if key in wanted and wanted[key] is None:
            wanted[key] = empty
    changes = {k: (getattr(case, k), v) for k, v in wanted.items() if getattr(case, k) != v}
    if not changes:
        return case
    if is_confirmed(case):
        for code in CODES:
            if code in changes and changes[code][1] is None:
                raise InvalidInput(code, "the diagnosis is confirmed: correct the code, do not "
                                         "remove it")
        if any(code in changes for code in CODES) and not data.reason:
            raise InvalidInput("reason", "correcting the ICD-O-3 codes of a confirmed "
                                         "diagnosis needs a reason")
    for key, (_, new) in changes.items():
        setattr(case, key, new)
    plain = {k: [_plain(old), _plain(new)] for k, (old, new) in changes.items()}
    what = "; ".join(f"{k}: {old or '—'} → {new or '—'}" for k, (old, new) in plain.items())
    verb = ("corrected" if any(old not in (None, "", "unknown") for old, _ in plain.values())
            else "recorded")
    _history(session, actor, case, f"Diagnosis {verb}: {what}"
             + (f" (reason: {data.reason})" if data.reason else ""),
             {"diagnosis": plain, "reason": data.reason})
    _flush(session, case_id)
    audit.record(session, actor, "update", f"case/{case_id}",
                 what + (f"; reason: {data.reason}" if data.reason else ""))
    return case


def add_finding(session: Session, actor: Actor, case_id: int, data: FindingIn) -> Case:
    """Add a molecular finding (EWSR1-WT1 fusion by RT-PCR...); the case's version moves on."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case = _load(session, case_id)
    require_version(f"case {case_id}", case.version, data.version)
    finding = MolecularFinding(**data.model_dump(exclude={"version"}))
    case.molecular_findings.append(finding)
    flag_modified(case, "site_detail")  # the case row is rewritten, so its version moves on
    text = f"{data.finding} ({data.method})"
    _history(session, actor, case, f"Molecular finding added: {text}",
             {"molecular_finding": {"added": data.model_dump(mode="json",
                                                              exclude={"version"})}})
    _flush(session, case_id)
    audit.record(session, actor, "create", f"case/{case_id}/finding/{finding.id}", text)
    return case


def remove_finding(session: Session, actor: Actor, case_id: int, finding_id: int,
                   version: int, reason: str = "") -> Case:
    """Remove a finding entered in error (kept on the timeline and in the audit)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case = _load(session, case_id)
    require_version(f"case {case_id}", case.version, version)
    finding = next((m for m in case.molecular_findings if m.id == finding_id), None)
    if finding is None:
        raise NotFound(f"molecular finding {finding_id} of case {case_id} not found")
    removed = {"finding": finding.finding, "gene": finding.gene, "method": finding.method,
               "finding_date": _plain(finding.finding_date)}
    case.molecular_findings.remove(finding)
    flag_modified(case, "site_detail")
    text = f"{finding.finding} ({finding.method})"
    _history(session, actor, case, f"Molecular finding removed: {text}"
             + (f" (reason: {reason})" if reason else ""),
             {"molecular_finding": {"removed": removed}, "reason": reason})
    _flush(session, case_id)
    audit.record(session, actor, "delete", f"case/{case_id}/finding/{finding_id}",
                 text + (f"; reason: {reason}" if reason else ""))
    return case
