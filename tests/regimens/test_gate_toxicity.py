"""The gate applies the regimen's toxicity tables (and `course check` with it)."""

from __future__ import annotations

from rareonco.regimens.gate import check_json

BASE = {"regimen": "P6", "cycle": 1, "height_cm": 168, "weight_kg": 55, "age_years": 19,
        "planned_start": "2026-11-02", "start": "2026-11-02",
        "labs": {"anc_10e9_l": 1.2, "platelets_10e9_l": 150, "creatinine_umol_l": 70,
                 "bilirubin_mg_dl": 0.6, "lvef_pct": 62}}


def _codes(out: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(f["code"], f["severity"]) for f in out["findings"]}  # type: ignore[index]


def test_grade_4_neuropathy_blocks_full_dose_vincristine() -> None:
    out = check_json({**BASE, "toxicities": {"peripheral sensory neuropathy": 4}})
    assert out["may_proceed"] is False
    assert any(f["drug"] == "vincristine" and f["severity"] == "block"
               for f in out["findings"])  # type: ignore[union-attr]


def test_no_toxicity_changes_nothing() -> None:
    plain = check_json(BASE)
    assert _codes(check_json({**BASE, "toxicities": {}})) == _codes(plain)


def test_an_unknown_term_names_the_field() -> None:
    import pytest

    from rareonco.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        check_json({**BASE, "toxicities": {"bad vibes": 3}})
    assert exc.value.field.startswith("toxicities")
