"""Late-effect surveillance: IGHG 2015 cardiomyopathy risk groups and the exposure-driven plan."""

from __future__ import annotations

import datetime as dt

import pytest

from rareonco.clinical.late_effects import cardiomyopathy_risk, late_effect_plan
from rareonco.errors import InvalidInput

D = dt.date


@pytest.mark.parametrize(("dox", "rt", "level"), [
    (450, 0, "high"),      # MAP: 6 x 75 mg/m2 doxorubicin
    (250, 0, "high"),      # the IGHG's high-dose threshold, inclusive
    (0, 35, "high"),
    (100, 15, "high"),     # combined moderate anthracycline + moderate chest radiation
    (249, 0, "moderate"),
    (100, 14, "moderate"),
    (99, 0, "low"),
    (0, 15, "low"),
    (0, 14, "none"),
    (0, 0, "none"),
])
def test_ighg_risk_groups(dox: float, rt: float, level: str) -> None:
    assert cardiomyopathy_risk(dox, rt).level == level


def test_risk_input_is_checked() -> None:
    with pytest.raises(InvalidInput) as exc:
        cardiomyopathy_risk(-1)
    assert exc.value.field == "doxorubicin_equivalent_mg_m2"
    with pytest.raises(InvalidInput) as exc:
        cardiomyopathy_risk(100, 120)
    assert exc.value.field == "chest_radiation_gy"


def test_map_osteosarcoma_plan() -> None:
    # osteosarcoma diagnosed 2024-01-10, MAP ended 2024-11-01: doxorubicin 450 mg/m2 (high risk),
    # cisplatin (audiology); no ifosfamide.
    plan = late_effect_plan(diagnosis=D(2024, 1, 10), end_of_treatment=D(2024, 11, 1),
                            doxorubicin_equivalent_mg_m2=450, platinum=True, years=10)
    echo = [s.due for s in plan if s.test == "echocardiography"]
    assert echo == [D(2026, 11, 1), D(2028, 11, 1), D(2030, 11, 1), D(2032, 11, 1), D(2034, 11, 1)]
    assert [s.due for s in plan if s.test == "audiology"] == [D(2026, 11, 1)]
    assert not any(s.exposure == "ifosfamide" for s in plan)
    assert plan == tuple(sorted(plan, key=lambda s: (s.due, s.test)))


def test_moderate_risk_joins_the_five_years_after_diagnosis() -> None:
    plan = late_effect_plan(diagnosis=D(2024, 1, 10), end_of_treatment=D(2024, 11, 1),
                            doxorubicin_equivalent_mg_m2=150, years=12)
    echo = [s.due for s in plan if s.test == "echocardiography"]
    # 2 years after the end, then 5 years after diagnosis, then every 5 years
    assert echo == [D(2026, 11, 1), D(2029, 1, 10), D(2034, 1, 10)]


def test_ifosfamide_plan_and_no_anthracycline() -> None:
    plan = late_effect_plan(diagnosis=D(2024, 1, 10), end_of_treatment=D(2025, 3, 1),
                            ifosfamide=True, years=3)
    tests = [(s.test, s.due) for s in plan]
    assert ("creatinine, electrolytes, urinalysis", D(2027, 3, 1)) in tests
    assert [d for t, d in tests if t == "blood pressure"] == [D(2026, 3, 1), D(2027, 3, 1), D(2028, 3, 1)]
    assert not any(t == "echocardiography" for t, _ in tests)


def test_a_horizon_shorter_than_the_entry_into_follow_up() -> None:
    plan = late_effect_plan(diagnosis=D(2024, 1, 10), end_of_treatment=D(2024, 11, 1),
                            doxorubicin_equivalent_mg_m2=450, ifosfamide=True, platinum=True, years=1)
    assert [s.test for s in plan] == ["blood pressure"]


def test_bad_dates_and_years() -> None:
    with pytest.raises(InvalidInput) as exc:
        late_effect_plan(diagnosis=D(2024, 1, 10), end_of_treatment=D(2023, 1, 1))
    assert exc.value.field == "end_of_treatment"
    with pytest.raises(InvalidInput) as exc:
        late_effect_plan(diagnosis=D(2024, 1, 10), end_of_treatment=D(2024, 5, 1), years=0)
    assert exc.value.field == "years"
