"""Safety checks of a proposed cycle: each rule, its boundary and its resolution."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rareonco.regimens import (
    GivenDose,
    Prechecks,
    PriorDose,
    check_cycle,
    get_regimen,
    may_proceed,
    outstanding,
    plan_course,
)

START = date(2026, 1, 5)
P6 = get_regimen("P6")
PLAN = plan_course(P6, START, 168, 55)
BSA = PLAN.bsa_m2
GOOD_LABS = Prechecks(anc_10e9_l=2.0, platelets_10e9_l=200, lvef_pct=60, crcl_ml_min=100,
                      gfr_ml_min_173m2=100, bilirubin_mg_dl=0.5)


def codes(findings):
    return sorted(f.code for f in findings)


def check(cycle=1, **kw):
    planned = PLAN.cycles[cycle - 1]
    kw.setdefault("cycle_start", planned.start)
    kw.setdefault("weight_measured_on", planned.start)
    kw.setdefault("prechecks", GOOD_LABS)
    return check_cycle(P6, planned, bsa_m2=BSA, **kw)


def test_planned_cycle_with_everything_recorded_has_no_findings():
    assert check() == ()


# --- cumulative anthracycline -----------------------------------------------------------------

def test_p6_fourth_doxorubicin_course_reaches_300_and_only_warns():
    prior = [PriorDose("doxorubicin", 75.0)] * 3
    findings = check(cycle=6, prior_doses=prior)
    assert codes(findings) == ["anthracycline_warning"]
    assert may_proceed(findings)


def test_beyond_the_limit_blocks_until_overridden_with_a_reason():
    prior = [PriorDose("doxorubicin", 75.0)] * 4  # 300 already; this cycle makes 375 > 300
    blocked = check(cycle=6, prior_doses=prior)
    (finding,) = [f for f in blocked if f.code == "anthracycline_limit"]
    assert finding.severity == "block" and finding.is_outstanding
    assert "375.0" in finding.message and "300" in finding.message
    assert not may_proceed(blocked)

    assert not may_proceed(check(cycle=6, prior_doses=prior, override_reason="   "))

    overridden = check(cycle=6, prior_doses=prior, override_reason="tumour board 2026-05-01: ...")
    (finding,) = [f for f in overridden if f.code == "anthracycline_limit"]
    assert finding.resolved_by.startswith("tumour board")
    assert may_proceed(overridden)


def test_other_anthracyclines_count_as_doxorubicin_equivalents():
    # IGHG / Feijen 2019: epirubicin 0.8: 150 mg/m2 = 120 doxorubicin-eq, + 75 = 195 < 300
    assert codes(check(prior_doses=[PriorDose("epirubicin", 150.0)])) == []
    # brand names and any case count (issue 17: "Adriamycin" and "Doxorubicin" were left out)
    assert "anthracycline_limit" in codes(check(prior_doses=[PriorDose("Adriamycin", 300.0)]))
    assert "anthracycline_limit" in codes(check(prior_doses=[PriorDose("Doxorubicin", 300.0)]))
    assert "anthracycline_limit" in codes(check(prior_doses=[PriorDose("liposomal doxorubicin", 300.0)]))
    # idarubicin 5: 50 mg/m2 = 250, + 75 = 325 > 300
    assert "anthracycline_limit" in codes(check(prior_doses=[PriorDose("idarubicin", 50.0)]))


def test_non_anthracycline_cycle_is_not_blocked_by_past_exposure():
    prior = [PriorDose("doxorubicin", 75.0)] * 6
    assert "anthracycline_limit" not in codes(check(cycle=4, prior_doses=prior))


# --- 10 % dose deviation ----------------------------------------------------------------------

def cyclo_dose(factor, reason=None):
    ref = PLAN.cycles[0].drug("cyclophosphamide").protocol_mg_per_day
    return [GivenDose("cyclophosphamide", 1, ref * factor, reason)]


@pytest.mark.parametrize(("factor", "flagged"), [
    (1.0, False), (0.9, False), (1.1, False), (0.8999, True), (1.1001, True), (0.5, True),
])
def test_ten_percent_boundary(factor, flagged):
    assert ("dose_deviation" in codes(check(doses=cyclo_dose(factor)))) is flagged


def test_exactly_ten_percent_in_round_numbers_is_within_tolerance():
    planned = plan_course("TRABECTEDIN", START, 180, 80)  # 1.5 mg/m2 x 2.0 m2 = 3.0 mg
    cycle = planned.cycles[0]
    assert cycle.drug("trabectedin").protocol_mg_per_day == pytest.approx(3.0)
    findings = check_cycle(get_regimen("TRABECTEDIN"), cycle, cycle_start=START, bsa_m2=2.0,
                           weight_measured_on=START,
                           doses=[GivenDose("trabectedin", 1, 2.7)],
                           prechecks=Prechecks(anc_10e9_l=2, platelets_10e9_l=150,
                                               bilirubin_x_uln=0.5, alt_x_uln=1, cpk_x_uln=1,
                                               crcl_ml_min=90))
    assert findings == ()


def test_deviation_needs_a_reason_and_accepts_one():
    findings = check(doses=cyclo_dose(0.75))
    (f,) = findings
    assert (f.code, f.severity, f.drug, f.day) == ("dose_deviation", "needs_reason",
                                                   "cyclophosphamide", 1)
    assert "-25.0 %" in f.message
    assert outstanding(findings) == (f,)
    resolved = check(doses=cyclo_dose(0.75, reason="grade 4 neutropenia after course 1"))
    assert may_proceed(resolved) and resolved[0].resolved_by.startswith("grade 4")


def test_planned_reduction_compared_with_protocol_or_plan():
    reduced = plan_course(P6, START, 168, 55, dose_modifications={"cyclophosphamide": 75})
    cycle = reduced.cycles[0]
    dose = [GivenDose("cyclophosphamide", 1, cycle.drug("cyclophosphamide").mg_per_day)]
    kw = dict(cycle_start=START, bsa_m2=BSA, weight_measured_on=START, prechecks=GOOD_LABS,
              doses=dose)
    assert codes(check_cycle(P6, cycle, **kw)) == ["dose_deviation"]
    assert codes(check_cycle(P6, cycle, reference="planned", **kw)) == []


def test_capped_vincristine_is_the_reference():
    vcr = PLAN.cycles[0].drug("vincristine")
    doses = [GivenDose("vincristine", day, 2 / 3) for day in (1, 2, 3)]
    assert vcr.protocol_mg_per_day == pytest.approx(2 / 3)
    assert codes(check(doses=doses)) == []


def test_unplanned_drug_or_day_needs_reason():
    findings = check(doses=[GivenDose("cisplatin", 1, 100), GivenDose("doxorubicin", 4, 40)])
    assert codes(findings) == ["unplanned_dose", "unplanned_dose"]
    assert not may_proceed(findings)


# --- weight age -------------------------------------------------------------------------------

@pytest.mark.parametrize(("age_days", "warned"), [(0, False), (14, False), (15, True)])
def test_weight_older_than_14_days_warns(age_days, warned):
    findings = check(weight_measured_on=START - timedelta(days=age_days))
    assert ("weight_stale" in codes(findings)) is warned
    assert may_proceed(findings)


def test_missing_weight_warns():
    assert codes(check(weight_measured_on=None)) == ["weight_missing"]


# --- pre-checks -------------------------------------------------------------------------------

def test_missing_prechecks_warn_per_test():
    findings = check(prechecks=Prechecks())
    # ANC, platelets, LVEF (doxorubicin); the bilirubin measurement is the new gate's (regimens.gate)
    assert codes(findings) == ["precheck_missing"] * 3
    assert all(f.severity == "warn" for f in findings)
    assert may_proceed(findings)
    # IE courses: counts only, no LVEF.
    assert len(check(cycle=4, prechecks=Prechecks())) == 2


def test_lab_gate_needs_reason():
    # Kushner 1996: courses start after neutrophils reach 0.5 x 10^9/L (500/uL).
    low = Prechecks(anc_10e9_l=0.4, platelets_10e9_l=200, lvef_pct=60, bilirubin_mg_dl=0.5)
    (f,) = check(prechecks=low)
    assert (f.code, f.severity) == ("precheck_failed", "needs_reason")
    assert "ANC 0.4" in f.message and ">= 0.5" in f.message
    assert check(prechecks=Prechecks(anc_10e9_l=0.6, platelets_10e9_l=100, lvef_pct=60,
                                     bilirubin_mg_dl=0.5)) == ()
    assert may_proceed(check(prechecks=low, precheck_reason="G-CSF, counts rising, board"))


def test_lvef_gate():
    (f,) = check(prechecks=Prechecks(anc_10e9_l=2, platelets_10e9_l=200, lvef_pct=45,
                                     bilirubin_mg_dl=0.5))
    assert "LVEF 45" in f.message


def test_map_gates_depend_on_the_drugs_given():
    reg = get_regimen("MAP")
    plan = plan_course(reg, START, 170, 60)
    cycle = plan.cycles[0]
    labs = Prechecks(anc_10e9_l=0.5, platelets_10e9_l=60, gfr_ml_min_173m2=90, lvef_pct=60,
                     bilirubin_x_uln=1.0, bilirubin_mg_dl=0.5)
    common = dict(cycle_start=START, bsa_m2=plan.bsa_m2, weight_measured_on=START, prechecks=labs)
    ap = [GivenDose(d.drug, day, d.mg_per_day) for d in cycle.drugs[:2] for day in d.days]
    mtx = [GivenDose("methotrexate", 22, cycle.drug("methotrexate").mg_per_day)]
    # ANC 0.5 and platelets 60 fail the AP gates (0.75, 75) but pass methotrexate's (0.25, 50).
    assert codes(check_cycle(reg, cycle, doses=ap, **common)) == ["precheck_failed"] * 2
    assert codes(check_cycle(reg, cycle, doses=mtx, **common)) == []
    # GFR (mL/min/1.73 m2, EURAMOS-1) is required before methotrexate; a CrCl does not stand in.
    no_gfr = Prechecks(anc_10e9_l=2, platelets_10e9_l=100, bilirubin_x_uln=1.0, crcl_ml_min=90)
    found = check_cycle(reg, cycle, doses=mtx, **{**common, "prechecks": no_gfr})
    assert codes(found) == ["precheck_missing"] and "GFR" in found[0].message
    low_crcl = Prechecks(anc_10e9_l=2, platelets_10e9_l=100, bilirubin_x_uln=1.0,
                         gfr_ml_min_173m2=60)
    assert codes(check_cycle(reg, cycle, doses=mtx, **{**common, "prechecks": low_crcl})) == [
        "precheck_failed"]


def test_upper_bound_gate_trabectedin_cpk():
    reg = get_regimen("TRABECTEDIN")
    plan = plan_course(reg, START, 170, 70)
    labs = Prechecks(anc_10e9_l=2, platelets_10e9_l=150, bilirubin_x_uln=0.5, alt_x_uln=1,
                     cpk_x_uln=3.0, crcl_ml_min=90)
    (f,) = check_cycle(reg, plan.cycles[0], cycle_start=START, bsa_m2=plan.bsa_m2,
                       weight_measured_on=START, prechecks=labs)
    assert f.code == "precheck_failed" and "CPK 3" in f.message and "<= 2.5" in f.message


def test_findings_serialise():
    (f,) = check(doses=cyclo_dose(0.5))
    assert f.to_dict()["outstanding"] is True and f.to_dict()["severity"] == "needs_reason"
