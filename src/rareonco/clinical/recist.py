"""Response Evaluation Criteria in Solid Tumours, version 1.1.

Source: Eisenhauer EA, Therasse P, Bogaerts J et al. New response evaluation criteria in solid
tumours: revised RECIST guideline (version 1.1). Eur J Cancer 2009;45(2):228-247. Section numbers
below refer to that paper: 3.2 (measurability), 4.2 (baseline target selection), 4.3 (response
criteria), 4.4 (overall and best overall response; Tables 1, 2 and 3).

Inputs are value objects; :func:`evaluate` runs a whole timeline. Diameters are in mm: the longest
diameter for non-nodal lesions, the short axis for lymph nodes. A measurement of ``None`` means the
lesion was not assessed; the caller records "too small to measure" as 5 mm and "disappeared" as 0
(section 4.3.2 / Appendix I notes, as the paper directs).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rareonco.errors import InvalidInput

MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
MIN_NON_NODAL_MM = 10.0
MIN_NODAL_TARGET_MM = 15.0
NODE_NORMAL_BELOW_MM = 10.0
PR_DECREASE_PCT = 30.0
PD_INCREASE_PCT = 20.0
PD_ABSOLUTE_MM = 5.0
CONFIRM_MIN_DAYS = 28
SD_MIN_DAYS = 42
# Sums and percentages are compared with this slack so that a change of exactly 30 % or 20 %
# (e.g. 50 -> 35 mm) is not lost to binary floating-point noise.
_EPS = 1e-9


class NonTarget(StrEnum):
    """Non-target assessment at a follow-up (section 4.3.3)."""

    ABSENT = "absent"  # CR: all non-target lesions gone, nodes < 10 mm
    PRESENT = "present"  # non-CR/non-PD
    PROGRESSION = "progression"  # unequivocal progression
    NOT_EVALUATED = "not_evaluated"


class Response(StrEnum):
    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"
    NON_CR_NON_PD = "non-CR/non-PD"


@dataclass(frozen=True)
class TargetLesion:
    id: str
    organ: str
    node: bool
    mm: float


@dataclass(frozen=True)
class Baseline:
    date: dt.date
    targets: tuple[TargetLesion, ...]
    non_targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    """One assessment. ``non_target`` is required when the baseline recorded non-target lesions
    (None = not given); without baseline non-targets it is ignored (Table 1's blank column)."""

    date: dt.date
    targets: Mapping[str, float | None]
    non_target: NonTarget | None = None
    new_lesions: bool = False


@dataclass(frozen=True)
class Timepoint:
    date: dt.date
    sum_mm: float | None
    change_from_baseline_pct: float | None
    change_from_nadir_pct: float | None
    target_response: Response | None  # None when there were no targets at baseline
    overall_response: Response


@dataclass(frozen=True)
class RecistResult:
    baseline_sum_mm: float
    timepoints: tuple[Timepoint, ...]
    best_overall_response: Response
    confirmed: bool = field(default=False)


def validate_baseline(baseline: Baseline) -> None:
    """Check the target selection rules of section 4.2 and measurability of section 3.2.

    At most 5 targets and 2 per organ (organs compared case-insensitively); all lymph nodes count
    as one organ, whatever organ name they carry (RECIST 1.1 questions and clarifications, EORTC:
    "Nodes are considered to be one organ"), so at most 2 nodal targets. Non-nodal targets >= 10 mm
    longest diameter; nodal targets >= 15 mm short axis. Zero targets is allowed (non-target
    disease only, Table 2); a baseline with neither targets nor non-targets is not evaluable and
    is refused (field ``baseline``).
    """
    targets = baseline.targets
    if not targets and not baseline.non_targets:
        raise InvalidInput("baseline", "not evaluable: no target and no non-target lesion at "
                           "baseline (RECIST 1.1 needs disease to follow)")
    if len(targets) > MAX_TARGETS:
        raise InvalidInput("baseline.targets", f"at most {MAX_TARGETS} target lesions, got {len(targets)}")
    ids = [t.id for t in targets] + list(baseline.non_targets)
    dupes = [k for k, n in Counter(ids).items() if n > 1]
    if dupes:
        raise InvalidInput("baseline.targets", f"duplicate lesion id {dupes[0]!r}")
    per_organ = Counter("lymph nodes" if t.node else t.organ.strip().lower() for t in targets)
    for organ, n in per_organ.items():
        if n > MAX_TARGETS_PER_ORGAN:
            raise InvalidInput(
                "baseline.targets", f"at most {MAX_TARGETS_PER_ORGAN} targets per organ; {organ!r} has {n}"
            )
    for i, t in enumerate(targets):
        where = f"baseline.targets.{i}.mm"
        if not t.organ.strip():
            raise InvalidInput(f"baseline.targets.{i}.organ", "must name the organ")
        _check_mm(t.mm, where)
        if t.node and t.mm < MIN_NODAL_TARGET_MM:
            raise InvalidInput(
                where, f"a nodal target needs a short axis >= {MIN_NODAL_TARGET_MM:g} mm, got {t.mm:g}"
            )
        if not t.node and t.mm < MIN_NON_NODAL_MM:
            raise InvalidInput(
                where, f"a non-nodal target needs a longest diameter >= {MIN_NON_NODAL_MM:g} mm, got {t.mm:g}"
            )


def _check_mm(value: float | None, where: str) -> None:
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
        raise InvalidInput(where, f"must be a number of mm, got {value!r}")
    if value < 0:
        raise InvalidInput(where, f"a diameter cannot be negative ({value:g} mm)")
    if value > 2000:
        raise InvalidInput(where, f"{value:g} mm is not a plausible diameter")


def sum_of_diameters_mm(values: Sequence[float]) -> float:
    """Sum of diameters (section 4.2): longest diameters of non-nodal plus short axes of nodes."""
    return round(sum(values), 6)


def _pct(value: float, reference: float) -> float | None:
    if reference == 0:
        return None
    return round((value - reference) / reference * 100.0, 6)


def _is_pd(sum_mm: float, nadir_mm: float) -> bool:
    increase = sum_mm - nadir_mm
    return (
        increase >= PD_INCREASE_PCT / 100.0 * nadir_mm - _EPS
        and increase >= PD_ABSOLUTE_MM - _EPS
    )


def target_response(
    baseline: Baseline, measurements: Mapping[str, float | None], nadir_mm: float
) -> tuple[Response, float | None]:
    """Target response at one timepoint (section 4.3.1) and the sum, None if not all measured.

    CR: every non-nodal target 0 mm and every nodal target < 10 mm short axis. PR: sum >= 30 %
    below the baseline sum. PD: sum >= 20 % above the nadir (smallest sum on study, baseline
    included) and >= 5 mm above it in absolute terms. SD otherwise. With a target not measured the
    response is NE unless the measured targets alone already reach PD (section 4.4.1, missing
    assessments).

    CR is decided before PD: nodes below 10 mm are normal, so a node going 16 -> 4 -> 9 mm has not
    reappeared and the response stays CR although the sum rose (RECIST 1.1 questions and
    clarifications, EORTC, "Abnormal lymph node": a node has reappeared only when >= 10 mm).
    """
    values = [measurements[t.id] for t in baseline.targets]
    measured = [v for v in values if v is not None]
    if len(measured) < len(values):
        partial = sum_of_diameters_mm(measured)
        return (Response.PD if _is_pd(partial, nadir_mm) else Response.NE), None
    total = sum_of_diameters_mm(measured)
    base = sum_of_diameters_mm([t.mm for t in baseline.targets])
    complete = all(
        (v < NODE_NORMAL_BELOW_MM) if t.node else (v == 0)
        for t, v in zip(baseline.targets, measured, strict=True)
    )
    if complete:
        return Response.CR, total
    if _is_pd(total, nadir_mm):
        return Response.PD, total
    if base - total >= PR_DECREASE_PCT / 100.0 * base - _EPS:
        return Response.PR, total
    return Response.SD, total


def overall_response(
    target: Response | None, non_target: NonTarget | None, new_lesions: bool
) -> Response:
    """Overall response at a timepoint: Table 1 (with targets) and Table 2 (``target`` None).

    ``non_target`` None means no non-target lesions at baseline (Table 1's blank): the targets
    alone decide, so target CR is overall CR. Table 1: target CR with non-targets not evaluated
    (or present) is PR, never CR.
    """
    if non_target is None:
        if target is None:
            raise InvalidInput("non_target", "required without target lesions (Table 2)")
        return Response.PD if new_lesions else target
    if new_lesions or non_target is NonTarget.PROGRESSION or target is Response.PD:
        return Response.PD
    if target is None:  # Table 2: non-target disease only
        return {
            NonTarget.ABSENT: Response.CR,
            NonTarget.PRESENT: Response.NON_CR_NON_PD,
            NonTarget.NOT_EVALUATED: Response.NE,
        }[non_target]
    if target is Response.CR:
        return Response.CR if non_target is NonTarget.ABSENT else Response.PR
    return target  # PR, SD or NE: non-target non-PD or not evaluated leaves it unchanged


def evaluate(
    baseline: Baseline,
    followups: Sequence[FollowUp],
    *,
    confirmation: bool = False,
    confirm_min_days: int = CONFIRM_MIN_DAYS,
    sd_min_days: int = SD_MIN_DAYS,
) -> RecistResult:
    """Evaluate a whole timeline: per-timepoint responses and the best overall response.

    Follow-ups must be dated strictly after the baseline and after each other, and give a value
    (``None`` = not measured) for exactly the baseline targets.
    """
    validate_baseline(baseline)
    base_sum = sum_of_diameters_mm([t.mm for t in baseline.targets])
    has_targets = bool(baseline.targets)
    nadir = base_sum
    previous = baseline.date
    target_ids = {t.id for t in baseline.targets}
    points: list[Timepoint] = []
    for i, fu in enumerate(followups):
        if fu.date <= previous:
            raise InvalidInput(f"followups.{i}.date", "must be later than the previous assessment")
        previous = fu.date
        given = set(fu.targets)
        if given != target_ids:
            missing = sorted(target_ids - given)
            extra = sorted(given - target_ids)
            reason = f"missing target {missing[0]!r}" if missing else f"unknown target {extra[0]!r}"
            raise InvalidInput(f"followups.{i}.targets", reason + " (use null for not measured)")
        for key, value in fu.targets.items():
            _check_mm(value, f"followups.{i}.targets.{key}")
        if has_targets:
            t_resp, total = target_response(baseline, fu.targets, nadir)
        else:
            t_resp, total = None, None
        non_target: NonTarget | None = None
        if baseline.non_targets:
            if fu.non_target is None:
                raise InvalidInput(f"followups.{i}.non_target", "required: the baseline has "
                                   "non-target lesions (absent, present, progression or "
                                   "not_evaluated)")
            non_target = NonTarget(fu.non_target)
        o_resp = overall_response(t_resp, non_target, fu.new_lesions)
        points.append(
            Timepoint(
                date=fu.date,
                sum_mm=total,
                change_from_baseline_pct=None if total is None else _pct(total, base_sum),
                change_from_nadir_pct=None if total is None else _pct(total, nadir),
                target_response=t_resp,
                overall_response=o_resp,
            )
        )
        if total is not None:
            nadir = min(nadir, total)
    best = best_overall_response(
        points, baseline.date, confirmation=confirmation,
        confirm_min_days=confirm_min_days, sd_min_days=sd_min_days,
    )
    return RecistResult(base_sum, tuple(points), best, confirmation)


_NON_PROGRESSION = (Response.CR, Response.PR, Response.SD, Response.NON_CR_NON_PD)


def best_overall_response(
    timepoints: Sequence[Timepoint],
    baseline_date: dt.date,
    *,
    confirmation: bool = False,
    confirm_min_days: int = CONFIRM_MIN_DAYS,
    sd_min_days: int = SD_MIN_DAYS,
) -> Response:
    """Best overall response (section 4.4.2 and Table 3).

    Only timepoints up to the first PD count. SD (and non-CR/non-PD) counts only when assessed at
    least ``sd_min_days`` after baseline (the protocol's minimum, "in general not less than 6-8
    weeks"; 42 days here). Without ``confirmation`` the best response wins (CR > PR > SD >
    non-CR/non-PD). With ``confirmation`` (non-randomised trials) CR needs a later CR, and PR a
    later PR or CR, at least ``confirm_min_days`` (4 weeks) later; an unconfirmed CR/PR falls back
    to SD if the SD interval was met, as in Table 3. Otherwise PD if progression was seen, else NE.
    """
    counted: list[Timepoint] = []
    for tp in timepoints:
        counted.append(tp)
        if tp.overall_response is Response.PD:
            break
    rank = {Response.CR: 0, Response.PR: 1, Response.SD: 2, Response.NON_CR_NON_PD: 3}
    candidates: list[Response] = []
    for i, tp in enumerate(counted):
        resp = tp.overall_response
        if resp in (Response.CR, Response.PR) and confirmation:
            later = [
                t.overall_response for t in counted[i + 1 :]
                if (t.date - tp.date).days >= confirm_min_days
            ]
            if resp is Response.CR and Response.CR in later:
                candidates.append(Response.CR)
            elif Response.CR in later or Response.PR in later:
                candidates.append(Response.PR)
            # An unconfirmed response still counts as stable disease if assessed late enough.
            resp = Response.SD if tp.target_response is not None else Response.NON_CR_NON_PD
        late_enough = (tp.date - baseline_date).days >= sd_min_days
        if resp in (Response.CR, Response.PR) or (resp in _NON_PROGRESSION and late_enough):
            candidates.append(resp)
    if candidates:
        return min(candidates, key=rank.__getitem__)
    if any(tp.overall_response is Response.PD for tp in counted):
        return Response.PD
    return Response.NE
