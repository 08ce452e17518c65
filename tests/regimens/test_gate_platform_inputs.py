"""The gate's inputs that the platform fills from storage (issue 17, platform half): regimen
approval, the signed board decision's regimen, cycles of the patient's other courses, the dosing
weight's age, and the printed-dose rounding under a cycle cap. ``course check`` leaves them out
and keeps its answers."""

from __future__ import annotations

import pytest

from rareonco.errors import InvalidInput
from rareonco.regimens.findings import meaningful_text
from rareonco.regimens.gate import check_json

BASE = {"regimen": "P6", "cycle": 1, "height_cm": 168, "weight_kg": 55, "age_years": 19,
        "sex": "male", "planned_start": "2026-01-05", "start": "2026-01-05",
        "labs": {"anc_10e9_l": 2.0, "platelets_10e9_l": 200, "creatinine_umol_l": 70,
                 "bilirubin_mg_dl": 0.5, "lvef_pct": 62}}


def run(**over):
    return check_json({**BASE, **over})


def codes(result) -> dict[str, str]:
    return {f["code"]: f["severity"] for f in result["findings"]}


def test_approval_decides_over_the_file_status():
    assert codes(run()) == {"regimen_draft": "warn"}  # course check: the file's status
    assert codes(run(regimen_approved=False)) == {"regimen_unapproved": "override"}
    assert codes(run(regimen_approved=True)) == {}


def test_a_regimen_other_than_the_board_decision_needs_an_override():
    res = run(regimen_approved=True, board_regimens=["MAP"])
    assert codes(res) == {"board_decision_differs": "override"} and not res["may_proceed"]
    finding = res["findings"][0]
    assert "MAP" in finding["message"] and "консилиума" in finding["message_ru"]
    # matched by id or name, whatever the case
    assert codes(run(regimen_approved=True, board_regimens=["p6"])) == {}
    assert codes(run(regimen_approved=True, board_regimens=None)) == {}


def test_a_cycle_of_another_course_within_the_cycle_length_needs_an_override():
    res = run(regimen_approved=True, other_cycle_starts=["2026-01-05"])  # same day
    assert codes(res) == {"cycle_overlap": "override"}
    assert res["findings"][0]["params"]["days"] == 0
    assert codes(run(regimen_approved=True, other_cycle_starts=["2025-12-16"])) == {
        "cycle_overlap": "override"}  # 20 days before a 21-day cycle
    assert codes(run(regimen_approved=True, other_cycle_starts=["2025-12-15"])) == {}


def test_weight_age():
    assert codes(run(regimen_approved=True, weight_measured_on="2025-12-22")) == {}  # 14 days
    res = run(regimen_approved=True, weight_measured_on="2025-12-21")
    assert codes(res) == {"weight_stale": "warn"} and "15 days" in res["findings"][0]["message"]
    assert codes(run(regimen_approved=True, weight_measured_on="none")) == {
        "weight_missing": "warn"}
    with pytest.raises(InvalidInput) as err:
        run(weight_measured_on="2026-01-06")
    assert err.value.field == "weight_measured_on"


def test_printed_doses_may_round_over_a_cycle_cap_by_their_rounding_only():
    printed = [{"drug": "vincristine", "day": d, "mg": 0.67} for d in (1, 2, 3)]  # 2.01 mg
    planned = [{"drug": "cyclophosphamide", "day": d, "mg": 3364.37} for d in (1, 2)] + [
        {"drug": "doxorubicin", "day": d, "mg": 40.05} for d in (1, 2, 3)]
    assert codes(run(regimen_approved=True, doses=planned + printed)) == {}
    over = [{"drug": "vincristine", "day": d, "mg": 0.68} for d in (1, 2, 3)]  # 2.04 mg
    assert codes(run(regimen_approved=True, doses=planned + over)) == {"cap_exceeded": "override"}


def test_a_reason_is_at_least_ten_letters_or_digits():
    assert meaningful_text("  Patient admitted with sepsis ", "reason") == (
        "Patient admitted with sepsis")
    for bad in ("x", "..........", "   ", None):
        with pytest.raises(InvalidInput) as err:
            meaningful_text(bad, "reason")
        assert err.value.field == "reason"
