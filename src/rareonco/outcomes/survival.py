"""Survival estimates for a cohort: Kaplan-Meier, log-rank, Aalen-Johansen, Cox.

Durations are non-negative numbers in one unit the caller names (days or months); an event flag is
1 (the event: death for overall survival, relapse/progression/death for event-free survival) or
0 (censored at last contact). Estimation is lifelines' (Davidson-Pilon C, lifelines: survival
analysis in Python, J Open Source Softw 2019;4(40):1317), which implements:

* Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat Assoc
  1958;53:457-481; Greenwood's variance with the log(-log) ("exponential Greenwood") interval,
  which stays inside [0, 1] (Kalbfleisch JD, Prentice RL, The Statistical Analysis of Failure
  Time Data, 2nd ed. 2002, section 1.4);
* the log-rank test (Mantel N. Cancer Chemother Rep 1966;50:163-170; Peto R, Peto J. J R Stat
  Soc A 1972;135:185-207), k groups with k-1 degrees of freedom;
* cumulative incidence with competing risks (Aalen OO, Johansen S. Scand J Stat 1978;5:141-150);
* Cox proportional hazards (Cox DR. J R Stat Soc B 1972;34:187-220) with Efron's ties.

Worked example used by the tests: Freireich EJ et al., Blood 1963;21:699-716 (6-MP vs placebo
remission durations in acute leukaemia), as tabulated in Kleinbaum DG, Klein M, Survival
Analysis: A Self-Learning Text, 3rd ed. 2012, chapter 2 (KM table, log-rank chi-square 16.79).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rareonco.errors import InvalidInput

__all__ = ["CurvePoint", "HazardRatio", "LogRank", "SurvivalCurve", "cox_regression",
           "cumulative_incidence", "kaplan_meier", "log_rank", "numbers_at_risk"]


@dataclass(frozen=True)
class CurvePoint:
    """The estimate from ``time`` on (a step function), with its confidence interval."""

    time: float
    estimate: float
    lower: float
    upper: float


@dataclass(frozen=True)
class SurvivalCurve:
    """A step curve: survival (Kaplan-Meier) or cumulative incidence (Aalen-Johansen)."""

    label: str
    points: tuple[CurvePoint, ...]
    n: int
    events: int
    median: float | None  #: first time the survival falls to 0.5 or below; None if it never does

    def at(self, time: float) -> float:
        """The estimate at ``time`` (right-continuous step function)."""
        value = self.points[0].estimate
        for p in self.points:
            if p.time <= time:
                value = p.estimate
            else:
                break
        return value


@dataclass(frozen=True)
class LogRank:
    chi_square: float
    degrees_of_freedom: int
    p_value: float


@dataclass(frozen=True)
class HazardRatio:
    covariate: str
    hazard_ratio: float
    lower: float
    upper: float
    coefficient: float
    standard_error: float
    p_value: float


def _check(durations: Sequence[float], events: Sequence[int], field: str) -> None:
    if len(durations) != len(events):
        raise InvalidInput(f"{field}.events", f"{len(events)} event flags for {len(durations)} durations")
    if not durations:
        raise InvalidInput(f"{field}.durations", "the group is empty")
    for i, d in enumerate(durations):
        if not isinstance(d, (int, float)) or isinstance(d, bool) or not math.isfinite(d) or d < 0:
            raise InvalidInput(f"{field}.durations.{i}", f"{d!r} is not a non-negative duration")
    for i, e in enumerate(events):
        if e not in (0, 1) or isinstance(e, float):
            raise InvalidInput(f"{field}.events.{i}", f"{e!r} is not 0 (censored) or 1 (event)")


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise InvalidInput("alpha", f"{alpha} is not between 0 and 1")


def kaplan_meier(durations: Sequence[float], events: Sequence[int], *, label: str = "all",
                 alpha: float = 0.05, field: str = "group",
                 counts: Sequence[int] | None = None) -> SurvivalCurve:
    """The Kaplan-Meier estimate with a (1 - ``alpha``) log(-log) confidence interval.

    With ``counts``, row i stands for ``counts[i]`` patients with the same duration and flag (a
    cohort aggregated by the database: the estimate is the same as over the expanded rows)."""
    _check(durations, events, field)
    _check_alpha(alpha)
    weights = _counts(counts, len(durations), field)
    import numpy as np
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter(alpha=alpha).fit(
        list(durations), list(events), label=label,
        weights=None if weights is None else np.asarray(weights, dtype=float))
    sf = kmf.survival_function_[label]
    ci = kmf.confidence_interval_survival_function_
    lo, hi = ci.iloc[:, 0], ci.iloc[:, 1]
    points = tuple(CurvePoint(float(t), float(sf.loc[t]), float(lo.loc[t]), float(hi.loc[t]))
                   for t in sf.index)
    median = float(kmf.median_survival_time_)
    n = len(durations) if weights is None else sum(weights)
    n_events = int(sum(events)) if weights is None else sum(
        w for w, e in zip(weights, events, strict=True) if e)
    return SurvivalCurve(label, points, n, n_events, None if math.isinf(median) else median)


def _counts(counts: Sequence[int] | None, n: int, field: str) -> list[int] | None:
    if counts is None:
        return None
    if len(counts) != n:
        raise InvalidInput(f"{field}.counts", f"{len(counts)} counts for {n} durations")
    for i, c in enumerate(counts):
        if not isinstance(c, int) or isinstance(c, bool) or c < 1:
            raise InvalidInput(f"{field}.counts.{i}", f"{c!r} is not a count of 1 or more")
    return list(counts)


def numbers_at_risk(durations: Sequence[float], times: Sequence[float],
                    counts: Sequence[int] | None = None) -> list[int]:
    """How many are still followed (no event, not censored) just before each of ``times``: the
    table printed under a Kaplan-Meier plot. ``counts`` as in :func:`kaplan_meier`."""
    weights = counts if counts is not None else [1] * len(durations)
    return [sum(w for d, w in zip(durations, weights, strict=True) if d >= t) for t in times]


def log_rank(groups: Mapping[str, tuple[Sequence[float], Sequence[int]]],
             counts: Mapping[str, Sequence[int]] | None = None) -> LogRank:
    """The log-rank test that the survival of two or more groups is the same (``counts`` per
    group as in :func:`kaplan_meier`)."""
    if len(groups) < 2:
        raise InvalidInput("groups", "the log-rank test compares two groups or more")
    durations: list[float] = []
    events: list[int] = []
    labels: list[str] = []
    weights: list[int] = []
    for name, (d, e) in groups.items():
        _check(d, e, f"groups.{name}")
        durations += list(d)
        events += list(e)
        labels += [name] * len(d)
        w = _counts(counts.get(name) if counts else None, len(d), f"groups.{name}")
        weights += w if w is not None else [1] * len(d)
    import numpy as np
    from lifelines.statistics import multivariate_logrank_test

    res = multivariate_logrank_test(durations, labels, events,
                                    weights=np.asarray(weights, dtype=float))
    return LogRank(float(res.test_statistic), int(res.degrees_of_freedom), float(res.p_value))


def cumulative_incidence(durations: Sequence[float], event_codes: Sequence[int],
                         event_of_interest: int, *, label: str = "incidence",
                         alpha: float = 0.05) -> SurvivalCurve:
    """Cumulative incidence of ``event_of_interest`` (e.g. relapse = 1) with the others (e.g.
    death without relapse = 2) as competing risks; code 0 is censored. ``median`` is None."""
    if len(durations) != len(event_codes):
        raise InvalidInput("event_codes", f"{len(event_codes)} codes for {len(durations)} durations")
    _check(durations, [0] * len(durations), "group")
    _check_alpha(alpha)
    for i, c in enumerate(event_codes):
        if not isinstance(c, int) or isinstance(c, bool) or c < 0:
            raise InvalidInput(f"event_codes.{i}", f"{c!r} is not 0 (censored) or an event code >= 1")
    if event_of_interest < 1:
        raise InvalidInput("event_of_interest", "must be an event code of 1 or more")
    from lifelines import AalenJohansenFitter

    # lifelines breaks ties between causes at one time by a tiny jitter: seed it so the same cohort
    # always gives the same curve.
    ajf = AalenJohansenFitter(alpha=alpha, calculate_variance=True, seed=0)
    ajf.fit(list(durations), list(event_codes), event_of_interest=event_of_interest, label=label)
    cif = ajf.cumulative_density_
    ci = ajf.confidence_interval_
    col = cif.columns[0]
    points = tuple(CurvePoint(float(t), float(cif[col].iloc[i]),
                              float(max(0.0, ci.iloc[i, 0])) if not math.isnan(ci.iloc[i, 0]) else 0.0,
                              float(min(1.0, ci.iloc[i, 1])) if not math.isnan(ci.iloc[i, 1]) else 0.0)
                   for i, t in enumerate(cif.index))
    n_events = sum(1 for c in event_codes if c == event_of_interest)
    return SurvivalCurve(label, points, len(durations), n_events, None)


def cox_regression(durations: Sequence[float], events: Sequence[int],
                   covariates: Mapping[str, Sequence[float]], *, alpha: float = 0.05
                   ) -> list[HazardRatio]:
    """Hazard ratios (per unit of each covariate, adjusted for the others) with (1 - ``alpha``)
    Wald intervals; Efron's method for tied times."""
    _check(durations, events, "cohort")
    _check_alpha(alpha)
    if not covariates:
        raise InvalidInput("covariates", "name at least one covariate")
    for name, values in covariates.items():
        if len(values) != len(durations):
            raise InvalidInput(f"covariates.{name}", f"{len(values)} values for {len(durations)} patients")
        if len(set(values)) < 2:
            raise InvalidInput(f"covariates.{name}", "has one value for everyone: nothing to compare")
    import pandas as pd
    from lifelines import CoxPHFitter

    frame = pd.DataFrame({"_duration": list(durations), "_event": list(events),
                          **{k: list(v) for k, v in covariates.items()}})
    cph = CoxPHFitter(alpha=alpha).fit(frame, "_duration", "_event")
    s = cph.summary
    lo_col = next(c for c in s.columns if c.startswith("exp(coef) lower"))
    hi_col = next(c for c in s.columns if c.startswith("exp(coef) upper"))
    return [HazardRatio(str(name), float(row["exp(coef)"]), float(row[lo_col]), float(row[hi_col]),
                        float(row["coef"]), float(row["se(coef)"]), float(row["p"]))
            for name, row in s.iterrows()]
