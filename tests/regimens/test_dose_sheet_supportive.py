"""The dose sheet prints the supportive orders of each cycle with their sources (no database:
the course view is built from a plan as records/courses does)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace as NS

from rareonco.regimens.planning import plan_course
from rareonco.reports.dose_sheet import render_html, supportive_view

PATIENT = {"family_name_latin": "Ivanov", "given_names_latin": "Ivan", "family_name": "Иванов",
           "given_names": "Иван", "mrn": "1", "birth_date": "2007-01-01", "sex": "male"}


def course_view(regimen: str, age_years: float | None = None, height=168, weight=55.0):
    plan = plan_course(regimen, date(2026, 1, 5), height, weight, age_years=age_years)
    cycles = [NS(number=c["number"], block=c["block"], phase=c["phase"], planned_start=c["start"],
                 planned_end=c["end"], given=None, supportive=c["supportive"],
                 drugs=[NS(**d) for d in c["drugs"]]) for c in plan.to_dict()["cycles"]]
    return NS(id=1, regimen=plan.regimen, regimen_name=plan.regimen_name,
              regimen_version=plan.regimen_version, regimen_status="draft", start=plan.start,
              height_cm=height, weight_kg=weight, bsa_m2=plan.bsa_m2, bsa_formula="mosteller",
              cycles=cycles)


def test_orders_with_dates_and_numbered_sources():
    view, sources = supportive_view(course_view("P6"), PATIENT)
    rows = view[4]["rows"]  # IE course: mesna 3 x 20 % each day
    mesna = [r for r in rows if r["order"].drug == "mesna"]
    assert len(mesna) == 15 and mesna[0]["date"] == "2026-03-09"
    assert sources[mesna[0]["source_no"] - 1].startswith("Mesna (Mesnex)")
    html = render_html(course_view("P6"), PATIENT, date(2026, 1, 2), "tester")
    assert "Supportive order" in html and "aprepitant" in html and "filgrastim" in html
    assert "Sources of the supportive orders" in html and "MASCC/ESMO 2016" in html


def test_a_child_gets_no_computed_antiemetic_dose_and_the_per_kg_rule_is_printed():
    child = {**PATIENT, "birth_date": "2017-01-01"}
    course = course_view("P6", age_years=9, height=130, weight=25.0)
    view, _ = supportive_view(course, child)
    anti = [r["order"] for r in view[1]["rows"] if r["order"].kind == "antiemetic"]
    assert anti and all(o.dose_mg is None for o in anti)
    html = render_html(course, child, date(2026, 1, 2), "tester")
    assert "per kg: 70 mg/kg/day under 10 years" in html


def test_birth_year_only_counts_as_the_younger_age():
    view, _ = supportive_view(course_view("P6"), {"birth_year": 2008})
    anti = [r["order"] for r in view[1]["rows"] if r["order"].kind == "antiemetic"]
    assert all(o.dose_mg is None for o in anti)  # 2026 - 2008 - 1 = 17: paediatric


def test_unknown_regimen_says_why_no_orders():
    course = course_view("P6")
    course.regimen = "RETIRED"
    view, sources = supportive_view(course, PATIENT)
    assert sources == [] and "unknown regimen" in view[1]["error"]
    assert "Supportive orders not computed" in render_html(course, PATIENT, date(2026, 1, 2), "t")
