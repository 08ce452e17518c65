"""P6 as its paper gives it: the previously-treated IE doses (Kushner 1996) and cyclophosphamide
per kg under 10 years (Kushner 1995, as in the clinical reference); defaults keep the plan."""

from __future__ import annotations

import math
from datetime import date

import pytest

from rareonco.errors import InvalidInput
from rareonco.regimens.planning import plan_course

START = date(2026, 1, 5)


def test_nine_year_old_25_kg_gets_cyclophosphamide_70_mg_per_kg_per_day():
    plan = plan_course("P6", START, 130, 25, age_years=9)
    cyclo = plan.cycles[0].drug("cyclophosphamide")
    assert cyclo.dose_per_kg_mg == 70 and cyclo.dose_per_m2_mg is None
    assert cyclo.mg_per_day == 1750 and cyclo.total_mg == 3500  # 140 mg/kg per course
    assert "Kushner" in cyclo.dosing_rule and cyclo.to_dict()["dosing_rule"] == cyclo.dosing_rule
    # per m2 it would have been 2100 x 0.950 m2 = 1995 mg/day
    assert math.isclose(plan_course("P6", START, 130, 25).cycles[0].drug("cyclophosphamide").mg_per_day,
                        2100 * math.sqrt(130 * 25 / 3600), rel_tol=1e-9)
    # doxorubicin and vincristine stay per m2
    assert plan.cycles[0].drug("doxorubicin").dose_per_m2_mg == 25


@pytest.mark.parametrize("age", [10, 10.5, 19])
def test_ten_and_older_stay_per_m2(age):
    cyclo = plan_course("P6", START, 140, 32, age_years=age).cycles[0].drug("cyclophosphamide")
    assert cyclo.dose_per_m2_mg == 2100 and cyclo.dosing_rule is None


def test_previously_treated_ie_is_12_g_and_1000_mg_per_m2():
    plan = plan_course("P6", START, 168, 55, variant="previously-treated")
    bsa = math.sqrt(168 * 55 / 3600)
    for number in (4, 5, 7):
        c = plan.cycles[number - 1]
        assert math.isclose(c.drug("ifosfamide").total_mg, 12000 * bsa, rel_tol=1e-9)
        assert math.isclose(c.drug("etoposide").total_mg, 1000 * bsa, rel_tol=1e-9)
    # HD-CAV courses are unchanged by the variant
    default = plan_course("P6", START, 168, 55)
    assert plan.cycles[0] == default.cycles[0] and plan.cycles[5] == default.cycles[5]
    assert plan.to_dict()["variant"] == "previously-treated"


def test_defaults_keep_the_168_cm_55_kg_json_unchanged():
    default = plan_course("P6", START, 168, 55).to_dict()
    adult = plan_course("P6", START, 168, 55, age_years=19).to_dict()
    assert "variant" not in default and "age_years" not in default
    assert {k: v for k, v in adult.items() if k != "age_years"} == default
    assert default["cycles"][3]["drugs"][0]["total_mg"] == round(9000 * math.sqrt(168 * 55 / 3600), 2)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"variant": "relapsed"}, "variant"),
    ({"age_years": -1}, "age_years"),
    ({"age_years": "nine"}, "age_years"),
])
def test_bad_variant_or_age(kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        plan_course("P6", START, 168, 55, **kwargs)
    assert exc.value.field == field


def test_map_has_no_variant():
    with pytest.raises(InvalidInput, match="known: none"):
        plan_course("MAP", START, 168, 55, variant="previously-treated")
