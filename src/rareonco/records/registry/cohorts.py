"""Cohort counts and survival curves over the registry table, for any filter combination.

The database does the scanning and the grouping: a cohort's survival is read as
``(days, event, count)`` grouped by day (a few thousand rows at most, whatever the cohort's size),
and :mod:`rareonco.outcomes.survival` estimates from those counts. Every answer is audited with
the filter, and every count passes small-cell suppression before it leaves this module.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from rareonco.outcomes.survival import SurvivalCurve, kaplan_meier, log_rank, numbers_at_risk
from rareonco.records.registry.schemas import (
    SMALL_CELL,
    CohortIn,
    CompareIn,
    CompareOut,
    CountOut,
    CurveOut,
    Endpoint,
    PointOut,
    SurvivalIn,
)
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, can, require
from rareonco.store.tables.registry import RegistryEntry as R

__all__ = ["cohort_count", "cohort_survival", "compare_cohorts", "where"]


def require_registry(actor: Actor) -> None:
    """Researchers (de-identified reads) and clinicians may query the registry; its answers are
    de-identified either way."""
    if not can(actor.role, Permission.CASE_READ_CLINICAL):
        require(actor.role, Permission.PATIENT_READ_DEIDENTIFIED)


def where(c: CohortIn) -> ColumnElement[bool]:
    """The SQL condition of a cohort (AND of its criteria; a list is any of its values)."""
    conds: list[ColumnElement[bool]] = []
    if c.morphology:
        conds.append(R.morphology.in_(c.morphology))
    if c.site_group:
        conds.append(R.site_group.in_(c.site_group))
    if c.age_min is not None:
        conds.append(R.age_years >= c.age_min)
    if c.age_max is not None:
        conds.append(R.age_years <= c.age_max)
    if c.sex:
        conds.append(R.sex == c.sex)
    if c.country:
        conds.append(R.country.in_(c.country))
    if c.molecular:
        conds.append(R.molecular == c.molecular)
    if c.margin:
        conds.append(R.margin.in_(c.margin))
    if c.best_response:
        conds.append(R.best_response.in_(c.best_response))
    for name in ("metastatic", "chemotherapy", "surgery", "radiotherapy", "hipec"):
        value = getattr(c, name)
        if value is not None:
            conds.append(getattr(R, name).is_(value))
    return and_(True, *conds)


def _small(n: int) -> int | None:
    return None if 0 < n < SMALL_CELL else n


def cohort_count(session: Session, actor: Actor, cohort: CohortIn) -> CountOut:
    require_registry(actor)
    n = session.scalar(select(func.count()).select_from(R).where(where(cohort))) or 0
    audit.record(session, actor, "cohort_count", "registry", _describe(cohort))
    return CountOut(n=_small(n))


def _grouped(session: Session, cohort: CohortIn, endpoint: Endpoint
             ) -> tuple[list[int], list[int], list[int]]:
    days = R.os_days if endpoint == "os" else R.efs_days
    event = R.os_event if endpoint == "os" else R.efs_event
    q = (select(days, event, func.count()).where(where(cohort))
                      .group_by(days, event).order_by(days))
    rows = session.execute(q).all()
    return [r[0] for r in rows], [int(bool(r[1])) for r in rows], [int(r[2]) for r in rows]


def _curve_out(label: str, endpoint: Endpoint, d: Sequence[int], e: Sequence[int], n: Sequence[int],
               times: list[int]) -> CurveOut:
    total = sum(n)
    if total < SMALL_CELL or sum(c for c, ev in zip(n, e, strict=True) if ev) == 0:
        return CurveOut(label=label, endpoint=endpoint,
                        n=_small(total), events=None if total < SMALL_CELL else 0,
                        median_days=None, points=[], at_risk=[_small(a) for a in
                                                              numbers_at_risk(d, times, n)],
                        times_days=times, suppressed=total < SMALL_CELL)
    curve: SurvivalCurve = kaplan_meier(d, e, counts=n, label=label)
    at_risk = [_small(a) for a in numbers_at_risk(d, times, n)]
    # A step of the curve drawn where fewer than SMALL_CELL remain at risk would let a reader
    # count the few patients behind it: the curve stops where the numbers at risk fall below.
    cut = next((t for t, a in zip(d, _at_risk_each(d, n), strict=True) if a < SMALL_CELL), None)
    points = [PointOut(days=p.time, estimate=p.estimate, lower=p.lower, upper=p.upper)
              for p in curve.points if cut is None or p.time < cut]
    return CurveOut(label=label, endpoint=endpoint,
                    n=_small(curve.n), events=_small(curve.events), median_days=curve.median,
                    points=points, at_risk=at_risk, times_days=times, suppressed=False)


def _at_risk_each(d: Sequence[int], n: Sequence[int]) -> list[int]:
    """Numbers at risk at each grouped day (rows sorted by day; a day with both events and
    censorings comes as two rows, both at risk with the same number)."""
    out: list[int] = []
    remaining = sum(n)
    for i, c in enumerate(n):
        out.append(out[-1] if i and d[i] == d[i - 1] else remaining)
        remaining -= c
    return out


def cohort_survival(session: Session, actor: Actor, req: SurvivalIn) -> CurveOut:
    """Kaplan-Meier of the cohort's overall or event-free survival, with numbers at risk."""
    require_registry(actor)
    d, e, n = _grouped(session, req.cohort, req.endpoint)
    audit.record(session, actor, "cohort_survival", "registry",
                 f"{req.endpoint}: {_describe(req.cohort)}")
    return _curve_out("cohort", req.endpoint, d, e, n, list(req.times_days))


def compare_cohorts(session: Session, actor: Actor, req: CompareIn) -> CompareOut:
    """One curve per named cohort and the log-rank test between them (omitted when a group is
    suppressed or has no event: the test would expose or mean nothing)."""
    require_registry(actor)
    data = {name: _grouped(session, c, req.endpoint) for name, c in req.groups.items()}
    curves = [_curve_out(name, req.endpoint, *v, list(req.times_days)) for name, v in data.items()]
    audit.record(session, actor, "cohort_compare", "registry", "; ".join(
        f"{k}={_describe(c)}" for k, c in req.groups.items()))
    testable = all(not c.suppressed and c.events for c in curves)
    if not testable:
        return CompareOut(curves=curves, chi_square=None, degrees_of_freedom=None, p_value=None)
    res = log_rank({k: (v[0], v[1]) for k, v in data.items()}, {k: v[2] for k, v in data.items()})
    return CompareOut(curves=curves, chi_square=res.chi_square,
                      degrees_of_freedom=res.degrees_of_freedom, p_value=res.p_value)


def _describe(c: CohortIn) -> str:
    return c.model_dump_json(exclude_defaults=True)[:900]
