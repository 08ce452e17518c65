"""Response assessment on a case: imaging timepoints (RECIST 1.1) and pathology (Huvos).

The rules are :mod:`rareonco.clinical.recist` and :mod:`rareonco.clinical.pathology`; this module
stores timepoints and lesions, rebuilds the RECIST series from them, and gives the data of the
response chart (sum of diameters over time with the PR and PD thresholds).

One series per case: exactly one baseline timepoint, which defines the target lesions (id, organ,
node) and the non-target lesions; every later timepoint measures the same targets (``mm`` null =
not measured) and states the non-target status and whether new lesions appeared. A timepoint is
checked by evaluating the whole series with it before it is stored, so an invalid one is refused
with the field and reason RECIST gives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rareonco.clinical import recist
from rareonco.clinical.pathology import huvos_grade
from rareonco.errors import Conflict, InvalidInput
from rareonco.records.courses.service import case_or_404
from rareonco.records.response.applicability import Huvos, huvos_applies
from rareonco.records.response.schemas import (
    BaselineOut,
    BaselineTargetOut,
    ChartOut,
    PathologyCreatedOut,
    PathologyOut,
    PathologyResponseIn,
    ResponseOut,
    TimepointCreatedOut,
    TimepointIn,
    TimepointRowOut,
)
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.cases import TimelineEvent
from rareonco.store.tables.response import (
    ImagingTimepoint,
    LesionMeasurement,
    PathologyResponse,
)

__all__ = ["add_pathology_response", "add_timepoint", "pathology_created", "response_view",
           "timepoint_created"]

T = TypeVar("T")


def _timepoints(session: Session, case_id: int) -> list[ImagingTimepoint]:
    return list(session.scalars(
        select(ImagingTimepoint).where(ImagingTimepoint.case_id == case_id)
        .order_by(ImagingTimepoint.assessed_on, ImagingTimepoint.id)
        .options(selectinload(ImagingTimepoint.lesions))).all())


def _baseline_of(tp: ImagingTimepoint) -> recist.Baseline:
    return recist.Baseline(
        date=tp.assessed_on,
        targets=tuple(recist.TargetLesion(m.lesion, m.organ, m.node, m.diameter_mm or 0.0)
                      for m in tp.lesions if m.kind == "target"),
        non_targets=tuple(m.lesion for m in tp.lesions if m.kind == "non_target"))


def _followup_of(tp: ImagingTimepoint) -> recist.FollowUp:
    return recist.FollowUp(date=tp.assessed_on,
                           targets={m.lesion: m.diameter_mm for m in tp.lesions},
                           non_target=recist.NonTarget(tp.non_target),
                           new_lesions=tp.new_lesions)


def _series(tps: list[ImagingTimepoint]) -> tuple[ImagingTimepoint | None,
                                                 list[ImagingTimepoint]]:
    base = next((t for t in tps if t.baseline), None)
    return base, [t for t in tps if not t.baseline]


def _evaluate(base: ImagingTimepoint, follow: list[ImagingTimepoint]) -> recist.RecistResult:
    return recist.evaluate(_baseline_of(base), [_followup_of(t) for t in follow])


def add_timepoint(session: Session, actor: Actor, case_id: int, data: TimepointIn,
                  timeline_event_id: int | None = None) -> ImagingTimepoint:
    """Store a baseline or follow-up assessment; a follow-up adds a ``response_assessment``
    event with its RECIST response, a baseline an ``imaging`` event (unless
    ``timeline_event_id`` links one that exists)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case_or_404(session, case_id)
    if data.assessed_on > date.today():
        raise InvalidInput("assessed_on", f"{data.assessed_on.isoformat()} is in the future")
    existing = _timepoints(session, case_id)
    base, follow = _series(existing)
    payload: dict[str, Any]
    tp = ImagingTimepoint(
        case_id=case_id, assessed_on=data.assessed_on, baseline=data.baseline,
        modality=data.modality, non_target=data.non_target, new_lesions=data.new_lesions,
        note=data.note, recorded_by=actor.user_id,
        lesions=[LesionMeasurement(lesion=les.id, kind=les.kind, organ=les.organ, node=les.node,
                                   diameter_mm=les.mm) for les in data.lesions])
    if data.baseline:
        if base is not None:
            raise Conflict(f"case {case_id} already has a baseline ({base.assessed_on}); "
                           "RareOnco keeps one RECIST series per case")
        if any(les.kind == "target" and les.mm is None for les in data.lesions):
            raise InvalidInput("lesions", "every baseline target needs its diameter (mm)")
        _checked(lambda: recist.validate_baseline(_baseline_of(tp)))
        if follow and min(t.assessed_on for t in follow) <= data.assessed_on:
            raise InvalidInput("assessed_on", "the baseline must precede every follow-up")
        targets = [les.mm or 0.0 for les in data.lesions if les.kind == "target"]
        summary = (f"Baseline for RECIST 1.1 ({data.modality}): {len(targets)} target lesions, "
                   f"sum of diameters {recist.sum_of_diameters_mm(targets):g} mm")
        kind, payload = "imaging", {"modality": data.modality, "recist": "baseline"}
    else:
        if base is None:
            raise InvalidInput("baseline", "record the baseline timepoint first")
        if any(les.kind == "non_target" for les in data.lesions):
            raise InvalidInput("lesions", "non-target lesions are listed at baseline; at a "
                               "follow-up give their status in non_target")
        series = sorted([*follow, tp], key=lambda t: t.assessed_on)
        if data.assessed_on <= base.assessed_on:
            raise InvalidInput("assessed_on", f"must be after the baseline {base.assessed_on}")
        result = _checked(lambda: _evaluate(base, series))
        point = result.timepoints[series.index(tp)]
        summary = (f"RECIST 1.1 ({data.modality}): "
                   + (f"sum {point.sum_mm:g} mm ({point.change_from_baseline_pct:+.1f} % from "
                      f"baseline), " if point.sum_mm is not None else "")
                   + f"{point.overall_response.value}")
        kind = "response_assessment"
        payload = {"sum_mm": point.sum_mm, "baseline_sum_mm": result.baseline_sum_mm,
                   "recist": point.overall_response.value}
    session.add(tp)
    session.flush()
    if timeline_event_id is None:
        event = TimelineEvent(case_id=case_id, kind=kind, event_date=data.assessed_on,
                              summary=summary, payload=payload, author_id=actor.user_id)
        session.add(event)
        session.flush()
        timeline_event_id = event.id
    tp.timeline_event_id = timeline_event_id
    audit.record(session, actor, "create", f"case/{case_id}/timepoint/{tp.id}",
                 "baseline" if data.baseline else "follow-up")
    return tp


