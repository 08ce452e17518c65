"""Body surface area, dose arithmetic, Cockcroft-Gault, Calvert, anthracycline equivalents."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rareonco.clinical.dosing import (
    DOXORUBICIN_EQUIVALENCE,
    AnthracyclineExposure,
    Dose,
    anthracycline_exposure,
    bsa_m2,
    carboplatin_dose_mg,
    creatinine_clearance_ml_min,
    dose_mg,
)
from rareonco.errors import InvalidInput


def test_bsa_formulas():
    # Mosteller 1987: sqrt(170 * 60 / 3600) = sqrt(2.8333) = 1.6833
    assert bsa_m2(170, 60) == pytest.approx(math.sqrt(170 * 60 / 3600))
    assert bsa_m2(170, 60, "mosteller") == pytest.approx(1.68325, abs=1e-5)
    assert bsa_m2(170, 60, "dubois") == pytest.approx(0.007184 * 60**0.425 * 170**0.725)
    assert bsa_m2(170, 60, "haycock") == pytest.approx(0.024265 * 60**0.5378 * 170**0.3964)
    # A 180 cm / 80 kg adult is about 2.0 m2 by every formula.
    for formula in ("mosteller", "dubois", "haycock"):
        assert 1.9 < bsa_m2(180, 80, formula) < 2.1


def test_bsa_neonate_is_plausible():
    assert 0.15 < bsa_m2(50, 3.5) < 0.25


@pytest.mark.parametrize(
    ("h", "w", "formula", "field"),
    [
        (-170, 60, "mosteller", "height_cm"),
        (0, 60, "mosteller", "height_cm"),
        (300, 60, "mosteller", "height_cm"),
        (10, 1, "mosteller", "height_cm"),
        (170, -1, "mosteller", "weight_kg"),
        (170, 0.1, "mosteller", "weight_kg"),
        (170, 700, "mosteller", "weight_kg"),
        (250, 2, "mosteller", "weight_kg"),
        (100, 250, "mosteller", "weight_kg"),
        (170, 60, "boyd", "formula"),
        ("tall", 60, "mosteller", "height_cm"),
        (170, float("nan"), "mosteller", "weight_kg"),
    ],
)
def test_bsa_rejects_impossible(h, w, formula, field):
    with pytest.raises(InvalidInput) as err:
        bsa_m2(h, w, formula)
    assert err.value.field == field


def test_dose_per_m2_with_vincristine_cap():
    d = dose_mg(per_m2_mg=1.5, bsa_m2=1.8, cap_mg=2.0)
    assert d == Dose(dose_mg=2.0, uncapped_mg=pytest.approx(2.7), capped=True, modification_pct=100.0)


def test_dose_below_cap_not_capped():
    d = dose_mg(per_m2_mg=1.5, bsa_m2=1.0, cap_mg=2.0)
    assert d.dose_mg == 1.5 and not d.capped


def test_modification_applies_to_capped_dose():
    d = dose_mg(per_m2_mg=1.5, bsa_m2=1.8, cap_mg=2.0, modification_pct=50)
    assert d.dose_mg == 1.0 and d.capped and d.uncapped_mg == pytest.approx(1.35)


def test_escalation_never_exceeds_cap():
    d = dose_mg(per_m2_mg=1.0, bsa_m2=1.8, cap_mg=2.0, modification_pct=125)
    assert d.dose_mg == 2.0 and d.capped


def test_per_kg_and_rounding():
    d = dose_mg(per_kg_mg=5.0, weight_kg=21.3, rounding_mg=10)
    assert d.dose_mg == 110.0 and d.uncapped_mg == pytest.approx(106.5)
    assert dose_mg(per_kg_mg=1.0, weight_kg=20.5, rounding_mg=1).dose_mg == 21.0  # half up
    assert dose_mg(per_m2_mg=75, bsa_m2=1.67, modification_pct=75, rounding_mg=0.5).dose_mg == 94.0


def test_rounding_cannot_exceed_cap():
    assert dose_mg(per_m2_mg=1.0, bsa_m2=1.99, cap_mg=2.0, rounding_mg=0.3).dose_mg == 2.0


def test_zero_rate_gives_zero():
    assert dose_mg(per_m2_mg=0, bsa_m2=1.5).dose_mg == 0.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "per_m2_mg"),
        ({"per_m2_mg": 1, "per_kg_mg": 1, "bsa_m2": 1}, "per_m2_mg"),
        ({"per_m2_mg": 1}, "bsa_m2"),
        ({"per_kg_mg": 1}, "weight_kg"),
        ({"per_m2_mg": -1, "bsa_m2": 1}, "per_m2_mg"),
        ({"per_m2_mg": "x", "bsa_m2": 1}, "per_m2_mg"),
        ({"per_m2_mg": 1, "bsa_m2": 9}, "bsa_m2"),
        ({"per_m2_mg": 1, "bsa_m2": 0}, "bsa_m2"),
        ({"per_kg_mg": 1, "weight_kg": -5}, "weight_kg"),
        ({"per_m2_mg": 1, "bsa_m2": 1, "modification_pct": 0}, "modification_pct"),
        ({"per_m2_mg": 1, "bsa_m2": 1, "modification_pct": 250}, "modification_pct"),
        ({"per_m2_mg": 1, "bsa_m2": 1, "cap_mg": 0}, "cap_mg"),
        ({"per_m2_mg": 1, "bsa_m2": 1, "rounding_mg": -1}, "rounding_mg"),
    ],
)
def test_dose_rejects(kwargs, field):
    with pytest.raises(InvalidInput) as err:
        dose_mg(**kwargs)
    assert err.value.field == field


@settings(max_examples=80, deadline=None)
@given(
    st.floats(0.01, 5000), st.floats(0.1, 3.0), st.floats(0.1, 100), st.floats(1, 200),
    st.one_of(st.none(), st.sampled_from([0.1, 0.5, 1.0, 5.0])),
)
def test_cap_is_never_exceeded(rate, bsa, cap, pct, step):
    d = dose_mg(per_m2_mg=rate, bsa_m2=bsa, cap_mg=cap, modification_pct=pct, rounding_mg=step)
    assert d.dose_mg <= cap


def test_cockcroft_gault():
    # (140 - 60) * 72 / (72 * 1.0) = 80 mL/min for a man; x 0.85 for a woman.
    assert creatinine_clearance_ml_min(60, 72, 1.0, "male") == pytest.approx(80.0)
    assert creatinine_clearance_ml_min(60, 72, 1.0, "female") == pytest.approx(68.0)
    assert creatinine_clearance_ml_min(60, 72, 1.0, "F") == pytest.approx(68.0)
    assert creatinine_clearance_ml_min(18, 72, 1.0, "m") == pytest.approx(122.0)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((12, 40, 0.6, "male"), "age_years"),
        ((130, 40, 0.6, "male"), "age_years"),
        ((-1, 40, 0.6, "male"), "age_years"),
        ((40, 0, 0.6, "male"), "weight_kg"),
        ((40, 70, 0, "male"), "serum_creatinine_mg_dl"),
        ((40, 70, 45, "male"), "serum_creatinine_mg_dl"),
        ((40, 70, 1.0, "x"), "sex"),
        ((40, 70, 1.0, None), "sex"),
    ],
)
def test_cockcroft_gault_rejects(args, field):
    with pytest.raises(InvalidInput) as err:
        creatinine_clearance_ml_min(*args)
    assert err.value.field == field


def test_calvert():
    # Calvert 1989: dose = AUC x (GFR + 25); AUC 5, GFR 100 -> 625 mg.
    assert carboplatin_dose_mg(5, 100) == pytest.approx(625.0)
    assert carboplatin_dose_mg(5, 160, gfr_cap_ml_min=125) == pytest.approx(750.0)
    # The FDA 2010 cap of 125 mL/min is on by default: AUC 6 at GFR 250 is 6 x 150 = 900 mg,
    # not the uncapped 6 x 275 = 1650 mg of issue 17.
    assert carboplatin_dose_mg(6, 250) == pytest.approx(6 * (125 + 25))
    assert carboplatin_dose_mg(6, 250, gfr_cap_ml_min=None) == pytest.approx(6 * (250 + 25))
    assert carboplatin_dose_mg(5, 100, gfr_cap_ml_min=125) == pytest.approx(625.0)


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [((0, 100), {}, "target_auc"), ((12, 100), {}, "target_auc"), ((5, -1), {}, "gfr_ml_min"),
     ((5, 300), {}, "gfr_ml_min"), ((5, 100), {"gfr_cap_ml_min": 0}, "gfr_cap_ml_min")],
)
def test_calvert_rejects(args, kwargs, field):
    with pytest.raises(InvalidInput) as err:
        carboplatin_dose_mg(*args, **kwargs)
    assert err.value.field == field


def test_anthracycline_equivalents():
    assert DOXORUBICIN_EQUIVALENCE["doxorubicin"] == 1.0
    # IGHG / Feijen 2019 Table 3: epirubicin 0.8; idarubicin 5 (COG, not estimable in Feijen).
    res = anthracycline_exposure([("doxorubicin", 300), ("Epirubicin", 100), ("idarubicin", 10)])
    assert res == AnthracyclineExposure(pytest.approx(300 + 0.8 * 100 + 5 * 10), "warning")
    # Brand names and other scripts go through the drug vocabulary.
    assert anthracycline_exposure([("Adriamycin", 100), ("Доксорубицин", 50), ("Caelyx", 20)]
                                  ).doxorubicin_eq_mg_m2 == pytest.approx(170)
    assert anthracycline_exposure([]).status == "ok"
    assert anthracycline_exposure([("doxorubicin", 75)] * 5).status == "ok"  # 375
    assert anthracycline_exposure([("doxorubicin", 100)] * 4).status == "warning"  # 400 exactly
    assert anthracycline_exposure([("doxorubicin", 75)] * 6).status == "warning"  # MAP: 450 = limit
    assert anthracycline_exposure([("doxorubicin", 75)] * 7).status == "limit_exceeded"
    # IGHG: daunorubicin 0.6, mitoxantrone 10.5
    assert anthracycline_exposure([("daunorubicin", 100), ("mitoxantrone", 10)]
                                  ).doxorubicin_eq_mg_m2 == pytest.approx(0.6 * 100 + 10.5 * 10)
    custom = anthracycline_exposure([("daunorubicin", 100)], equivalence={"daunorubicin": 0.6})
    assert custom.doxorubicin_eq_mg_m2 == pytest.approx(60)


@pytest.mark.parametrize(
    ("doses", "kwargs", "field"),
    [
        ([("aspirin", 1)], {}, "doses.0.drug"),
        ([("doxorubicn", 1)], {}, "doses.0.drug"),
        ([("doxorubicin", -1)], {}, "doses.0.mg_m2"),
        ([("doxorubicin",)], {}, "doses.0"),
        ([None], {}, "doses.0"),
        ([], {"warn_mg_m2": 500, "limit_mg_m2": 450}, "warn_mg_m2"),
        ([], {"limit_mg_m2": 0}, "limit_mg_m2"),
    ],
)
def test_anthracycline_rejects(doses, kwargs, field):
    with pytest.raises(InvalidInput) as err:
        anthracycline_exposure(doses, **kwargs)
    assert err.value.field == field
