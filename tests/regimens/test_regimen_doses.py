"""Each bundled regimen against the doses of its publication (see the regimen file's source)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from rareonco.errors import InvalidInput
from rareonco.regimens import all_regimens, get_regimen, plan_course

START = date(2026, 1, 5)  # a Monday


def per_cycle_m2(regimen_id: str, cycle: int) -> dict[str, float]:
    """Per-m2 (or per-kg) dose of each drug summed over the cycle's days, from the file."""
    spec = get_regimen(regimen_id).cycles[cycle - 1]
    return {d.drug: (d.dose_per_m2_mg or d.dose_per_kg_mg) * len(d.days) for d in spec.drugs}


def test_library_has_the_eight_regimens_with_sources():
    ids = {r.id for r in all_regimens()}
    assert ids == {"MAP", "P6", "VDC-IE", "AI", "GEM-DOC", "HD-IFO", "TRABECTEDIN", "VAC-VI"}
    for r in all_regimens():
        assert r.source and r.version and r.indication


@pytest.mark.parametrize("given", ["p6", "P6", " p6 ", "vdc-ie", "Trabectedin"])
def test_lookup_is_case_insensitive(given):
    assert get_regimen(given).id == given.strip().upper()


def test_unknown_regimen_names_the_known_ones():
    with pytest.raises(InvalidInput) as exc:
        get_regimen("XYZ")
    assert exc.value.field == "regimen"
    assert "unknown regimen 'XYZ'" in exc.value.reason and "P6" in exc.value.reason


# --- P6: Kushner JCO 1996 ---------------------------------------------------------------------

def test_p6_courses_and_doses():
    reg = get_regimen("P6")
    blocks = [c.block for c in reg.cycles]
    assert blocks == ["HD-CAV", "HD-CAV", "HD-CAV", "IE", "IE", "HD-CAV", "IE"]
    cav = per_cycle_m2("P6", 1)
    assert cav["cyclophosphamide"] == pytest.approx(4200)
    assert cav["doxorubicin"] == pytest.approx(75)
    assert cav["vincristine"] == pytest.approx(2.01)  # 0.67 x 3 as published (2 mg/m2)
    ie = per_cycle_m2("P6", 4)
    assert ie == pytest.approx({"ifosfamide": 9000, "etoposide": 500})
    assert set(reg.drug_names()) == {
        "cyclophosphamide", "doxorubicin", "vincristine", "ifosfamide", "etoposide"
    }
    assert reg.anthracycline_limit.limit_mg_m2 == 300


def test_p6_dose_sheet_168_cm_55_kg():
    plan = plan_course("P6", START, 168, 55)
    bsa = math.sqrt(168 * 55 / 3600)
    assert plan.bsa_m2 == pytest.approx(bsa)
    assert round(plan.bsa_m2, 4) == 1.6021
    c1 = plan.cycles[0]
    cyclo = c1.drug("cyclophosphamide")
    assert cyclo.days == (1, 2)
    assert cyclo.mg_per_day == pytest.approx(2100 * bsa)  # 3364.4 mg/day
    assert round(cyclo.mg_per_day) == 3364
    assert cyclo.total_mg == pytest.approx(4200 * bsa)
    assert not cyclo.capped
    doxo = c1.drug("doxorubicin")
    assert doxo.mg_per_day == pytest.approx(25 * bsa) and doxo.days == (1, 2, 3)
    vcr = c1.drug("vincristine")
    # 0.67 mg/m2/day x 1.6021 = 1.07 mg/day, 3.2 mg per course: capped at 2 mg per course.
    assert vcr.capped and vcr.cap_mg == 2 and vcr.cap_per == "course"
    assert vcr.uncapped_mg_per_day == pytest.approx(0.67 * bsa)
    assert vcr.total_mg == pytest.approx(2.0)
    ifo = plan.cycles[3].drug("ifosfamide")
    assert ifo.mg_per_day == pytest.approx(1800 * bsa) and ifo.days == (1, 2, 3, 4, 5)
    assert plan.cycles[3].drug("etoposide").total_mg == pytest.approx(500 * bsa)


def test_p6_small_patient_vincristine_not_capped():
    # BSA 0.8 m2: 0.67 x 0.8 x 3 = 1.61 mg < 2 mg per course.
    plan = plan_course("P6", START, 120, 19.2)
    assert not plan.cycles[0].drug("vincristine").capped


def test_p6_calendar_seven_courses_21_days_apart():
    plan = plan_course("P6", START, 168, 55)
    assert [c.start for c in plan.cycles] == [START + timedelta(days=21 * i) for i in range(7)]
    assert plan.cycles[0].end == START + timedelta(days=20)


# --- MAP: EURAMOS-1 ---------------------------------------------------------------------------

def test_map_doses():
    ap = per_cycle_m2("MAP", 1)
    assert ap == pytest.approx({"cisplatin": 120, "doxorubicin": 75, "methotrexate": 24000})
    assert per_cycle_m2("MAP", 5) == pytest.approx({"doxorubicin": 75, "methotrexate": 24000})
    reg = get_regimen("MAP")
    total_cis = sum(per_cycle_m2("MAP", c.number).get("cisplatin", 0) for c in reg.cycles)
    assert total_cis == 480
    assert reg.planned_anthracycline_mg_m2() == 450 == reg.anthracycline_limit.limit_mg_m2


