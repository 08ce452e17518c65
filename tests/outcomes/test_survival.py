"""Survival estimates against the published worked example: Freireich 1963 (6-MP vs placebo), as
tabulated by Kleinbaum & Klein, Survival Analysis, 3rd ed., chapter 2, and R's coxph on the same
data (coef 1.572, se 0.412, Efron ties)."""

from __future__ import annotations

import pytest

from rareonco.errors import InvalidInput
from rareonco.outcomes.survival import (
    cox_regression,
    cumulative_incidence,
    kaplan_meier,
    log_rank,
    numbers_at_risk,
)

MP_T = [6, 6, 6, 7, 10, 13, 16, 22, 23, 6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]
MP_E = [1] * 9 + [0] * 12
PLACEBO_T = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
PLACEBO_E = [1] * 21


def test_kaplan_meier_matches_the_published_table() -> None:
    curve = kaplan_meier(MP_T, MP_E, label="6-MP")
    published = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378, 23: 0.4482}
    for t, s in published.items():
        assert curve.at(t) == pytest.approx(s, abs=5e-5)
    assert curve.at(5.9) == 1.0 and curve.at(100) == pytest.approx(0.4482, abs=5e-5)
    assert curve.median == 23.0 and curve.n == 21 and curve.events == 9
    for p in curve.points:
        assert 0.0 <= p.lower <= p.estimate <= p.upper <= 1.0


def test_greenwood_interval_at_six_weeks() -> None:
    # Greenwood: var = S^2 * 3/(21*18) -> se 0.0764; log(-log) 95 % interval (0.620, 0.952)
    point = next(p for p in kaplan_meier(MP_T, MP_E).points if p.time == 6)
    assert (point.lower, point.upper) == pytest.approx((0.6197, 0.9516), abs=1e-4)


def test_placebo_median_and_no_median_when_survival_stays_above_half() -> None:
    assert kaplan_meier(PLACEBO_T, PLACEBO_E).median == 8.0
    assert kaplan_meier([5, 10, 20], [1, 0, 0]).median is None


def test_log_rank_chi_square_16_79() -> None:
    res = log_rank({"6-MP": (MP_T, MP_E), "placebo": (PLACEBO_T, PLACEBO_E)})
    assert res.chi_square == pytest.approx(16.79, abs=0.01)
    assert res.degrees_of_freedom == 1 and res.p_value < 1e-4


def test_cox_hazard_ratio_placebo_vs_6mp() -> None:
    (hr,) = cox_regression(MP_T + PLACEBO_T, MP_E + PLACEBO_E, {"placebo": [0] * 21 + [1] * 21})
    assert hr.coefficient == pytest.approx(1.572, abs=1e-3)
    assert hr.standard_error == pytest.approx(0.412, abs=1e-3)
    assert hr.hazard_ratio == pytest.approx(4.817, abs=1e-3)
    assert hr.lower < hr.hazard_ratio < hr.upper


def test_numbers_at_risk() -> None:
    assert numbers_at_risk(MP_T, [0, 10, 20, 30]) == [21, 15, 8, 4]


def test_cumulative_incidence_without_competing_events_is_one_minus_km() -> None:
    codes = [1 if e else 0 for e in MP_E]
    cif = cumulative_incidence(MP_T, codes, 1)
    km = kaplan_meier(MP_T, MP_E)
    for t in (6, 10, 23, 35):
        assert cif.at(t) == pytest.approx(1 - km.at(t), abs=1e-3)


def test_cumulative_incidence_with_a_competing_risk_by_hand() -> None:
    # 4 patients: relapse at 1, death at 2, relapse at 3, censored at 4.
    # Aalen-Johansen: S(1-)=1, CIF_relapse(1)=1/4; S(1)=3/4; death at 2: S(2)=1/2;
    # relapse at 3 with 2 at risk: CIF += S(3-) * 1/2 = 1/4 -> 1/2.
    cif = cumulative_incidence([1, 2, 3, 4], [1, 2, 1, 0], 1)
    assert cif.at(1.5) == pytest.approx(0.25, abs=1e-3)
    assert cif.at(2.5) == pytest.approx(0.25, abs=1e-3)
    assert cif.at(3.5) == pytest.approx(0.5, abs=1e-3)
    assert cif.events == 2


@pytest.mark.parametrize(("durations", "events", "field"), [
    ([], [], "group.durations"),
    ([1, 2], [1], "group.events"),
    ([-1, 2], [1, 1], "group.durations.0"),
    ([1, float("nan")], [1, 1], "group.durations.1"),
    ([1, 2], [1, 2], "group.events.1"),
])
def test_bad_input_names_the_field(durations: list[float], events: list[int], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        kaplan_meier(durations, events)
    assert exc.value.field == field


def test_bad_input_for_the_other_estimators() -> None:
    with pytest.raises(InvalidInput, match="two groups"):
        log_rank({"a": ([1], [1])})
    with pytest.raises(InvalidInput) as exc:
        cox_regression([1, 2, 3], [1, 1, 0], {"x": [1, 1, 1]})
    assert exc.value.field == "covariates.x"
    with pytest.raises(InvalidInput) as exc:
        cumulative_incidence([1, 2], [1, -1], 1)
    assert exc.value.field == "event_codes.1"
    with pytest.raises(InvalidInput) as exc:
        kaplan_meier([1], [1], alpha=1.5)
    assert exc.value.field == "alpha"


def _aggregate(t: list[int], e: list[int]) -> tuple[list[int], list[int], list[int]]:
    from collections import Counter

    c = Counter(zip(t, e, strict=True))
    keys = sorted(c)
    return [k[0] for k in keys], [k[1] for k in keys], [c[k] for k in keys]


def test_aggregated_counts_give_the_same_estimates() -> None:
    d, e, n = _aggregate(MP_T, MP_E)
    agg = kaplan_meier(d, e, counts=n)
    full = kaplan_meier(MP_T, MP_E)
    for t in (6, 10, 23, 35):
        assert agg.at(t) == pytest.approx(full.at(t))
    assert agg.n == 21 and agg.events == 9 and agg.median == full.median
    p_d, p_e, p_n = _aggregate(PLACEBO_T, PLACEBO_E)
    res = log_rank({"6-MP": (d, e), "placebo": (p_d, p_e)}, {"6-MP": n, "placebo": p_n})
    assert res.chi_square == pytest.approx(16.79, abs=0.01)
    assert numbers_at_risk(d, [0, 10, 20, 30], n) == [21, 15, 8, 4]
    with pytest.raises(InvalidInput) as exc:
        kaplan_meier(d, e, counts=[0] * len(d))
    assert exc.value.field == "group.counts.0"
    with pytest.raises(InvalidInput):
        kaplan_meier(d, e, counts=[1])