def _checked(action: Callable[[], T]) -> T:
    """Run a RECIST check; its field names (``baseline.targets.0.mm``) become ``lesions``."""
    try:
        return action()
    except InvalidInput as exc:
        raise InvalidInput("lesions", f"{exc.field}: {exc.reason}") from None


def add_pathology_response(session: Session, actor: Actor, case_id: int,
                           data: PathologyResponseIn,
                           timeline_event_id: int | None = None) -> PathologyResponse:
    """Necrosis of the resection specimen -> Huvos grade; a ``response_assessment`` event.
    Refused (409) on a case whose morphology the grade does not apply to (`applicability`)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case = case_or_404(session, case_id)
    if huvos_applies(case.morphology_code) is Huvos.NOT_APPLICABLE:
        raise Conflict(f"the Huvos grade applies to osteosarcoma and Ewing sarcoma, not to "
                       f"this case's morphology {case.morphology_code}",
                       morphology_code=case.morphology_code)
    if data.specimen_date > date.today():
        raise InvalidInput("specimen_date", f"{data.specimen_date.isoformat()} is in the future")
    grade = huvos_grade(data.necrosis_pct)
    row = PathologyResponse(case_id=case_id, specimen_date=data.specimen_date,
                            necrosis_pct=data.necrosis_pct, huvos_grade=grade.grade,
                            good_responder=grade.good_responder, note=data.note,
                            recorded_by=actor.user_id)
    session.add(row)
    session.flush()
    if timeline_event_id is None:
        event = TimelineEvent(
            case_id=case_id, kind="response_assessment", event_date=data.specimen_date,
            author_id=actor.user_id,
            summary=f"Histological response: {data.necrosis_pct:g} % necrosis, Huvos "
                    f"{grade.grade} ({'good' if grade.good_responder else 'poor'} responder)",
            payload={"necrosis_pct": data.necrosis_pct, "huvos": grade.grade})
        session.add(event)
        session.flush()
        timeline_event_id = event.id
    row.timeline_event_id = timeline_event_id
    audit.record(session, actor, "create", f"case/{case_id}/pathology-response/{row.id}",
                 f"Huvos {grade.grade}")
    return row


def response_view(session: Session, actor: Actor, case_id: int) -> ResponseOut:
    """The RECIST table, best overall response, chart data, and pathology responses."""
    require(actor.role, Permission.CASE_READ_CLINICAL)
    huvos = huvos_applies(case_or_404(session, case_id).morphology_code).value
    audit.record(session, actor, "read", f"case/{case_id}/response")
    base, follow = _series(_timepoints(session, case_id))
    pathology = [PathologyOut.model_validate(p) for p in session.scalars(
        select(PathologyResponse).where(PathologyResponse.case_id == case_id)
        .order_by(PathologyResponse.specimen_date)).all()]
    if base is None:
        return ResponseOut(case_id=case_id, baseline=None, timepoints=[],
                           best_overall_response=None, chart=None, pathology=pathology,
                           huvos=huvos)
    result = _evaluate(base, follow)
    b = _baseline_of(base)
    baseline = BaselineOut(
        id=base.id, date=base.assessed_on.isoformat(), modality=base.modality,
        sum_mm=result.baseline_sum_mm, non_targets=list(b.non_targets),
        targets=[BaselineTargetOut(id=t.id, organ=t.organ, node=t.node, mm=t.mm)
                 for t in b.targets])
    rows = [TimepointRowOut(
        id=base.id, date=base.assessed_on.isoformat(), baseline=True, modality=base.modality,
        sum_mm=result.baseline_sum_mm, lesions={t.id: t.mm for t in b.targets},
        change_from_baseline_pct=0.0, change_from_nadir_pct=None, target_response=None,
        overall_response=None, non_target=base.non_target, new_lesions=False)]
    for tp, point in zip(follow, result.timepoints, strict=True):
        rows.append(TimepointRowOut(
            id=tp.id, date=tp.assessed_on.isoformat(), baseline=False, modality=tp.modality,
            sum_mm=point.sum_mm, lesions={m.lesion: m.diameter_mm for m in tp.lesions},
            change_from_baseline_pct=point.change_from_baseline_pct,
            change_from_nadir_pct=point.change_from_nadir_pct,
            target_response=point.target_response.value if point.target_response else None,
            overall_response=point.overall_response.value,
            non_target=tp.non_target, new_lesions=tp.new_lesions))
    return ResponseOut(case_id=case_id, baseline=baseline, timepoints=rows,
                       best_overall_response=result.best_overall_response.value,
                       chart=chart_data(result.baseline_sum_mm, rows), pathology=pathology,
                       huvos=huvos)


def timepoint_created(session: Session, actor: Actor, tp: ImagingTimepoint) -> TimepointCreatedOut:
    """A timepoint just stored, with its row of the table and the best overall response."""
    view = response_view(session, actor, tp.case_id)
    return TimepointCreatedOut(
        id=tp.id, timeline_event_id=tp.timeline_event_id,
        timepoint=next(t for t in view.timepoints if t.id == tp.id),
        best_overall_response=view.best_overall_response)


def pathology_created(row: PathologyResponse) -> PathologyCreatedOut:
    return PathologyCreatedOut.model_validate(row)


def chart_data(baseline_sum_mm: float, rows: list[TimepointRowOut]) -> ChartOut:
    """Sum of diameters over time with the thresholds of RECIST 1.1 section 4.3.1.

    PR: 30 % below the baseline sum (one horizontal line). PD: 20 % above the nadir and at least
    5 mm above it; the nadir is the smallest sum before each assessment (baseline included), so
    ``pd_threshold_mm[i]`` is the threshold in force for assessment ``i`` (a step that falls as
    the tumour shrinks; the page draws it over the interval leading to each assessment). A sum on
    or above it is progression.
    """
    dates, sums, pd_mm = [], [], []
    nadir = baseline_sum_mm
    for row in rows:
        pd_mm.append(round(max(nadir * (1 + recist.PD_INCREASE_PCT / 100.0),
                               nadir + recist.PD_ABSOLUTE_MM), 2))
        dates.append(row.date)
        sums.append(row.sum_mm)
        if row.sum_mm is not None:
            nadir = min(nadir, row.sum_mm)
    return ChartOut(
        dates=dates, sum_mm=sums, baseline_sum_mm=baseline_sum_mm,
        pr_threshold_mm=round(baseline_sum_mm * (1 - recist.PR_DECREASE_PCT / 100.0), 2),
        pd_threshold_mm=pd_mm, responses=[r.overall_response or "baseline" for r in rows])
