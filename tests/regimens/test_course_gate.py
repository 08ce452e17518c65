"""The issue-17 cycle gate (block / override / warn) and `rareonco course check`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from rareonco.cli import app
from rareonco.errors import InvalidInput
from rareonco.regimens.findings import parse_override
from rareonco.regimens.gate import check_json

BASE = {"regimen": "P6", "cycle": 1, "height_cm": 168, "weight_kg": 55, "age_years": 19,
        "sex": "male", "planned_start": "2026-01-05", "start": "2026-01-05",
        "labs": {"anc_10e9_l": 2.0, "platelets_10e9_l": 200, "creatinine_umol_l": 70,
                 "bilirubin_mg_dl": 0.5, "lvef_pct": 62}}


def run(**over):
    return check_json({**BASE, **over})


def sev(result, code):
    return [f["severity"] for f in result["findings"] if f["code"] == code]


def test_planned_doses_with_labs_only_warn_that_the_regimen_is_a_draft():
    res = run()
    assert res["may_proceed"] and [f["code"] for f in res["findings"]] == ["regimen_draft"]
    assert res["cumulative_doxorubicin_equivalent_mg_m2"] == 75.0


def test_vincristine_cap_has_no_tolerance():
    # 2.2 mg against the 2 mg course cap (spread 0.67 mg/day): the cap is exceeded -> override
    doses = [{"drug": "Oncovin", "day": d, "mg": 2.2 / 3} for d in (1, 2, 3)]
    res = run(doses=doses)
    assert sev(res, "cap_exceeded") == ["override"] and not res["may_proceed"]
    # 2 mg on day 1 + 0.67 x 2 = 3.34 mg > 1.5 x 2 mg: block
    doses = [{"drug": "vincristine", "day": 1, "mg": 2.0}] + [
        {"drug": "vincristine", "day": d, "mg": 0.67} for d in (2, 3)]
    assert sev(run(doses=doses), "cap_exceeded") == ["block"]


def test_methotrexate_22_g_is_caught():
    res = check_json({**BASE, "regimen": "MAP",
                      "doses": [{"drug": "methotrexate", "day": 22, "mg": 22000}]})
    # 12 g/m2 x 1.6021 m2 = 19.2 g: +14.5 % (override) and above the 20 g cap (override)
    assert sev(res, "dose_deviation") == ["override"] and sev(res, "cap_exceeded") == ["override"]
    assert res["egfr_method"] == "ckd_epi_2021" and not res["may_proceed"]


def test_missing_required_lab_blocks_and_failed_start_criterion_needs_override():
    res = run(labs={"platelets_10e9_l": 200, "bilirubin_mg_dl": 0.5, "lvef_pct": 62})
    assert sev(res, "precheck_missing") == ["block"]
    # Kushner 1996: ANC >= 0.5 x 10^9/L; 0.4 fails -> override
    res = run(labs={**BASE["labs"], "anc_10e9_l": 0.4})
    (f,) = [f for f in res["findings"] if f["code"] == "precheck_failed"]
    assert f["severity"] == "override" and "ANC 0.4" in f["message"] and "АЧН" in f["message_ru"]
    assert run(labs={**BASE["labs"], "anc_10e9_l": 0.6})["may_proceed"]


def test_map_renal_gate_uses_egfr_in_the_sources_unit():
    # 19-year-old man, creatinine 200 umol/L: CKD-EPI 2021 well below 70 mL/min/1.73 m2
    res = check_json({**BASE, "regimen": "MAP", "labs": {**BASE["labs"], "creatinine_umol_l": 200}})
    (f,) = [f for f in res["findings"] if f["code"] == "precheck_failed"]
    assert "GFR" in f["message"] and "mL/min/1.73 m2" in f["message"]


def test_cycle_before_its_earliest_day_needs_override():
    res = run(cycle=2, start="2026-01-15", previous_cycle_start="2026-01-05")
    (f,) = [f for f in res["findings"] if f["code"] == "before_earliest_day"]
    assert f["severity"] == "override" and f["params"]["earliest_day"] == 22


def test_prior_anthracyclines_by_any_name_and_rounding():
    res = run(prior_anthracyclines=[{"drug": "Adriamycin", "mg_m2": 160}])
    assert sev(res, "anthracycline_warning") == []  # 235 < 240 = 80 % of 300
    res = run(prior_anthracyclines=[{"drug": "Adriamycin", "mg_m2": 165}])
    assert sev(res, "anthracycline_warning") == ["warn"]  # 240 = 80 % of 300
    res = run(prior_anthracyclines=[{"drug": "liposomal doxorubicin", "mg_m2": 300}])
    assert sev(res, "anthracycline_limit") == ["override"]
    assert res["cumulative_doxorubicin_equivalent_mg_m2"] == 375.0


def test_organ_function_table():
    res = run(labs={**BASE["labs"], "bilirubin_mg_dl": 2.0})  # doxorubicin label: 50 %
    assert {f["drug"] for f in res["findings"] if f["code"] == "organ_dose_modification"} == {"doxorubicin"}
    res = run(labs={**BASE["labs"], "bilirubin_mg_dl": 6.0})
    assert "block" in sev(res, "organ_dose_modification")


def test_override_reasons():
    assert parse_override("rounding_to_vial", "rounded to the 1 g vial size").code == "rounding_to_vial"
    for code, text, field in (("rounding_to_vial", "x", "override.text"),
                              ("because", "long enough reason here", "override.code"),
                              ("protocol_amendment", ". . . . . . . . . . . .", "override.text")):
        with pytest.raises(InvalidInput) as err:
            parse_override(code, text)
        assert err.value.field == field


@pytest.mark.parametrize(("over", "field"), [
    ({"regimen": "XYZ"}, "regimen"), ({"height_cm": 17}, "height_cm"),
    ({"doses": [{"drug": "vincristine", "mg": 1}]}, "doses.0.day"),
    ({"doses": [{"drug": "vincristin3", "day": 1, "mg": 1}]}, "doses.0.drug"),
    ({"labs": {"taken_on": "2026-02-01"}}, "labs.taken_on"),
    ({"labs": {"creatinine_mmol_l": 1}}, "labs.creatinine_mmol_l"),
    ({"prior_anthracyclines": [{"drug": "Adriamicyn", "mg_m2": 1}]}, "prior_anthracyclines.0.drug"),
    ({"overrides": [{"finding": "cap_exceeded", "drug": "vincristine", "reason_code": "protocol_amendment",
                     "text": "x"}]}, "overrides.0.text"),
])
def test_cli_bad_input_exits_2_naming_the_field(over, field):
    out = CliRunner().invoke(app, ["course", "check"], input=json.dumps({**BASE, **over}))
    assert out.exit_code == 2, out.output
    assert json.loads(out.stdout.splitlines()[0])["field"] == field


def test_cli_issue_example():
    body = {**BASE, "doses": [{"drug": "vincristine", "day": 1, "mg": 2.2}],
            "labs": {"anc_10e9_l": 0.6, "platelets_10e9_l": 120, "creatinine_umol_l": 70,
                     "bilirubin_x_uln": 0.8, "lvef_pct": 62},
            "prior_anthracyclines": [{"drug": "Adriamycin", "mg_m2": 300}]}
    out = CliRunner().invoke(app, ["course", "check"], input=json.dumps(body))
    assert out.exit_code == 0, out.output
    res = json.loads(out.stdout)
    assert res["may_proceed"] is False and "cap_exceeded" in {f["code"] for f in res["findings"]}
    assert res["cumulative_doxorubicin_equivalent_mg_m2"] == 300.0
