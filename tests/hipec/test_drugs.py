"""Issue 19: perfusion drug doses against the protocol, per m2 and per litre."""

from __future__ import annotations

from typing import get_args

import pytest

from rareonco.errors import InvalidInput
from rareonco.hipec.perfusion_drugs import (
    Severity,
    check_perfusion_dose,
    check_perfusion_drugs,
    drug_limits,
)


def codes(findings) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in findings]


def test_cisplatin_1000_mg_m2_is_blocked() -> None:
    """The issue's case: 1,000 mg/m2 (1,602 mg at 1.602 m2) was accepted without a word."""
    findings = check_perfusion_dose("cisplatin", 1000.0, 1.602, perfusate_l=4.0)
    assert codes(findings) == [("dose_above_cap", "block"), ("total_above_cap", "block"),
                               ("concentration_above_max", "block")]
    total = dict(findings[1].params)
    assert total["dose_mg"] == 1602
    assert "1,602 mg" in findings[1].message_en and "1,602 мг" in findings[1].message_ru
    assert findings[0].message("ru").startswith("cisplatin 1000 мг/м2 выше")


def test_protocol_doses_pass() -> None:
    assert check_perfusion_dose("Cisplatin", 100.0, 1.6, perfusate_l=4.0) == ()  # 40 mg/L
    assert check_perfusion_dose("MMC", 35.0, 1.8, perfusate_l=4.0) == ()  # 63 mg, 15.8 mg/L
    assert check_perfusion_dose("oxaliplatin", 460.0, 1.7, perfusate_l=3.4) == ()  # 2 L/m2
    assert check_perfusion_dose("doxorubicin", 15.0, 1.7) == ()
    assert check_perfusion_drugs([("cisplatin", 50.0), ("doxorubicin", 15.0)], 1.7, 4.0) == ()


@pytest.mark.parametrize(
    ("drug", "dose_mg_m2", "bsa_m2", "perfusate_l", "expected"),
    [
        ("cisplatin", 120.0, 1.5, None, [("dose_above_cap", "needs_reason")]),
        ("cisplatin", 105.0, 1.5, None, []),  # within the 10 % tolerance
        ("cisplatin", 100.0, 2.4, None, [("total_above_cap", "needs_reason")]),
        ("cisplatin", 100.0, 1.6, 2.5, [("concentration_above_max", "needs_reason")]),
        ("cisplatin", 100.0, 1.6, 1.5, [("concentration_above_max", "block")]),
        ("mitomycin c", 20.0, 2.0, 4.0, []),
        ("mitomycin", 5.0, 1.7, None, [("dose_below_range", "warn")]),
        ("oxaliplatin", 700.0, 1.7, None, [("dose_above_cap", "block"),
                                           ("total_above_cap", "needs_reason")]),  # 1,190 mg
        ("melphalan", 70.0, 1.7, 4.0, []),
    ],
)
def test_ranges_caps_and_concentrations(drug, dose_mg_m2, bsa_m2, perfusate_l, expected) -> None:
    assert codes(check_perfusion_dose(drug, dose_mg_m2, bsa_m2, perfusate_l)) == expected


def test_unknown_drug_is_blocked_and_bad_numbers_name_the_field() -> None:
    (finding,) = check_perfusion_dose("gemcitabine", 1000.0, 1.7)
    assert (finding.code, finding.severity) == ("unknown_drug", "block")
    for kwargs, field in (({"dose_mg_m2": 0.0}, "dose_mg_m2"), ({"bsa_m2": float("nan")}, "bsa_m2"),
                          ({"perfusate_l": -1.0}, "perfusate_l")):
        args = {"drug": "cisplatin", "dose_mg_m2": 100.0, "bsa_m2": 1.7} | kwargs
        with pytest.raises(InvalidInput) as err:
            check_perfusion_dose(**args)
        assert err.value.field == field


def test_every_drug_cites_sources_and_limits_are_consistent() -> None:
    for drug in ("cisplatin", "mitomycin", "oxaliplatin", "doxorubicin", "melphalan"):
        name, limits = drug_limits(drug)
        assert name == drug and limits.sources
        # the per-litre limit is the cap in the 2 L/m2 of the clinical reference
        assert limits.max_mg_l == pytest.approx(limits.cap_mg_m2 / 2.0)
    assert drug_limits("unknown") is None


def test_same_severity_vocabulary_as_the_courses() -> None:
    # the courses' pre-issue-17 vocabulary (regimens/safety.py, removed; cycles use the gate)
    assert get_args(Severity) == ("block", "needs_reason", "warn")
    d = check_perfusion_dose("cisplatin", 1000.0, 1.6)[0].to_dict()
    assert d["severity"] == "block" and set(d["message"]) == {"en", "ru"}
