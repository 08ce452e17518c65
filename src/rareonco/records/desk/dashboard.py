"""The desk dashboard: open inquiries by country and status, time to the first answer
(median and 90th percentile) and overdue items.

Percentiles use linear interpolation between closest ranks (Hyndman and Fan 1996, definition 7,
the default of R and NumPy), so small samples give stable figures.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.records.desk.schemas import ANSWER_DUE_DAYS, OPEN_STATUSES, DashboardOut, OverdueOut
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.desk import Inquiry

WINDOW_DAYS = 365


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def overdue_items(rows: list[Inquiry], today: date) -> list[OverdueOut]:
    out = []
    for r in rows:
        name = f"{r.family_name} {r.given_names}"
        if r.status in ("identity_review", "new", "in_review") and r.first_answer_at is None:
            due = _aware(r.received_at).date() + timedelta(days=ANSWER_DUE_DAYS)
            if due < today:
                out.append(OverdueOut(
                    inquiry_id=r.id, reference=r.reference, name=name,
                    country=r.residence_country, status=r.status, reason="no_answer", due=due,
                    days_over=(today - due).days))
        if r.status == "accepted" and r.planned_arrival and r.arrival_date is None \
                and r.planned_arrival < today:
            out.append(OverdueOut(
                inquiry_id=r.id, reference=r.reference, name=name, country=r.residence_country,
                status=r.status, reason="arrival", due=r.planned_arrival,
                days_over=(today - r.planned_arrival).days))
    return sorted(out, key=lambda o: -o.days_over)


def overview(session: Session, actor: Actor, now: datetime | None = None) -> DashboardOut:
    """The dashboard as the API answers it and the desk page shows it."""
    require(actor.role, Permission.PATIENT_READ)
    now = now or datetime.now(UTC)
    open_rows = list(session.scalars(select(Inquiry).where(Inquiry.status.in_(OPEN_STATUSES))))
    by_country: dict[str, Counter[str]] = {}
    for r in open_rows:
        by_country.setdefault(r.residence_country, Counter())[r.status] += 1
    since = now - timedelta(days=WINDOW_DAYS)
    answered = session.execute(select(Inquiry.received_at, Inquiry.first_answer_at).where(
        Inquiry.first_answer_at.is_not(None), Inquiry.received_at >= since)).all()
    days = [(_aware(a) - _aware(r)).total_seconds() / 86400 for r, a in answered if a is not None]
    audit.record(session, actor, "read", "desk/dashboard", f"open={len(open_rows)}")
    return DashboardOut(
        by_country={c: dict(v) for c, v in sorted(by_country.items(),
                                                   key=lambda kv: -sum(kv[1].values()))},
        by_status=dict(Counter(r.status for r in open_rows)), open_total=len(open_rows),
        answered=len(days), median_days=percentile(days, 50), p90_days=percentile(days, 90),
        overdue=overdue_items(open_rows, now.date()))
