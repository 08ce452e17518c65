"""Invariants of planning over plausible body sizes (hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rareonco.regimens import all_regimens, plan_course

REGIMENS = [r.id for r in all_regimens()]


@settings(max_examples=60, deadline=None)
@given(
    regimen=st.sampled_from(REGIMENS),
    height_cm=st.floats(100, 210),
    bmi=st.floats(14, 40),
)
def test_doses_follow_body_size_and_never_exceed_caps(regimen, height_cm, bmi):
    weight_kg = bmi * (height_cm / 100) ** 2
    plan = plan_course(regimen, date(2026, 1, 5), height_cm, weight_kg)
    for cycle in plan.cycles:
        for d in cycle.drugs:
            full = (d.dose_per_m2_mg * plan.bsa_m2 if d.dose_per_m2_mg is not None
                    else d.dose_per_kg_mg * weight_kg)
            assert d.uncapped_mg_per_day == pytest.approx(full)
            if d.cap_mg is None:
                assert not d.capped and d.mg_per_day == pytest.approx(full)
            else:
                course_cap = d.cap_mg if d.cap_per == "course" else d.cap_mg * len(d.days)
                assert d.total_mg <= course_cap + 1e-9
                assert d.capped == (full > d.mg_per_day + 1e-9)
            assert d.total_mg == pytest.approx(d.mg_per_day * len(d.days))
