"""The organ-function tables of the regimen files as the cycle gate applies them (read-only use of
regimens/gate.py): creatinine-clearance bands for ifosfamide, etoposide and cisplatin (Kintzel &
Dorr 1995; etoposide label), bilirubin bands for doxorubicin and vincristine (US labels)."""

from __future__ import annotations

from datetime import date

import pytest

from rareonco.regimens.gate import check_json
from rareonco.regimens.planning import plan_course
from rareonco.regimens.toxicity import _short

LABS = {"anc_10e9_l": 2.0, "platelets_10e9_l": 200, "creatinine_umol_l": 70, "bilirubin_mg_dl": 0.5,
        "lvef_pct": 62}


def check(regimen, cycle, start, labs, doses=None):
    body = {"regimen": regimen, "cycle": cycle, "height_cm": 168, "weight_kg": 55, "age_years": 19,
            "sex": "male", "planned_start": "2026-01-05", "start": start, "labs": {**LABS, **labs}}
    if doses is not None:
        body["doses"] = doses
    return check_json(body)


def organ(result):
    return {(f["drug"], f["severity"], f["params"]["dose_pct"]) for f in result["findings"]
            if f["code"] == "organ_dose_modification"}


def scaled(regimen, cycle, pct_by_drug):
    c = plan_course(regimen, date(2026, 1, 5), 168, 55).cycles[cycle - 1]
    return [{"drug": d.drug, "day": day, "mg": round(d.protocol_mg_per_day * pct_by_drug.get(d.drug, 100) / 100, 2)}
            for d in c.drugs for day in d.days]


@pytest.mark.parametrize(("crcl", "expected"), [
    (70, set()),
    (50, {("ifosfamide", "override", 80), ("etoposide", "override", 75)}),
    (40, {("ifosfamide", "override", 75), ("etoposide", "override", 75)}),
    (25, {("ifosfamide", "override", 70), ("etoposide", "override", 75)}),
])
def test_p6_ie_creatinine_clearance_bands(crcl, expected):
    assert organ(check("P6", 4, "2026-03-09", {"crcl_ml_min": crcl})) == expected


def test_reduced_doses_inside_the_band_pass():
    doses = scaled("P6", 4, {"ifosfamide": 75, "etoposide": 75})
    assert organ(check("P6", 4, "2026-03-09", {"crcl_ml_min": 40}, doses)) == set()


def test_map_cisplatin_below_30_is_a_block():
    assert ("cisplatin", "block", 0) in organ(check("MAP", 1, "2026-01-05", {"crcl_ml_min": 25}))


def test_vdc_vincristine_and_doxorubicin_bilirubin():
    found = organ(check("VDC-IE", 1, "2026-01-05", {"bilirubin_mg_dl": 3.5}))
    assert found == {("vincristine", "override", 50), ("doxorubicin", "override", 25)}


def test_short_citation_cuts_at_the_colon_or_a_word():
    assert _short("Doxorubicin label, section 2: 75 %") == "Doxorubicin label, section 2"
    long = "word " * 40
    assert _short(long).endswith("...") and len(_short(long)) <= 123
