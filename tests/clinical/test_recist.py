"""RECIST 1.1 (Eisenhauer et al. 2009): thresholds at their exact boundaries, Tables 1-3."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rareonco.clinical.recist import (
    Baseline,
    FollowUp,
    NonTarget,
    Response,
    TargetLesion,
    Timepoint,
    best_overall_response,
    evaluate,
    overall_response,
    validate_baseline,
)
from rareonco.errors import InvalidInput

D0 = dt.date(2024, 1, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def base(*mm: float, node: tuple[bool, ...] = ()) -> Baseline:
    nodes = node or (False,) * len(mm)
    return Baseline(
        D0, tuple(TargetLesion(f"T{i}", f"organ{i}", n, m) for i, (m, n) in enumerate(zip(mm, nodes, strict=True)))
    )


def fu(n: int, *mm: float | None, non_target=NonTarget.ABSENT, new=False) -> FollowUp:
    return FollowUp(day(n), {f"T{i}": m for i, m in enumerate(mm)}, non_target, new)


def responses(result):
    return [(tp.target_response, tp.overall_response) for tp in result.timepoints]


def test_pr_exactly_30_percent():
    res = evaluate(base(30.0, 20.0), [fu(56, 21.0, 14.0)])  # 50 -> 35: -30 %
    assert res.timepoints[0].target_response is Response.PR
    assert res.timepoints[0].change_from_baseline_pct == pytest.approx(-30.0)
    res = evaluate(base(30.0, 20.0), [fu(56, 21.0, 14.1)])  # -29.8 %
    assert res.timepoints[0].target_response is Response.SD


def test_pd_exactly_20_percent_and_5_mm():
    # nadir 25 (after baseline 50); 30 is +20 % and +5 mm: PD.
    res = evaluate(base(50.0), [fu(56, 25.0), fu(112, 30.0)])
    assert res.timepoints[1].target_response is Response.PD
    assert res.timepoints[1].change_from_nadir_pct == pytest.approx(20.0)
    res = evaluate(base(50.0), [fu(56, 25.0), fu(112, 29.9)])
    assert res.timepoints[1].target_response is Response.PR


def test_pd_needs_5_mm_absolute():
    # nadir 20; 24 is +20 % but only +4 mm: not PD (still PR from baseline 50).
    res = evaluate(base(50.0), [fu(56, 20.0), fu(112, 24.0)])
    assert res.timepoints[1].target_response is Response.PR
    # 25 is +25 % and exactly +5 mm: PD.
    res = evaluate(base(50.0), [fu(56, 20.0), fu(112, 25.0)])
    assert res.timepoints[1].target_response is Response.PD


def test_pd_from_baseline_nadir():
    res = evaluate(base(40.0), [fu(56, 48.0)])
    assert res.timepoints[0].target_response is Response.PD


def test_reappearance_after_cr_is_pd_from_zero_nadir():
    res = evaluate(base(20.0), [fu(56, 0.0), fu(112, 5.0)])
    assert [r for r, _ in responses(res)] == [Response.CR, Response.PD]
    assert res.timepoints[1].change_from_nadir_pct is None


def test_cr_with_nodes_below_10_mm():
    b = base(20.0, 30.0, node=(True, False))
    res = evaluate(b, [fu(56, 9.9, 0.0)])
    assert res.timepoints[0].target_response is Response.CR
    assert res.timepoints[0].sum_mm == pytest.approx(9.9)  # sum may stay above 0 in CR
    res = evaluate(b, [fu(56, 10.0, 0.0)])
    assert res.timepoints[0].target_response is Response.PR


def test_not_measured_is_ne_unless_already_pd():
    b = base(20.0, 20.0)
    assert evaluate(b, [fu(56, 10.0, None)]).timepoints[0].target_response is Response.NE
    assert evaluate(b, [fu(56, 10.0, None)]).timepoints[0].sum_mm is None
    assert evaluate(b, [fu(56, 50.0, None)]).timepoints[0].target_response is Response.PD


def test_ne_does_not_move_the_nadir():
    res = evaluate(base(50.0), [fu(56, None), fu(112, 55.0)])
    assert res.timepoints[1].change_from_nadir_pct == pytest.approx(10.0)
    assert res.timepoints[1].target_response is Response.SD


@pytest.mark.parametrize(
    ("target", "non_target", "new", "expected"),
    [
        (Response.CR, NonTarget.ABSENT, False, Response.CR),
        (Response.CR, NonTarget.PRESENT, False, Response.PR),
        (Response.CR, NonTarget.NOT_EVALUATED, False, Response.PR),
        (Response.PR, NonTarget.PRESENT, False, Response.PR),
        (Response.PR, NonTarget.NOT_EVALUATED, False, Response.PR),
        (Response.SD, NonTarget.PRESENT, False, Response.SD),
        (Response.NE, NonTarget.PRESENT, False, Response.NE),
        (Response.PD, NonTarget.ABSENT, False, Response.PD),
        (Response.SD, NonTarget.PROGRESSION, False, Response.PD),
        (Response.CR, NonTarget.ABSENT, True, Response.PD),
        (None, NonTarget.ABSENT, False, Response.CR),
        (None, NonTarget.PRESENT, False, Response.NON_CR_NON_PD),
        (None, NonTarget.NOT_EVALUATED, False, Response.NE),
        (None, NonTarget.PROGRESSION, False, Response.PD),
        (None, NonTarget.PRESENT, True, Response.PD),
    ],
)
def test_overall_response_tables_1_and_2(target, non_target, new, expected):
    assert overall_response(target, non_target, new) is expected


def test_non_target_only_disease():
    b = Baseline(D0, (), ("N1",))
    res = evaluate(b, [FollowUp(day(56), {}, NonTarget.PRESENT)])
    assert res.baseline_sum_mm == 0
    assert res.timepoints[0].target_response is None
    assert res.timepoints[0].overall_response is Response.NON_CR_NON_PD
    assert res.best_overall_response is Response.NON_CR_NON_PD


def _tps(*items: tuple[int, Response]) -> list[Timepoint]:
    return [Timepoint(day(d), 0.0, 0.0, 0.0, r, r) for d, r in items]


def test_best_overall_response_unconfirmed():
    assert best_overall_response(_tps((56, Response.SD), (112, Response.PR)), D0) is Response.PR
    assert best_overall_response(_tps((56, Response.PR), (112, Response.PD), (168, Response.CR)), D0) is Response.PR
    assert best_overall_response(_tps((28, Response.SD), (56, Response.PD)), D0) is Response.PD  # SD too early
    assert best_overall_response(_tps((42, Response.SD), (56, Response.PD)), D0) is Response.SD  # exactly 6 weeks
    assert best_overall_response(_tps((28, Response.NE)), D0) is Response.NE
    assert best_overall_response([], D0) is Response.NE


def test_best_overall_response_confirmed_table_3():
    def bor(*items):
        return best_overall_response(_tps(*items), D0, confirmation=True)

    assert bor((56, Response.CR), (84, Response.CR)) is Response.CR  # exactly 4 weeks later
    assert bor((56, Response.CR), (83, Response.CR)) is Response.SD  # too soon: falls back to SD
    assert bor((56, Response.PR), (112, Response.PR)) is Response.PR
    assert bor((56, Response.PR), (112, Response.CR)) is Response.PR
    assert bor((56, Response.CR), (112, Response.PR)) is Response.PR
    assert bor((56, Response.PR), (112, Response.SD)) is Response.SD
    assert bor((56, Response.PR), (112, Response.PD)) is Response.SD
    assert bor((28, Response.PR), (35, Response.PD)) is Response.PD  # SD interval not met
    assert bor((28, Response.PR), (35, Response.NE)) is Response.NE
    assert bor((56, Response.PR), (112, Response.PD), (168, Response.PR)) is Response.SD


def test_confirmed_non_target_only_cr_falls_back_to_non_cr_non_pd():
    tps = [Timepoint(day(56), None, None, None, None, Response.CR)]
    assert best_overall_response(tps, D0, confirmation=True) is Response.NON_CR_NON_PD


def test_evaluate_with_confirmation():
    res = evaluate(base(40.0), [fu(56, 20.0), fu(112, 20.0), fu(168, 0.0)], confirmation=True)
    assert res.best_overall_response is Response.PR and res.confirmed


@pytest.mark.parametrize(
    ("baseline", "field"),
    [
        (Baseline(D0, tuple(TargetLesion(f"T{i}", f"o{i}", False, 20) for i in range(6))), "baseline.targets"),
        (Baseline(D0, (*tuple(TargetLesion(f"T{i}", "Liver", False, 20) for i in range(2)), TargetLesion("T9", "liver ", False, 20))), "baseline.targets"),
        (Baseline(D0, (TargetLesion("T1", "liver", False, 20), TargetLesion("T1", "lung", False, 20))),
         "baseline.targets"),
        (Baseline(D0, (TargetLesion("T1", "liver", False, 20),), ("T1",)), "baseline.targets"),
        (Baseline(D0, (TargetLesion("T1", "liver", False, 9.9),)), "baseline.targets.0.mm"),
        (Baseline(D0, (TargetLesion("T1", "node", True, 14.9),)), "baseline.targets.0.mm"),
        (Baseline(D0, (TargetLesion("T1", "liver", False, -3),)), "baseline.targets.0.mm"),
        (Baseline(D0, (TargetLesion("T1", "liver", False, 5000),)), "baseline.targets.0.mm"),
        (Baseline(D0, (TargetLesion("T1", "liver", False, float("nan")),)), "baseline.targets.0.mm"),
        (Baseline(D0, (TargetLesion("T1", "liver", False, True),)), "baseline.targets.0.mm"),
        (Baseline(D0, (TargetLesion("T1", " ", False, 20),)), "baseline.targets.0.organ"),
    ],
)
def test_baseline_rules(baseline, field):
    with pytest.raises(InvalidInput) as err:
        validate_baseline(baseline)
    assert err.value.field == field


def test_baseline_limits_accepted():
    validate_baseline(Baseline(D0, (TargetLesion("T1", "liver", False, 10.0),
                                    TargetLesion("T2", "node", True, 15.0))))


@pytest.mark.parametrize(
    ("followups", "field"),
    [
        ([fu(0, 10.0)], "followups.0.date"),
        ([fu(56, 10.0), fu(56, 10.0)], "followups.1.date"),
        ([FollowUp(day(56), {})], "followups.0.targets"),
        ([FollowUp(day(56), {"T0": 1.0, "T7": 1.0})], "followups.0.targets"),
        ([fu(56, -1.0)], "followups.0.targets.T0"),
    ],
)
def test_followup_validation(followups, field):
    with pytest.raises(InvalidInput) as err:
        evaluate(base(20.0), followups)
    assert err.value.field == field


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(10, 200), min_size=1, max_size=5),
       st.lists(st.floats(0, 300), min_size=1, max_size=5))
def test_growth_over_nadir_of_at_least_20pct_and_5mm_is_always_pd(base_mm, follow_mm):
    n = min(len(base_mm), len(follow_mm))
    b = base(*base_mm[:n])
    res = evaluate(b, [fu(56, *follow_mm[:n])])
    tp = res.timepoints[0]
    if tp.sum_mm >= res.baseline_sum_mm * 1.2 + 1e-6 and tp.sum_mm - res.baseline_sum_mm >= 5 + 1e-6:
        assert tp.target_response is Response.PD
    if tp.target_response is Response.PR:
        assert tp.sum_mm <= res.baseline_sum_mm * 0.7 + 1e-6


# --- issue 17: RECIST FAQ and Table 1 corrections ------------------------------------------------

def test_node_below_10_mm_has_not_reappeared_until_10_mm_again():
    # RECIST FAQ ("Abnormal lymph node"): 16 -> 4 -> 9 mm stays CR (sum +125 %, +5 mm);
    # only at >= 10 mm has the node reappeared.
    b = base(16.0, node=(True,))
    res = evaluate(b, [fu(56, 4.0), fu(112, 9.0), fu(168, 10.0)])
    assert [r for r, _ in responses(res)] == [Response.CR, Response.CR, Response.PD]
    assert res.timepoints[1].sum_mm == 9.0


def test_non_target_status_required_when_baseline_has_non_targets():
    b = Baseline(D0, (TargetLesion("T0", "liver", False, 20.0),), ("N1",))
    with pytest.raises(InvalidInput) as err:
        evaluate(b, [FollowUp(day(56), {"T0": 0.0})])
    assert err.value.field == "followups.0.non_target"
    # Table 1: target CR with non-targets not evaluated is PR, not CR.
    res = evaluate(b, [FollowUp(day(56), {"T0": 0.0}, NonTarget.NOT_EVALUATED)])
    assert res.timepoints[0].overall_response is Response.PR


def test_without_baseline_non_targets_target_cr_is_overall_cr():
    b = base(20.0)
    res = evaluate(b, [FollowUp(day(56), {"T0": 0.0}), FollowUp(day(112), {"T0": 0.0}, None, True)])
    assert [o for _, o in responses(res)] == [Response.CR, Response.PD]
    # A stale non-target status with no baseline non-targets is ignored (Table 1's blank).
    res = evaluate(b, [FollowUp(day(56), {"T0": 0.0}, NonTarget.NOT_EVALUATED)])
    assert res.timepoints[0].overall_response is Response.CR
    assert overall_response(Response.SD, None, False) is Response.SD
    with pytest.raises(InvalidInput) as err:
        overall_response(None, None, False)
    assert err.value.field == "non_target"


def test_baseline_without_any_disease_is_not_evaluable():
    with pytest.raises(InvalidInput) as err:
        validate_baseline(Baseline(D0, ()))
    assert err.value.field == "baseline" and "not evaluable" in err.value.reason


def test_lymph_nodes_are_one_organ():
    # EORTC RECIST clarifications: "Nodes are considered to be one organ" -> at most 2 nodal targets.
    three_nodes = Baseline(D0, tuple(TargetLesion(f"N{i}", organ, True, 20.0)
                                     for i, organ in enumerate(("neck", "axilla", "groin"))))
    with pytest.raises(InvalidInput) as err:
        validate_baseline(three_nodes)
    assert "lymph nodes" in err.value.reason
    validate_baseline(Baseline(D0, three_nodes.targets[:2]))
