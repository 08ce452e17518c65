"""Supportive-care orders against the sources' worked examples (mesna label, Zinecard ratio,
MASCC/ESMO 2016 classes, EORTC/ASCO G-CSF thresholds) and the regimen data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pytest

from rareonco.errors import InvalidInput
from rareonco.regimens import parse_regimen
from rareonco.regimens.planning import plan_course
from rareonco.regimens.supportive import day_risk, supportive_orders

START = date(2026, 1, 5)


@dataclass(frozen=True)
class Drug:
    drug: str
    days: tuple[int, ...]
    mg_per_day: float


def kinds(plan, kind):
    return [o for o in plan.orders if o.kind == kind]


def test_mesna_label_example_ifosfamide_1_2_g_m2():
    # Mesna US label: ifosfamide 1.2 g/m2 -> mesna 240 mg/m2 at 0, 4 and 8 h (60 % in all).
    plan = supportive_orders("AI", [Drug("ifosfamide", (1,), 1200.0)], bsa_m2=1.0, weight_kg=60)
    mesna = kinds(plan, "mesna")
    assert [(o.day, o.dose_mg) for o in mesna] == [(1, 240.0)] * 3
    assert [o.timing.split(" h")[0] for o in mesna] == ["0", "4", "8"]
    assert all("Mesnex" in o.source and o.route == "IV" for o in mesna)


def test_continuous_mesna_with_high_dose_cyclophosphamide_p6():
    p = plan_course("P6", START, 168, 55)
    plan = supportive_orders("P6", p.cycles[0].drugs, bsa_m2=p.bsa_m2, weight_kg=55, age_years=19)
    cyclo = p.cycles[0].drug("cyclophosphamide").mg_per_day
    mesna = kinds(plan, "mesna")
    assert [(o.day, round(o.dose_mg, 2)) for o in mesna] == [
        (1, round(cyclo, 2)), (2, round(cyclo, 2)), (3, round(cyclo, 2))]  # 100 %, then 24 h after
    assert "Hensley" in mesna[0].source


DEXRA = """\
id: DEXRA
name: test
version: "0.1.0"
status: draft
source: "A. Author, J Test 2020"
indication: ["9180/3"]
cycle_length_days: 21
next_cycle_window: {earliest_days_before_nominal: 0, latest_days_after_nominal: 14, source: "policy"}
supportive_care:
  febrile_neutropenia: {category: low, source: "centre classification"}
  dexrazoxane: {ratio: 10, source: "the protocol uses dexrazoxane"}
cycles:
  - number: 1
    drugs:
      - {drug: doxorubicin, dose_per_m2_mg: 50, days: [1], route: IV}
