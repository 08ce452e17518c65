"""High-dose methotrexate: expected elimination, leucovorin rescue (label table), glucarpidase
(Ramsey 2018), urine pH and interactions."""

from __future__ import annotations

import math

import pytest

from rareonco.clinical.methotrexate import (
    MtxLevel,
    assess_levels,
    expected_level_um,
    glucarpidase_indicated,
    interacting_drugs,
    urine_ph_ready,
)
from rareonco.errors import InvalidInput


def test_expected_curve_points_and_log_linear_between():
    assert [expected_level_um(h) for h in (24, 48, 72, 96)] == pytest.approx([10.0, 1.0, 0.2, 0.05])
    # 36 h is halfway between 10 and 1 uM on a log scale: sqrt(10 x 1).
    assert expected_level_um(36) == pytest.approx(math.sqrt(10))
    assert expected_level_um(12) is None
    # after 96 h the label keeps rescuing until < 0.05 uM: the curve stays at its last point
    assert expected_level_um(120) == pytest.approx(0.05)


def test_normal_elimination_gives_the_standard_rescue():
    res = assess_levels([MtxLevel(24, 8.0), MtxLevel(48, 0.6), MtxLevel(72, 0.1)])
    assert res.delayed == ()
    assert (res.rescue.category, res.rescue.dose_mg, res.rescue.interval_h) == ("normal", 15, 6)
    assert res.glucarpidase.indicated is False


def test_delayed_late_elimination():
    # Label: > 0.2 uM at 72 h and > 0.05 uM at 96 h: continue 15 mg q6h until < 0.05 uM.
    res = assess_levels([MtxLevel(24, 9.0), MtxLevel(48, 0.9), MtxLevel(72, 0.4)])
    assert [x.hours_from_start for x in res.delayed] == [72]
    assert (res.rescue.category, res.rescue.dose_mg) == ("delayed_late", 15)
    assert "0.05" in res.rescue.until


@pytest.mark.parametrize("levels", [[MtxLevel(24, 50.0)], [MtxLevel(48, 5.0)]])
def test_delayed_early_elimination(levels):
    # Label: >= 50 uM at 24 h or >= 5 uM at 48 h: 150 mg IV q3h until < 1 uM.
    res = assess_levels(levels)
    assert (res.rescue.category, res.rescue.dose_mg, res.rescue.interval_h) == ("delayed_early", 150, 3)


@pytest.mark.parametrize(("level", "category"), [
    (MtxLevel(42, 20.0), "delayed_early"),   # between the label's hours: above log-linear 50 -> 5
    (MtxLevel(36, 16.0), "delayed_early"),   # criterion at 36 h = sqrt(50 x 5) = 15.8 uM
    (MtxLevel(36, 15.0), "normal"),
    (MtxLevel(60, 6.0), "delayed_early"),    # >= 5 uM after 48 h is at least as bad as at 48 h
    (MtxLevel(84, 0.3), "delayed_late"),
    (MtxLevel(84, 0.15), "normal"),
    (MtxLevel(120, 0.1), "delayed_late"),    # still above 0.05 uM after 96 h
    (MtxLevel(22, 55.0), "delayed_early"),   # a 22 h sample read against the 24 h criterion
    (MtxLevel(20, 80.0), "normal"),          # before 22 h no criterion (infusion just ended)
])
def test_levels_between_the_label_hours_do_not_fall_through(level, category):
    assert assess_levels([level]).rescue.category == category


def test_delayed_flag_after_96_hours():
    assert assess_levels([MtxLevel(120, 0.1)]).delayed == (MtxLevel(120, 0.1),)


def test_creatinine_doubling_at_24h_is_delayed_early():
    assert assess_levels([MtxLevel(24, 5.0)], creatinine_x_baseline=2.0).rescue.category == "delayed_early"


def test_glucarpidase_consensus_short_infusion():
    # Ramsey 2018: > 30 uM at 36 h, > 10 uM at 42 h, > 5 uM at 48 h, with creatinine raised.
    for hour, level in ((36, 31.0), (42, 11.0), (48, 6.0), (60, 6.0)):
        advice = glucarpidase_indicated([MtxLevel(hour, level)], infusion_hours=4,
                                        creatinine_x_baseline=1.6)
        assert advice.indicated is True, (hour, level)
    assert glucarpidase_indicated([MtxLevel(36, 29.0)], infusion_hours=4,
                                  creatinine_x_baseline=2.0).indicated is False
    # level above but kidney not injured: not indicated; creatinine unknown: cannot say
    assert glucarpidase_indicated([MtxLevel(42, 11.0)], infusion_hours=4,
                                  creatinine_x_baseline=1.2).indicated is False
    unknown = glucarpidase_indicated([MtxLevel(42, 11.0)], infusion_hours=4, creatinine_x_baseline=None)
    assert unknown.indicated is None and "creatinine" in unknown.reason
    assert glucarpidase_indicated([MtxLevel(24, 80.0)], infusion_hours=4,
                                  creatinine_x_baseline=3.0).indicated is None  # no level >= 36 h


def test_glucarpidase_long_and_uncovered_infusions():
    assert glucarpidase_indicated([MtxLevel(48, 6.0)], infusion_hours=36,
                                  creatinine_x_baseline=1.5).indicated is True
    assert glucarpidase_indicated([MtxLevel(40, 60.0)], infusion_hours=36,
                                  creatinine_x_baseline=1.5).indicated is None
    assert glucarpidase_indicated([MtxLevel(48, 6.0)], infusion_hours=30,
                                  creatinine_x_baseline=1.5).indicated is None


def test_bad_levels_are_refused():
    with pytest.raises(InvalidInput) as err:
        assess_levels([])
    assert err.value.field == "levels"
    with pytest.raises(InvalidInput) as err:
        assess_levels([MtxLevel(-1, 3.0)])
    assert err.value.field == "levels.0.hours_from_start"


def test_urine_ph_and_interactions():
    assert urine_ph_ready(7.0) and not urine_ph_ready(6.5) and not urine_ph_ready(None)
    found, unknown = interacting_drugs(["Omeprazole", "Bactrim", "Augmentin", "Nurofen", "mesna",
                                        "ondansetron"])
    assert [d for d, _ in found] == ["omeprazole", "co-trimoxazole", "amoxicillin-clavulanate",
                                     "ibuprofen"]
    assert unknown == ("ondansetron",)