def test_map_calendar_in_weeks():
    plan = plan_course("MAP", START, 170, 60)

    def week(d: date) -> int:
        return (d - START).days // 7 + 1

    ap_weeks = [week(c.drug("cisplatin").dates[0]) for c in plan.cycles if "cisplatin" in
                {d.drug for d in c.drugs}]
    a_weeks = [week(c.drug("doxorubicin").dates[0]) for c in plan.cycles]
    m_weeks = [week(x) for c in plan.cycles for x in c.drug("methotrexate").dates]
    assert ap_weeks == [1, 6, 12, 17]
    assert a_weeks == [1, 6, 12, 17, 22, 26]
    assert m_weeks == [4, 5, 9, 10, 15, 16, 20, 21, 24, 25, 28, 29]
    assert [c.phase for c in plan.cycles] == ["preoperative"] * 2 + ["postoperative"] * 4
    assert week(plan.cycles[-1].end) == 29
    # Doxorubicin on days 1 and 2 of its week.
    assert plan.cycles[0].drug("doxorubicin").dates == (START, START + timedelta(days=1))


def test_map_methotrexate_capped_at_20_g():
    big = plan_course("MAP", START, 185, 90)  # BSA 2.15 m2 -> 25.8 g uncapped
    mtx = big.cycles[0].drug("methotrexate")
    assert mtx.capped and mtx.mg_per_day == 20000
    assert mtx.uncapped_mg_per_day == pytest.approx(12000 * big.bsa_m2)
    small = plan_course("MAP", START, 160, 50)  # 1.49 m2 -> 17.9 g
    assert not small.cycles[0].drug("methotrexate").capped


def test_map_prechecks_cover_renal_and_cardiac():
    tests = {(p.test, d) for p in get_regimen("MAP").prechecks for d in p.drugs}
    assert ("gfr_ml_min_173m2", "cisplatin") in tests and ("gfr_ml_min_173m2", "methotrexate") in tests
    gate = next(p for p in get_regimen("MAP").prechecks if p.test == "gfr_ml_min_173m2")
    assert gate.min == 70 and "1.73 m2" in gate.source
    assert ("lvef_pct", "doxorubicin") in tests
    assert any(s.drug == "leucovorin" for s in get_regimen("MAP").supportive)


# --- VDC/IE: Womer JCO 2012 -------------------------------------------------------------------

def test_vdc_ie_doses_and_two_weekly_calendar():
    reg = get_regimen("VDC-IE")
    assert len(reg.cycles) == 14 and reg.cycle_length_days == 14
    vdc = per_cycle_m2("VDC-IE", 1)
    assert vdc == pytest.approx({"vincristine": 2, "doxorubicin": 75, "cyclophosphamide": 1200})
    assert per_cycle_m2("VDC-IE", 2) == pytest.approx({"ifosfamide": 9000, "etoposide": 500})
    assert reg.planned_anthracycline_mg_m2() == 375
    assert "dactinomycin" in per_cycle_m2("VDC-IE", 11)
    plan = plan_course("VDC-IE", START, 175, 70)
    starts = [c.start for c in plan.cycles][:3]
    assert starts == [START, START + timedelta(14), START + timedelta(28)]
    vcr = plan.cycles[0].drug("vincristine")
    assert vcr.capped and vcr.mg_per_day == 2.0  # 2 mg/m2 x 1.84 m2, max 2 mg


# --- AI: EORTC 62012, Judson Lancet Oncol 2014 ------------------------------------------------

def test_ai_doses():
    reg = get_regimen("AI")
    assert len(reg.cycles) == 6 and reg.cycle_length_days == 21
    assert per_cycle_m2("AI", 1) == pytest.approx({"doxorubicin": 75, "ifosfamide": 10000})
    doxo = reg.cycles[0].drugs[0]
    assert doxo.days == (1, 2, 3) and doxo.dose_per_m2_mg == 25
    assert reg.anthracycline_limit.limit_mg_m2 == 450


# --- Gemcitabine + docetaxel: Maki JCO 2007 ---------------------------------------------------

def test_gem_doc_doses():
    spec = {d.drug: d for d in get_regimen("GEM-DOC").cycles[0].drugs}
    assert spec["gemcitabine"].dose_per_m2_mg == 900 and spec["gemcitabine"].days == (1, 8)
    assert spec["docetaxel"].dose_per_m2_mg == 100 and spec["docetaxel"].days == (8,)
    plan = plan_course("GEM-DOC", START, 170, 70)
    assert plan.cycles[0].drug("docetaxel").dates == (START + timedelta(days=7),)


def test_open_ended_regimen_plans_more_cycles_on_request():
    plan = plan_course("GEM-DOC", START, 170, 70, n_cycles=8)
    assert len(plan.cycles) == 8 and plan.cycles[7].start == START + timedelta(days=21 * 7)
    assert len(plan_course("GEM-DOC", START, 170, 70, n_cycles=2).cycles) == 2
    with pytest.raises(InvalidInput) as exc:
        plan_course("P6", START, 170, 70, n_cycles=8)
    assert exc.value.field == "n_cycles"


