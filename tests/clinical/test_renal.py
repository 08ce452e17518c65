"""Renal function against worked examples computed by hand from the published equations."""

from __future__ import annotations

import pytest

from rareonco.clinical.renal import (
    UMOL_L_PER_MG_DL,
    carboplatin_calvert,
    ckd_epi_2021_ml_min_173m2,
    cockcroft_gault_ml_min,
    creatinine_mg_dl,
    deindexed_gfr_ml_min,
    estimated_gfr,
    schwartz_bedside_ml_min_173m2,
)
from rareonco.errors import InvalidInput


def test_creatinine_units():
    assert creatinine_mg_dl(88.42, "umol_l") == pytest.approx(1.0)
    assert creatinine_mg_dl(70, "umol_l") == pytest.approx(70 / UMOL_L_PER_MG_DL)
    assert creatinine_mg_dl(0.8, "mg_dl") == 0.8
    with pytest.raises(InvalidInput) as err:
        creatinine_mg_dl(70, "mg_dl")  # umol/L typed as mg/dL
    assert err.value.field == "creatinine"
    with pytest.raises(InvalidInput) as err:
        creatinine_mg_dl(1.0, "mmol_l")
    assert err.value.field == "creatinine_unit"


def test_schwartz_bedside_worked_example():
    # Schwartz 2009: eGFR = 0.413 x height / SCr. 140 cm, 0.5 mg/dL: 0.413 x 280 = 115.64.
    assert schwartz_bedside_ml_min_173m2(140, 0.5) == pytest.approx(115.64)
    # 168 cm, 70 umol/L (0.7917 mg/dL): 0.413 x 168 x 88.42 / 70 = 87.64
    assert schwartz_bedside_ml_min_173m2(168, 70 / 88.42) == pytest.approx(87.64, abs=0.01)


def test_ckd_epi_2021_worked_examples():
    # Female 50 y, SCr 1.0 mg/dL: Scr/k = 1/0.7 > 1, so 142 x (1/0.7)^-1.200 x 0.9938^50 x 1.012.
    by_hand = 142 * (1 / 0.7) ** -1.2 * 0.9938**50 * 1.012
    assert by_hand == pytest.approx(68.63, abs=0.01)
    assert ckd_epi_2021_ml_min_173m2(50, "female", 1.0) == pytest.approx(by_hand)
    # Male 60 y, SCr 0.8 mg/dL: Scr/k = 0.889 < 1, so 142 x 0.889^-0.302 x 0.9938^60 = 101.3.
    assert ckd_epi_2021_ml_min_173m2(60, "m", 0.8) == pytest.approx(101.32, abs=0.01)
    # At Scr = k both power terms are 1: 142 x 0.9938^40 for a man of 40 with 0.9 mg/dL.
    assert ckd_epi_2021_ml_min_173m2(40, "male", 0.9) == pytest.approx(142 * 0.9938**40)


def test_estimated_gfr_picks_the_method_by_age():
    child = estimated_gfr(age_years=12, creatinine_mg_dl=0.5, height_cm=140)
    assert (child.method, child.egfr_ml_min_173m2) == ("schwartz_bedside", pytest.approx(115.64))
    adult = estimated_gfr(age_years=50, creatinine_mg_dl=1.0, sex="female")
    assert adult.method == "ckd_epi_2021" and adult.egfr_ml_min_173m2 == pytest.approx(68.63, abs=0.01)
    for kwargs, field in (({"age_years": 0.5, "creatinine_mg_dl": 0.3, "height_cm": 60}, "age_years"),
                          ({"age_years": 12, "creatinine_mg_dl": 0.5}, "height_cm"),
                          ({"age_years": 30, "creatinine_mg_dl": 0.5}, "sex")):
        with pytest.raises(InvalidInput) as err:
            estimated_gfr(**kwargs)
        assert err.value.field == field


def test_cockcroft_gault_kept_for_labels():
    # (140 - 40) x 70 / (72 x 1.0) x 0.85 = 82.64 mL/min
    assert cockcroft_gault_ml_min(40, 70, 1.0, "F") == pytest.approx(100 * 70 / 72 * 0.85)
    with pytest.raises(InvalidInput) as err:
        cockcroft_gault_ml_min(40, 70, 1.0, 1)
    assert err.value.field == "sex"


def test_deindexed_gfr():
    assert deindexed_gfr_ml_min(100, 1.73) == pytest.approx(100)
    assert deindexed_gfr_ml_min(100, 0.865) == pytest.approx(50)


def test_calvert_cap_on_by_default_and_reported():
    capped = carboplatin_calvert(6, 250)
    assert (capped.dose_mg, capped.gfr_used_ml_min, capped.cap_applied) == (900.0, 125.0, True)
    plain = carboplatin_calvert(5, 100)
    assert (plain.dose_mg, plain.cap_applied, plain.cap_ml_min) == (625.0, False, 125.0)
    off = carboplatin_calvert(6, 250, gfr_cap_ml_min=None)
    assert (off.dose_mg, off.cap_applied, off.cap_ml_min) == (1650.0, False, None)
