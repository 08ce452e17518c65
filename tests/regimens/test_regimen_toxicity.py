"""Toxicity dose modification (regimens/toxicity.py) against the regimen tables and their sources."""

from __future__ import annotations

from datetime import date

import pytest

from rareonco.errors import InvalidInput
from rareonco.regimens.findings import SafetyFinding
from rareonco.regimens.planning import plan_course
from rareonco.regimens.toxicity import parse_toxicities, toxicity_findings

START = date(2026, 1, 5)


def cycle(regimen: str, number: int):
    return plan_course(regimen, START, 168, 55).cycles[number - 1]


def planned(c, pct: float = 100.0, only: str | None = None):
    """The cycle's protocol doses, ``only`` drug scaled to ``pct``."""
    return [(d.drug, day, d.protocol_mg_per_day * (pct / 100.0 if d.drug == only else 1.0))
            for d in c.drugs for day in d.days]


def codes(findings):
    return [(f.code, f.severity, f.drug) for f in findings]


def test_no_toxicity_no_finding():
    c = cycle("P6", 1)
    assert toxicity_findings("P6", c, planned(c), {}) == []
    assert toxicity_findings("P6", c, planned(c), {"Mucositis oral": 0}) == []


def test_doxorubicin_mucositis_grade_3_calls_for_75_percent():
    # Doxorubicin US label: grade 3-4 non-haematological toxicity -> 75 % in subsequent cycles.
    c = cycle("P6", 1)
    full = toxicity_findings("P6", c, planned(c), {"mucositis ORAL": 3})
    assert codes(full) == [("toxicity_dose_modification", "override", "doxorubicin")]
    assert full[0].params["dose_pct"] == 75 and full[0].params["given_pct"] == 100
    assert isinstance(full[0], SafetyFinding)
    assert "75 % of the dose" in full[0].message() and "мукозит" in full[0].message("ru")
    assert toxicity_findings("P6", c, planned(c, 75, "doxorubicin"), {"Mucositis oral": 3}) == []
    # 80 % is inside 75 % + the 10 % tolerance; 90 % is not
    assert toxicity_findings("P6", c, planned(c, 80, "doxorubicin"), {"Mucositis oral": 3}) == []
    assert toxicity_findings("P6", c, planned(c, 90, "doxorubicin"), {"Mucositis oral": 4})


def test_vincristine_neuropathy():
    c = cycle("VDC-IE", 1)
    g3 = toxicity_findings("VDC-IE", c, planned(c), {"Peripheral sensory neuropathy": 3})
    assert codes(g3) == [("toxicity_dose_modification", "override", "vincristine")]
    assert toxicity_findings("VDC-IE", c, planned(c, 50, "vincristine"),
                             {"Peripheral sensory neuropathy": 3}) == []
    g4 = toxicity_findings("VDC-IE", c, planned(c, 50, "vincristine"),
                           {"Peripheral motor neuropathy": 4})
    assert codes(g4) == [("toxicity_omit", "block", "vincristine")]
    assert "винкристин" in g4[0].message("ru").lower()


def test_ifosfamide_encephalopathy_omits_ifosfamide_and_only_when_given():
    ie = cycle("P6", 4)
    found = toxicity_findings("P6", ie, planned(ie), {"Encephalopathy": 1})
    assert codes(found) == [("toxicity_omit", "block", "ifosfamide")]
    without = [d for d in planned(ie) if d[0] != "ifosfamide"]
    assert toxicity_findings("P6", ie, without, {"Encephalopathy": 2}) == []
    # HD-CAV gives no ifosfamide: the table does not apply
    assert toxicity_findings("P6", cycle("P6", 1), planned(cycle("P6", 1)), {"Encephalopathy": 3}) == []


def test_ifosfamide_nephrotoxicity_grade_2_warns_grade_3_omits():
    ie = cycle("P6", 4)
    g2 = toxicity_findings("P6", ie, planned(ie), {"Creatinine increased": 2})
    assert codes(g2) == [("toxicity_note", "warn", "ifosfamide")]
    assert "GFR" in g2[0].message()
    g3 = toxicity_findings("P6", ie, planned(ie), {"Creatinine increased": 3})
    assert codes(g3) == [("toxicity_omit", "block", "ifosfamide")]


def test_map_cisplatin_ototoxicity_and_methotrexate_tables():
    ap = cycle("MAP", 1)
    g3 = toxicity_findings("MAP", ap, [d for d in planned(ap) if d[0] == "cisplatin"],
                           {"Hearing impaired": 3})
    assert codes(g3) == [("toxicity_omit", "block", "cisplatin")]
    mtx = [d for d in planned(ap) if d[0] == "methotrexate"]
    assert codes(toxicity_findings("MAP", ap, mtx, {"Mucositis oral": 3})) == [
        ("toxicity_note", "warn", "methotrexate")]
    assert codes(toxicity_findings("MAP", ap, mtx, {"Creatinine increased": 4})) == [
        ("toxicity_omit", "block", "methotrexate")]


@pytest.mark.parametrize(("tox", "field"), [
    ({"Neuropathy": 3}, "toxicities.Neuropathy"),
    ({"Mucositis oral": 5}, "toxicities.Mucositis oral"),
    ({"Mucositis oral": "3"}, "toxicities.Mucositis oral"),
    ({"Mucositis oral": True}, "toxicities.Mucositis oral"),
    ({"Acute kidney injury": 2}, "toxicities.Acute kidney injury"),
])
def test_bad_toxicities_name_the_field(tox, field):
    c = cycle("P6", 1)
    with pytest.raises(InvalidInput) as exc:
        toxicity_findings("P6", c, planned(c), tox)
    assert exc.value.field == field


def test_parse_refuses_a_term_twice_and_a_non_mapping():
    with pytest.raises(InvalidInput, match="twice"):
        parse_toxicities({"mucositis oral": 3, "Mucositis  Oral": 2})
    with pytest.raises(InvalidInput):
        parse_toxicities([("Mucositis oral", 3)])  # type: ignore[arg-type]


def test_finding_serialises_like_the_gate_findings():
    c = cycle("P6", 1)
    (f,) = toxicity_findings("P6", c, planned(c), {"Mucositis oral": 3})
    data = f.to_dict()
    assert data["code"] == "toxicity_dose_modification" and data["severity"] == "override"
    assert "Doxorubicin hydrochloride injection" in data["params"]["source"]
    assert data["message_ru"].startswith("доксорубицин") or "Доксорубицин" in data["message_ru"]