# --- High-dose ifosfamide, trabectedin ------------------------------------------------------

def test_hd_ifosfamide_14_g_per_cycle():
    assert per_cycle_m2("HD-IFO", 1) == pytest.approx({"ifosfamide": 14000})


def test_trabectedin_dose():
    reg = get_regimen("TRABECTEDIN")
    d = reg.cycles[0].drugs[0]
    assert (d.dose_per_m2_mg, d.days, reg.cycle_length_days) == (1.5, (1,), 21)
    assert "24 h" in d.infusion
    plan = plan_course(reg, START, 170, 70)
    assert plan.cycles[0].drug("trabectedin").mg_per_day == pytest.approx(1.5 * plan.bsa_m2)


# --- VAC/VI: COG ARST0531, Hawkins JCO 2018 ---------------------------------------------------

def test_vac_vi_doses_and_weeks():
    reg = get_regimen("VAC-VI")
    vac = {d.drug: d for d in reg.cycles[0].drugs}
    assert vac["vincristine"].dose_per_m2_mg == 1.5 and vac["vincristine"].cap_mg == 2
    assert vac["dactinomycin"].dose_per_kg_mg == 0.045 and vac["dactinomycin"].cap_mg == 2.5
    assert vac["cyclophosphamide"].dose_per_m2_mg == 1200
    vi = {d.drug: d for d in reg.cycles[1].drugs}
    assert vi["irinotecan"].dose_per_m2_mg == 50 and vi["irinotecan"].days == (1, 2, 3, 4, 5)
    total_cyclo = sum(per_cycle_m2("VAC-VI", c.number).get("cyclophosphamide", 0)
                      for c in reg.cycles)
    assert total_cyclo == 8400  # 8.4 g/m2 (Hawkins 2018)

    plan = plan_course(reg, START, 150, 40)

    def weeks(ds):
        return [(d - START).days // 7 + 1 for d in ds]
    cyclo_weeks = [w for c in plan.cycles if "cyclophosphamide" in {d.drug for d in c.drugs}
                   for w in weeks(c.drug("cyclophosphamide").dates)]
    assert cyclo_weeks == [1, 7, 13, 22, 28, 34, 40]
    vcr_weeks = [w for c in plan.cycles for w in weeks(c.drug("vincristine").dates)]
    assert vcr_weeks == [*range(1, 14), 16, 17, 19, 20, *range(22, 27), 28,
                         *range(31, 35), 37, 38, 40]


def test_dactinomycin_per_kg_and_capped():
    child = plan_course("VAC-VI", START, 120, 25).cycles[0].drug("dactinomycin")
    assert child.mg_per_day == pytest.approx(0.045 * 25) and not child.capped
    adult = plan_course("VAC-VI", START, 180, 80).cycles[0].drug("dactinomycin")
    assert adult.capped and adult.mg_per_day == 2.5


# --- planning inputs --------------------------------------------------------------------------

def test_dose_modifications_per_drug_and_per_cycle():
    plan = plan_course("P6", START, 168, 55, dose_modifications={
        "doxorubicin": 75, (2, "doxorubicin"): 50,
    })
    full = plan_course("P6", START, 168, 55)
    d1 = plan.cycles[0].drug("doxorubicin")
    assert d1.mg_per_day == pytest.approx(full.cycles[0].drug("doxorubicin").mg_per_day * 0.75)
    assert d1.protocol_mg_per_day == pytest.approx(full.cycles[0].drug("doxorubicin").mg_per_day)
    assert plan.cycles[1].drug("doxorubicin").modification_pct == 50
    with pytest.raises(InvalidInput):
        plan_course("P6", START, 168, 55, dose_modifications={"cisplatin": 80})


@pytest.mark.parametrize(("height", "weight", "field"), [
    (0, 55, "height_cm"), (168, -1, "weight_kg"), (400, 55, "height_cm"), (250, 2, "weight_kg"),
])
def test_impossible_body_size(height, weight, field):
    with pytest.raises(InvalidInput) as exc:
        plan_course("P6", START, height, weight)
    assert exc.value.field == field


def test_start_must_be_a_date():
    with pytest.raises(InvalidInput) as exc:
        plan_course("P6", "2026-01-05", 168, 55)
    assert exc.value.field == "start"


@pytest.mark.parametrize("regimen", [r.id for r in all_regimens()])
def test_every_regimen_plans_and_serialises(regimen):
    plan = plan_course(regimen, START, 165, 60)
    data = plan.to_dict()
    assert data["regimen"] == regimen and len(data["cycles"]) == len(get_regimen(regimen).cycles)
    for cycle in data["cycles"]:
        for drug in cycle["drugs"]:
            assert drug["total_mg"] == pytest.approx(drug["mg_per_day"] * len(drug["days"]),
                                                     abs=0.05)
    starts = [c.start for c in plan.cycles]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
