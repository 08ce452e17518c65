"""The auditor's queries: a filtered page of the chain (newest first, keyset by sequence
number), the export of every filtered entry (CSV or JSON, itself audited) and the chain check.

Keyset pagination (``seq < before`` / ``seq > after``) reads one page from an index whatever the
page's depth: with the indexes of migration audit_0001 a page filtered by user or action costs
the same at 1M entries as at 1,000 (benchmarks/audit_query.py). A patient's entries are found by
resource ranges over the ordinary resource index: ``patient/<id>`` and everything under it, and
the same for each of the patient's cases, referrals, documents and desk inquiries.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from rareonco.errors import InvalidInput
from rareonco.records.audit.schemas import (
    EXPORT_FORMATS,
    PAGE_SIZE,
    AuditEntryOut,
    AuditFilterIn,
    AuditPageOut,
    ChainCheckOut,
)
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.accounts import User
from rareonco.store.tables.audit import AuditEntry
from rareonco.store.tables.cases import Case
from rareonco.store.tables.desk import Inquiry
from rareonco.store.tables.patients import Patient
from rareonco.store.tables.referrals import Document, Referral

#: An export holds at most this many entries; a wider filter is refused (narrow it).
EXPORT_MAX = 100_000
_BATCH = 5_000
CSV_COLUMNS = ("seq", "at", "username", "action", "resource", "client", "detail")


def _patient_id(session: Session, ref: str) -> int:
    """A patient by record number (MRN) or by id."""
    found = session.scalar(select(Patient.id).where(Patient.mrn == ref))
    if found is None and ref.isdigit():
        found = session.scalar(select(Patient.id).where(Patient.id == int(ref)))
    if found is None:
        raise InvalidInput("patient", f"no patient with record number or id {ref!r}")
    return found


def patient_resources(session: Session, patient_id: int) -> list[str]:
    """The resource prefixes whose entries concern the patient."""
    prefixes = [f"patient/{patient_id}"]
    for kind, table in (("case", Case), ("referral", Referral), ("document", Document),
                        ("inquiry", Inquiry)):
        ids = session.scalars(select(table.id).where(table.patient_id == patient_id)).all()
        prefixes += [f"{kind}/{i}" for i in ids]
    return prefixes


def _under(prefix: str) -> ColumnElement[bool]:
    """The resource itself or anything below it: ``p`` or in [``p/``, ``p0``) ('0' follows
    '/' in code-point order), a range the resource index answers."""
    r = AuditEntry.resource
    return or_(r == prefix, and_(r >= prefix + "/", r < prefix + "0"))


#: Entries are numbered in the order they are appended and stamped when recorded, a moment
#: earlier (a read's entries are appended after the read), so time and number agree to within
#: the entries of a few requests; a period is also bounded by number, this many entries wide
#: on either side, which lets the page be read in number order from the primary key.
SEQ_MARGIN = 10_000


def _first_seq_at(session: Session, at: datetime) -> int | None:
    """The number of the first entry stamped at or after `at` (from the time index)."""
    return session.scalar(select(AuditEntry.seq).where(AuditEntry.at >= at)
                          .order_by(AuditEntry.at).limit(1))


def _conditions(session: Session, f: AuditFilterIn) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.resource:
        where.append(AuditEntry.resource.startswith(f.resource, autoescape=True))
    if f.username:
        where.append(AuditEntry.username == f.username)
    if f.action:
        where.append(AuditEntry.action == f.action)
    if f.since:
        start = datetime.combine(f.since, time(), UTC)
        where.append(AuditEntry.at >= start)
        if (first := _first_seq_at(session, start)) is not None:
            where.append(AuditEntry.seq > first - SEQ_MARGIN)
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), time(), UTC)
        where.append(AuditEntry.at < end)
        if (after := _first_seq_at(session, end)) is not None:
            where.append(AuditEntry.seq < after + SEQ_MARGIN)
    if f.patient:
        where.append(or_(*(_under(p) for p in patient_resources(
            session, _patient_id(session, f.patient)))))
    return where


def _filtered(session: Session, f: AuditFilterIn) -> Select[AuditEntry]:
    return select(AuditEntry).where(*_conditions(session, f))


def page(session: Session, actor: Actor, f: AuditFilterIn, before: int | None = None,
         after: int | None = None, size: int = PAGE_SIZE) -> AuditPageOut:
    """One page of the filtered entries, newest first: those older than ``before`` (the first
    page without it), or the page just newer than ``after`` (going back)."""
    require(actor.role, Permission.AUDIT_READ)
    q = _filtered(session, f)
    if after is not None:
        rows = list(session.scalars(q.where(AuditEntry.seq > after)
                                    .order_by(AuditEntry.seq).limit(size + 1)))
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        older, newer = (rows[-1].seq if rows else None), (rows[0].seq if more_newer else None)
    else:
        if before is not None:
            q = q.where(AuditEntry.seq < before)
        rows = list(session.scalars(q.order_by(AuditEntry.seq.desc()).limit(size + 1)))
        more_older = len(rows) > size
        rows = rows[:size]
        older = rows[-1].seq if more_older else None
        newer = rows[0].seq if before is not None and rows else None
    audit.record(session, actor, "read", "audit_log", f.describe())
    return AuditPageOut(items=[AuditEntryOut.model_validate(e) for e in rows],
                        older_than=older, newer_than=newer)


def entries_after(session: Session, actor: Actor, f: AuditFilterIn, after_seq: int = 0,
                  limit: int = 100) -> list[AuditEntryOut]:
    """Up to ``limit`` filtered entries after ``after_seq`` in chain order (the API's reading
    of the log from a point on, as a client that follows it does)."""
    require(actor.role, Permission.AUDIT_READ)
    rows = session.scalars(_filtered(session, f).where(AuditEntry.seq > after_seq)
                           .order_by(AuditEntry.seq).limit(limit))
    audit.record(session, actor, "read", "audit_log", f.describe())
    return [AuditEntryOut.model_validate(e) for e in rows]


def _all(session: Session, f: AuditFilterIn) -> list[AuditEntryOut]:
    out: list[AuditEntryOut] = []
    q, last = _filtered(session, f), 0
    while True:
        batch: Sequence[AuditEntry] = session.scalars(
            q.where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(_BATCH)).all()
        out += [AuditEntryOut.model_validate(e) for e in batch]
        if len(out) > EXPORT_MAX:
            raise InvalidInput("filter", f"more than {EXPORT_MAX:,} entries match; "
                               "narrow the filter (user, patient, action or period)")
        if len(batch) < _BATCH:
            return out
        last = batch[-1].seq
        session.expunge_all()


def export(session: Session, actor: Actor, f: AuditFilterIn, fmt: str) -> str:
    """Every filtered entry in chain order as CSV (UTF-8, header row) or a JSON array; the
    export is itself recorded (format, filter, number of entries)."""
    require(actor.role, Permission.AUDIT_READ)
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput("format", f"one of {', '.join(EXPORT_FORMATS)}")
    rows = _all(session, f)
    audit.record(session, actor, "export", "audit_log",
                 ";".join(filter(None, [f"format={fmt}", f.describe(), f"entries={len(rows)}"])))
    if fmt == "json":
        return json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=1)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([getattr(r, c) for c in CSV_COLUMNS])
    return buf.getvalue()


def verify(session: Session, actor: Actor) -> ChainCheckOut:
    """Walk the whole chain with `security.audit.verify` (the check is recorded)."""
    result = audit.verify_as(session, actor)
    audit.record(session, actor, "read", "audit_log/verify",
                 "ok" if result.ok else f"broken at {result.first_broken_seq}")
    return ChainCheckOut(ok=result.ok, entries=result.entries,
                         first_broken_seq=result.first_broken_seq, reason=result.reason)


def usernames(session: Session, actor: Actor) -> list[str]:
    """Every account's user name, for the filter's suggestions."""
    require(actor.role, Permission.AUDIT_READ)
    return list(session.scalars(select(User.username).order_by(User.username)))