anthracycline_limit: {warn_mg_m2: 300, limit_mg_m2: 300, source: "protocol"}
"""


def test_dexrazoxane_ten_to_one_and_halved_below_crcl_40():
    reg = parse_regimen(DEXRA, "dexra.yaml")
    dox = [Drug("doxorubicin", (1,), 50.0 * 1.5)]
    full = kinds(supportive_orders(reg, dox, bsa_m2=1.5, weight_kg=60, crcl_ml_min=80), "dexrazoxane")
    assert [o.dose_mg for o in full] == [750.0] and "500 mg/m2" in full[0].dose  # Zinecard: 500:50
    half = kinds(supportive_orders(reg, dox, bsa_m2=1.5, weight_kg=60, crcl_ml_min=39.9), "dexrazoxane")
    assert [o.dose_mg for o in half] == [375.0] and "halved" in half[0].dose
    unknown = kinds(supportive_orders(reg, dox, bsa_m2=1.5, weight_kg=60), "dexrazoxane")
    assert unknown[0].dose_mg == 750.0 and "halve if < 40" in unknown[0].dose
    # a regimen without dexrazoxane in its data orders none
    assert not kinds(supportive_orders("AI", dox, bsa_m2=1.5, weight_kg=60), "dexrazoxane")


@pytest.mark.parametrize(("drugs", "risk"), [
    ({"cisplatin": 60}, "high"),
    ({"doxorubicin": 60, "cyclophosphamide": 600}, "high"),  # AC
    ({"cyclophosphamide": 1500}, "high"),
    ({"cyclophosphamide": 1200}, "moderate"),
    ({"ifosfamide": 1800}, "moderate"),
    ({"doxorubicin": 75}, "moderate"),
    ({"ifosfamide": 1800, "etoposide": 100}, "moderate"),
    ({"etoposide": 100}, "low"),
    ({"methotrexate": 12000}, "low"),
    ({"vincristine": 1.5}, "minimal"),
])
def test_mascc_esmo_2016_classes(drugs, risk):
    assert day_risk(1, drugs).risk == risk


def test_unclassified_agent_is_refused():
    with pytest.raises(InvalidInput, match="no emetogenic class"):
        day_risk(1, {"unobtainium": 1})


def test_multi_day_ie_each_day_moderate_then_optional_delayed_dexamethasone():
    p = plan_course("P6", START, 168, 55)
    plan = supportive_orders("P6", p.cycles[3].drugs, bsa_m2=p.bsa_m2, weight_kg=55, age_years=19)
    assert [r.risk for r in plan.emetogenic] == ["moderate"] * 5
    anti = kinds(plan, "antiemetic")
    assert {(o.day, o.drug) for o in anti if not o.optional} == {
        (d, drug) for d in range(1, 6) for drug in ("ondansetron", "dexamethasone")}
    assert [(o.day, o.drug) for o in anti if o.optional] == [(6, "dexamethasone"), (7, "dexamethasone")]


def test_map_cisplatin_days_high_with_three_delayed_days_and_hdmtx_hydration():
    p = plan_course("MAP", START, 168, 55)
    plan = supportive_orders("MAP", p.cycles[0].drugs, bsa_m2=p.bsa_m2, weight_kg=55, age_years=19)
    assert [(r.day, r.risk) for r in plan.emetogenic] == [(1, "high"), (2, "high"), (22, "low"),
                                                          (29, "low")]
    anti = kinds(plan, "antiemetic")
    assert [o.dose_mg for o in anti if o.drug == "aprepitant"] == [125, 80, 80, 80]
    assert [o.day for o in anti if o.drug == "dexamethasone" and "delayed" in o.timing] == [3, 4, 5]
    assert any(o.drug == "olanzapine" and o.optional for o in anti)
    hyd = kinds(plan, "hydration")
    assert [o.day for o in hyd] == [1, 22, 29]
    assert all("urine pH >= 7" in o.timing for o in hyd[1:]) and "urine pH" not in hyd[0].timing
    assert math.isclose(float(hyd[0].dose.split("= ")[1].split(" ")[0]), 3000 * p.bsa_m2, abs_tol=0.5)
    gcsf = kinds(plan, "gcsf")
    assert [(o.day, o.optional) for o in gcsf] == [(3, True)]  # intermediate risk: considered


def test_gcsf_by_risk_and_protocol():
    p = plan_course("P6", START, 168, 55)
    fil = kinds(supportive_orders("P6", p.cycles[0].drugs, bsa_m2=p.bsa_m2, weight_kg=55), "gcsf")
    assert [(o.drug, o.day, round(o.dose_mg, 3), o.optional) for o in fil] == [
        ("filgrastim", 4, 0.275, False)]
    ai = plan_course("AI", START, 168, 55).cycles[0].drugs
    peg = kinds(supportive_orders("AI", ai, bsa_m2=1.6, weight_kg=55), "gcsf")
    assert [(o.drug, o.day, o.dose_mg) for o in peg] == [("pegfilgrastim", 5, 6.0)]
    child = kinds(supportive_orders("AI", ai, bsa_m2=0.95, weight_kg=25), "gcsf")
    assert child[0].dose_mg == 2.5  # Neulasta label band 21-30 kg
    trab = plan_course("TRABECTEDIN", START, 168, 55).cycles[0].drugs
    assert not kinds(supportive_orders("TRABECTEDIN", trab, bsa_m2=1.6, weight_kg=55), "gcsf")


def test_children_get_the_drugs_without_computed_antiemetic_doses():
    p = plan_course("P6", START, 130, 25, age_years=9)
    plan = supportive_orders("P6", p.cycles[0].drugs, bsa_m2=p.bsa_m2, weight_kg=25, age_years=9)
    anti = kinds(plan, "antiemetic")
    assert anti and all(o.dose_mg is None and "paediatric" in o.dose for o in anti)
    assert kinds(plan, "mesna")[0].dose_mg == 1750.0  # 100 % of cyclophosphamide 70 mg/kg x 25 kg


def test_orders_serialise_and_bad_input_is_named():
    p = plan_course("P6", START, 168, 55)
    data = supportive_orders("P6", p.cycles[0].drugs, bsa_m2=p.bsa_m2, weight_kg=55).to_dict()
    assert data["febrile_neutropenia_risk"] == "high"
    assert {"kind", "drug", "day", "dose_mg", "dose", "route", "timing", "source"} <= set(data["orders"][0])
    for kwargs, field in (({"bsa_m2": 0}, "bsa_m2"), ({"weight_kg": 0}, "weight_kg"),
                          ({"age_years": 200}, "age_years")):
        with pytest.raises(InvalidInput) as exc:
            supportive_orders("P6", p.cycles[0].drugs, **{"bsa_m2": 1.6, "weight_kg": 55, **kwargs})
        assert exc.value.field == field
    with pytest.raises(InvalidInput) as exc:
        supportive_orders("P6", [], bsa_m2=1.6, weight_kg=55)
    assert exc.value.field == "drugs"


def test_minimal_risk_day_gets_no_routine_antiemetic():
    # VAC-VI weeks with vincristine alone (days 8 and 15): minimal risk, no prophylaxis those days
    p = plan_course("VAC-VI", START, 168, 55)
    plan = supportive_orders("VAC-VI", p.cycles[0].drugs, bsa_m2=p.bsa_m2, weight_kg=55, age_years=30)
    # cyclophosphamide 1200 mg/m2 (< 1500) and dactinomycin: moderate in the adult table
    assert [(r.day, r.risk) for r in plan.emetogenic] == [(1, "moderate"), (8, "minimal"), (15, "minimal")]
    assert not [o for o in plan.orders if o.kind == "antiemetic" and o.day in (8, 15)]


def test_mesna_without_continuation_and_negative_clearance_refused():
    text = DEXRA.replace("  dexrazoxane: {ratio: 10, source: \"the protocol uses dexrazoxane\"}\n",
                         "  dexrazoxane: {ratio: 10, source: \"the protocol uses dexrazoxane\"}\n"
                         "  mesna: [{with_drug: ifosfamide, scheme: continuous, pct_of_dose: 100, "
                         "continue_h_after: 0, source: \"centre convention\"}]\n")
    text = text.replace("      - {drug: doxorubicin, dose_per_m2_mg: 50, days: [1], route: IV}\n",
                        "      - {drug: doxorubicin, dose_per_m2_mg: 50, days: [1], route: IV}\n"
                        "      - {drug: ifosfamide, dose_per_m2_mg: 1000, days: [1, 2], route: IV}\n")
    reg = parse_regimen(text, "dexra.yaml")
    drugs = [Drug("doxorubicin", (1,), 75.0), Drug("ifosfamide", (1, 2), 1500.0)]
    mesna = kinds(supportive_orders(reg, drugs, bsa_m2=1.5, weight_kg=60), "mesna")
    assert [(o.day, o.dose_mg) for o in mesna] == [(1, 1500.0), (2, 1500.0)]
    with pytest.raises(InvalidInput) as exc:
        supportive_orders(reg, drugs, bsa_m2=1.5, weight_kg=60, crcl_ml_min=-1)
    assert exc.value.field == "crcl_ml_min"
