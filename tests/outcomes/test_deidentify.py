"""De-identification: date shifts keep intervals, ages over 89 pooled, no small cell, k-anonymity."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rareonco.errors import InvalidInput
from rareonco.outcomes.deidentify import (
    age_group,
    date_shift_days,
    generalise_to_k,
    k_anonymity,
    shift_date,
    suppress_small_cells,
)

SECRET = b"centre-secret"


@given(st.text(min_size=1, max_size=20))
def test_shift_is_stable_bounded_and_never_zero(key: str) -> None:
    s = date_shift_days(key, SECRET)
    assert s == date_shift_days(key, SECRET)
    assert -182 <= s <= 182 and s != 0


def test_shift_keeps_intervals_within_a_patient_and_differs_between_patients() -> None:
    s = date_shift_days("patient-1", SECRET)
    a, b = dt.date(2024, 1, 10), dt.date(2024, 7, 3)
    assert (shift_date(b, s) - shift_date(a, s)).days == (b - a).days
    shifts = {date_shift_days(f"patient-{i}", SECRET) for i in range(50)}
    assert len(shifts) > 40
    assert date_shift_days("patient-1", b"other secret") != s or date_shift_days(
        "patient-2", b"other secret") != date_shift_days("patient-2", SECRET)
    with pytest.raises(InvalidInput):
        date_shift_days("p", b"")


def test_age_groups() -> None:
    assert age_group(19) == "15-19" and age_group(15) == "15-19" and age_group(0.5) == "0-4"
    assert age_group(89.9) == "85-89" and age_group(90) == "90+" and age_group(104) == "90+"
    assert age_group(19, width=10) == "10-19"
    with pytest.raises(InvalidInput):
        age_group(-1)


def test_small_cells_are_hidden_with_a_complement() -> None:
    out = suppress_small_cells({"osteosarcoma": 40, "DSRCT": 3, "Ewing": 12, "none": 0})
    assert out == {"osteosarcoma": 40, "DSRCT": None, "Ewing": None, "none": 0}
    out = suppress_small_cells({"a": 3, "b": 4, "c": 30})
    assert out == {"a": None, "b": None, "c": 30}
    assert suppress_small_cells({"a": 3, "b": 30}, total_shown=False) == {"a": None, "b": 30}
    with pytest.raises(InvalidInput):
        suppress_small_cells({"a": -1})


@given(st.dictionaries(st.text(max_size=3), st.integers(0, 50), max_size=8))
def test_no_shown_cell_is_small(counts: dict[str, int]) -> None:
    out = suppress_small_cells(counts)
    assert all(v is None or v == 0 or v >= 5 for v in out.values())
    assert sum(1 for v in out.values() if v is None) != 1 or all(
        v in (None, 0) for v in out.values())


def _rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(12):
        rows.append({"age_group": "15-19", "sex": "male", "country": "UZ", "morphology": "9180/3", "i": i})
    rows += [{"age_group": "20-24", "sex": "male", "country": "UZ", "morphology": "9180/3", "i": 100},
             {"age_group": "15-19", "sex": "female", "country": "KZ", "morphology": "8806/3", "i": 101},
             {"age_group": "10-14", "sex": "female", "country": "KZ", "morphology": "8806/3", "i": 102}]
    return rows


def test_k_anonymity_report() -> None:
    rep = k_anonymity(_rows(), ["age_group", "sex", "country", "morphology"], k=5)
    assert (rep.smallest_class, rep.classes_below_k, rep.rows_below_k) == (1, 3, 3)
    assert not rep.satisfied
    with pytest.raises(InvalidInput):
        k_anonymity(_rows(), ["postcode"])


def test_generalisation_reaches_k_and_counts_suppressed_rows() -> None:
    qi = ["age_group", "sex", "country", "morphology"]
    rows, suppressed = generalise_to_k(_rows(), qi, k=5, max_suppressed_fraction=0.0)
    assert k_anonymity(rows, qi, 5).satisfied and suppressed == 0 and len(rows) == 15
    # the two KZ girls with 8806/3 and the 20-24 boy cannot stay apart: some column gave way
    assert any(r[q] != orig[q] for r, orig in zip(rows, _rows(), strict=True) for q in qi)


def test_a_few_outliers_are_suppressed_rather_than_blurring_everyone() -> None:
    qi = ["age_group", "sex", "country", "morphology"]
    rows, suppressed = generalise_to_k(_rows(), qi, k=5, max_suppressed_fraction=0.2)
    assert suppressed == 3 and len(rows) == 12
    assert {r["age_group"] for r in rows} == {"15-19"} and {r["morphology"] for r in rows} == {"9180/3"}
    with pytest.raises(InvalidInput):
        generalise_to_k(_rows(), qi, max_suppressed_fraction=1.0)
