"""Drug vocabulary and cumulative anthracycline exposure (IGHG / Feijen 2019 factors)."""

from __future__ import annotations

import pytest

from rareonco.clinical import drugs
from rareonco.clinical.anthracyclines import (
    IGHG_EQUIVALENCE,
    cumulative_anthracycline,
    doxorubicin_equivalent_mg_m2,
    is_anthracycline,
)
from rareonco.errors import InvalidInput


@pytest.mark.parametrize(("text", "drug_id"), [
    ("Adriamycin", "doxorubicin"), ("Doxorubicin", "doxorubicin"), ("  DOXORUBICIN ", "doxorubicin"),
    ("Доксорубицин", "doxorubicin"), ("doxorubicin liposomal", "doxorubicin-liposomal"),
    ("liposomal   doxorubicin", "doxorubicin-liposomal"), ("Doxil", "doxorubicin-liposomal"),
    ("Caelyx", "doxorubicin-liposomal"), ("Oncovin", "vincristine"), ("Винкристин", "vincristine"),
    ("Holoxan", "ifosfamide"), ("VP-16", "etoposide"), ("vp 16", "etoposide"),
    ("Бисептол", "co-trimoxazole"),
])
def test_synonyms_brands_and_scripts(text, drug_id):
    assert drugs.resolve_drug(text).id == drug_id


def test_concepts_are_coded():
    dox = drugs.drug_by_id("doxorubicin")
    assert (dox.atc, dox.name_ru) == ("L01DB01", "доксорубицин")
    assert drugs.drug_by_id("vincristine").atc == "L01CA02"
    assert drugs.vocabulary_version() == "1.0.0"
    assert len({d.id for d in drugs.all_drugs()}) == len(drugs.all_drugs())
    with pytest.raises(InvalidInput):
        drugs.drug_by_id("Doxorubicin")


def test_unknown_text_is_refused_with_suggestions():
    with pytest.raises(InvalidInput) as err:
        drugs.resolve_drug("doxorubicn", "prior_anthracyclines.0.drug")
    assert err.value.field == "prior_anthracyclines.0.drug"
    assert "did you mean" in err.value.reason and "doxorubicin" in err.value.reason
    with pytest.raises(InvalidInput) as err:
        drugs.resolve_drug("zzzzqqq")
    assert "not in the drug vocabulary" in err.value.reason
    for bad in ("", "  ", None, 5):
        with pytest.raises(InvalidInput):
            drugs.resolve_drug(bad)


@pytest.mark.parametrize(("raw", "field"), [
    ([], "drugs.yaml"),
    ({"drugs": [{"id": "x"}]}, "drugs.yaml: drugs.0"),
    ({"drugs": [{"id": "x", "atc": "L01", "en": "x", "ru": "x"}]}, "drugs.yaml: drugs.0.atc"),
    ({"drugs": [{"id": "a", "atc": "L01DB01", "en": "a", "ru": "a"},
                {"id": "b", "atc": "L01DB02", "en": "a", "ru": "b"}]}, "drugs.yaml: drugs.1"),
])
def test_vocabulary_file_is_validated(raw, field):
    with pytest.raises(InvalidInput) as err:
        drugs._parse(raw)
    assert err.value.field == field


def test_equivalence_factors_are_the_ighg_table():
    # Feijen 2019 Table 3 mean ratios; idarubicin kept at the COG factor 5.
    assert IGHG_EQUIVALENCE == {"doxorubicin": 1.0, "doxorubicin-liposomal": 1.0,
                                "daunorubicin": 0.6, "epirubicin": 0.8, "idarubicin": 5.0,
                                "mitoxantrone": 10.5}
    total = doxorubicin_equivalent_mg_m2([("Adriamycin", 300), ("Caelyx", 50), ("daunorubicin", 100),
                                          ("Mitoxantrone", 10)])
    assert total == pytest.approx(300 + 50 + 60 + 105)
    assert is_anthracycline("Доксорубицин") and not is_anthracycline("vincristine")


@pytest.mark.parametrize(("doses", "field"), [
    ([("vincristine", 2)], "doses.0.drug"), ([("doxorubicin", -1)], "doses.0.mg_m2"),
    ([("doxorubicn", 1)], "doses.0.drug"),
])
def test_equivalents_refuse(doses, field):
    with pytest.raises(InvalidInput) as err:
        doxorubicin_equivalent_mg_m2(doses)
    assert err.value.field == field


def test_warn_at_80_percent_override_beyond_limit_and_rounding_allowance():
    # P6 limit 300 mg/m2: 80 % = 240.
    assert cumulative_anthracycline([("doxorubicin", 225)], 300).status == "ok"
    at80 = cumulative_anthracycline([("doxorubicin", 240)], 300)
    assert (at80.status, at80.warn_mg_m2) == ("warn", 240)
    assert cumulative_anthracycline([("doxorubicin", 300)], 300).status == "warn"
    # 1 % rounding on the last 75 mg/m2 dose: 300.75 mg/m2 stays a warning, not an override.
    assert cumulative_anthracycline([("doxorubicin", 225), ("doxorubicin", 75.75)], 300).status == "warn"
    # 300 + 1 % of 300 = 303 is the edge; above it an override is needed.
    assert cumulative_anthracycline([("doxorubicin", 303)], 300).status == "warn"
    assert cumulative_anthracycline([("doxorubicin", 304)], 300).status == "override"
    assert cumulative_anthracycline([("Adriamycin", 300), ("doxorubicin", 75)], 300).total_mg_m2 == 375
    with pytest.raises(InvalidInput) as err:
        cumulative_anthracycline([], 0)
    assert err.value.field == "limit_mg_m2"
