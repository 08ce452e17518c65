"""The synthetic outcomes land near the published 5-year survival they were set to."""

from __future__ import annotations

import numpy as np
import pytest

from rareonco.outcomes.survival import kaplan_meier
from rareonco.outcomes.synthetic import histology_group, synth_outcomes

N = 20_000
FIVE_YEARS = 5 * 365.25


def _os5(group: str, metastatic: bool) -> float:
    rng = np.random.default_rng(1)
    out = synth_outcomes(rng, [group] * N, np.full(N, metastatic), np.full(N, 15 * 365, dtype=np.int64))
    return kaplan_meier(out.os_days.tolist(), out.os_event.astype(int).tolist()).at(FIVE_YEARS)


@pytest.mark.parametrize(("group", "metastatic", "target"), [
    ("osteosarcoma", False, 0.75), ("osteosarcoma", True, 0.35), ("ewing", False, 0.75),
    ("ewing", True, 0.30), ("dsrct", False, 0.17), ("dsrct", True, 0.10), ("soft_tissue", False, 0.65),
    ("soft_tissue", True, 0.20)])
def test_five_year_overall_survival_near_target(group: str, metastatic: bool, target: float) -> None:
    assert _os5(group, metastatic) == pytest.approx(target, abs=0.06)


def test_events_are_consistent() -> None:
    rng = np.random.default_rng(2)
    follow = rng.integers(30, 5000, size=5000)
    out = synth_outcomes(rng, ["osteosarcoma"] * 5000, rng.random(5000) < 0.2, follow)
    assert (out.efs_days <= out.os_days).all()
    assert (out.os_days <= follow).all() and (out.efs_days >= 0).all()
    assert ((out.first_event == 0) == ~out.efs_event).all()
    # a death without relapse is an EFS event on the death day
    dead_first = out.first_event == 2
    assert (out.efs_days[dead_first] == out.os_days[dead_first]).all()
    assert 0.05 < out.os_event.mean() < 0.6


def test_histology_groups() -> None:
    assert histology_group("9180/3") == "osteosarcoma" and histology_group("9187/3") == "osteosarcoma"
    assert histology_group("9364/3") == "ewing" and histology_group("8806/3") == "dsrct"
    assert histology_group("8850/3") == "soft_tissue"
