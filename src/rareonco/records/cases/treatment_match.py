"""Recommended against prescribed: each running or planned chemotherapy course of a case is
compared with the tumour board decision in force when it started (the last decision signed on
or before its start date). The courses feature decides what prescribing a mismatched regimen
takes (an override); the case page only shows the mismatch, so that nobody misses it.

A course does not match its decision when
- the decision recommends chemotherapy (neoadjuvant or adjuvant) and the course's regimen is
  none of the recommended regimens (``regimen``);
- the decision recommends no chemotherapy at all (surgery only, follow-up only...) and a course
  is prescribed (``not_recommended``); a recommended clinical trial is left to the trial;
- the regimen matches but the number of cycles differs from the recommended one, when both are
  stated (``cycles``).
A course that started before any signed decision is not compared (nothing was recommended).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.board import BoardDecision
from rareonco.store.tables.courses import Course

CHEMOTHERAPY = ("neoadjuvant_chemotherapy", "adjuvant_chemotherapy")
ACTIVE_COURSES = ("planned", "in_progress")


@dataclass(frozen=True)
class Decision:
    id: int
    signed_on: dt.date
    recommendations: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Prescribed:
    course_id: int
    regimen_id: str
    start_date: dt.date
    n_cycles: int | None


@dataclass(frozen=True)
class Mismatch:
    """A course that differs from its decision: ``kind`` is regimen, not_recommended or
    cycles; ``recommended`` names what the decision recommended (regimens or cycles)."""

    kind: str
    course_id: int
    decision_id: int
    prescribed: str
    recommended: str


def _in_force(decisions: Sequence[Decision], day: dt.date) -> Decision | None:
    signed = [d for d in decisions if d.signed_on <= day]
    return max(signed, key=lambda d: (d.signed_on, d.id)) if signed else None


def compare(decisions: Sequence[Decision], courses: Sequence[Prescribed]) -> list[Mismatch]:
    """The mismatches of `courses` against the decisions in force when each started."""
    out: list[Mismatch] = []
    for course in courses:
        decision = _in_force(decisions, course.start_date)
        if decision is None:
            continue
        recs = decision.recommendations
        kinds = {r.get("kind") for r in recs}
        chemo = [r for r in recs if r.get("kind") in CHEMOTHERAPY]
        regimen = course.regimen_id.upper()
        if not chemo:
            if "clinical_trial" not in kinds:
                out.append(Mismatch("not_recommended", course.course_id, decision.id,
                                    course.regimen_id, ", ".join(sorted(str(k) for k in kinds))))
            continue
        same = [r for r in chemo if str(r.get("regimen") or "").upper() == regimen]
        if not same:
            out.append(Mismatch("regimen", course.course_id, decision.id, course.regimen_id,
                                ", ".join(str(r.get("regimen")) for r in chemo)))
            continue
        cycles = {r["cycles"] for r in same if r.get("cycles")}
        if course.n_cycles and cycles and course.n_cycles not in cycles:
            out.append(Mismatch("cycles", course.course_id, decision.id,
                                f"{course.regimen_id} × {course.n_cycles}",
                                ", ".join(f"{course.regimen_id} × {c}" for c in sorted(cycles))))
    return out


def case_mismatches(session: Session, actor: Actor, case_id: int) -> list[Mismatch]:
    """`compare` over the case's signed decisions and its planned or running courses (the
    caller has read the case, audited)."""
    require(actor.role, Permission.CASE_READ_CLINICAL)
    decisions = [Decision(d.id, d.signed_at.date(), d.recommendations)
                 for d in session.scalars(select(BoardDecision).where(
                     BoardDecision.case_id == case_id, BoardDecision.signed_at.is_not(None)))
                 if d.signed_at is not None]
    if not decisions:
        return []
    courses = [Prescribed(c.id, c.regimen_id, c.start_date, c.n_cycles)
               for c in session.scalars(select(Course).where(
                   Course.case_id == case_id, Course.status.in_(ACTIVE_COURSES))
                   .order_by(Course.start_date, Course.id))]
    return compare(decisions, courses)
