"""Every threshold in every regimen file carries its source; the new tables are validated."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from rareonco.regimens import RegimenFileError, parse_regimen
from rareonco.regimens.library import all_regimens

#: keys that hold a threshold or a rule's number; the mapping that holds one must say its source
THRESHOLD_KEYS = frozenset({
    "min", "max", "cap_mg", "bands", "grades", "warn_mg_m2", "limit_mg_m2", "pct",
    "earliest_days_before_nominal", "latest_days_after_nominal", "ratio", "pct_of_dose", "scheme",
    "category", "below_age_years", "dose_per_kg_mg", "volume_ml_m2_day", "volume_ml_day",
    "urine_ph_min", "schedule",
})
SOURCE_KEYS = ("source", "cap_source")


def unsourced(node: Any, path: str = "") -> list[str]:
    """Paths of mappings that hold a threshold key without a source of at least 10 characters.

    A per-kg dose of a cycle's drug is a dose, not a threshold, unless it sits in a rule
    (``young_child``); plain doses are sourced by the file's top-level ``source``."""
    found: list[str] = []
    if isinstance(node, dict):
        keys = set(node) & THRESHOLD_KEYS
        if "drug" in node and "days" in node:
            keys -= {"dose_per_kg_mg"}
        if keys and not any(isinstance(node.get(k), str) and len(node[k].strip()) >= 10
                            for k in SOURCE_KEYS):
            found.append(f"{path or '<root>'} ({', '.join(sorted(keys))})")
        if "cap_mg" in node and not node.get("cap_source"):
            found.append(f"{path}.cap_source")
        for key, value in node.items():
            if key not in ("bands", "grades"):
                found += unsourced(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += unsourced(value, f"{path}.{i}")
    return found


def bundled() -> list[tuple[str, str]]:
    return sorted((e.name, e.read_text(encoding="utf-8"))
                  for e in resources.files("rareonco.regimens").iterdir() if e.name.endswith(".yaml"))


@pytest.mark.parametrize(("name", "text"), bundled(), ids=[n for n, _ in bundled()])
def test_every_threshold_has_its_source(name, text):
    assert unsourced(yaml.safe_load(text)) == []


def test_the_walker_finds_a_threshold_without_source():
    data = {"prechecks": [{"test": "anc_10e9_l", "min": 0.5, "drugs": ["*"]}],
            "cycles": [{"drugs": [{"drug": "vincristine", "days": [1], "cap_mg": 2,
                                   "cap_source": "Womer 2012: max 2 mg"}]}],
            "toxicity_modifications": [{"drug": "x", "grades": {3: 50}, "source": "short"}]}
    assert unsourced(data) == ["prechecks.0 (min)", "toxicity_modifications.0 (grades)"]


def test_every_regimen_has_windows_supportive_care_and_start_criteria():
    for reg in all_regimens():
        assert reg.next_cycle_window.source
        assert reg.supportive_care.febrile_neutropenia.source
        tests = {p.test for p in reg.prechecks}
        assert {"anc_10e9_l", "platelets_10e9_l"} <= tests, reg.id


def test_dose_modification_tables_the_issue_names():
    tables = {(r.id, t.drug, t.term) for r in all_regimens() for t in r.toxicity_modifications}
    assert {("P6", "vincristine", "Peripheral sensory neuropathy"),
            ("P6", "doxorubicin", "Mucositis oral"), ("P6", "ifosfamide", "Encephalopathy"),
            ("P6", "ifosfamide", "Creatinine increased"), ("MAP", "methotrexate", "Mucositis oral"),
            ("MAP", "methotrexate", "Creatinine increased"), ("MAP", "cisplatin", "Hearing impaired"),
            ("MAP", "cisplatin", "Creatinine increased")} <= tables
    organ = {(r.id, t.drug, t.test) for r in all_regimens() for t in r.organ_modifications}
    assert {("P6", "doxorubicin", "bilirubin_mg_dl"), ("P6", "vincristine", "bilirubin_mg_dl"),
            ("P6", "ifosfamide", "crcl_ml_min"), ("P6", "etoposide", "crcl_ml_min"),
            ("MAP", "cisplatin", "crcl_ml_min"), ("VDC-IE", "vincristine", "bilirubin_mg_dl"),
            ("AI", "doxorubicin", "bilirubin_mg_dl")} <= organ


GOOD = """\
id: TEST
name: test regimen
version: "0.1.0"
status: draft
source: "A. Author, J Test 2020"
indication: ["9180/3"]
cycle_length_days: 21
next_cycle_window: {earliest_days_before_nominal: 0, latest_days_after_nominal: 14, source: "policy"}
supportive_care:
  febrile_neutropenia: {category: low, source: "centre classification"}
blocks:
  A:
    label: a
    drugs:
      - {drug: ifosfamide, dose_per_m2_mg: 1800, days: [1, 2], route: IV}
      - {drug: doxorubicin, dose_per_m2_mg: 25, days: [1], route: IV}
cycles:
  - {number: 1, block: A}
anthracycline_limit: {warn_mg_m2: 300, limit_mg_m2: 300, source: "protocol"}
"""


@pytest.mark.parametrize(("extra", "message"), [
    ("organ_modifications: [{drug: ifosfamide, test: crcl_ml_min, source: s, bands: "
     "[{above: 30, up_to: 60, dose_pct: 75}, {above: 45, dose_pct: 50}]}]\n", "overlap"),
    ("organ_modifications: [{drug: ifosfamide, test: crcl_ml_min, source: s, bands: "
     "[{above: 60, up_to: 30, dose_pct: 75}]}]\n", "up_to must be above"),
    ("toxicity_modifications: [{drug: ifosfamide, term: Neuropathy, grades: {3: 0}, source: s}]\n",
     "not a CTCAE"),
    ("toxicity_modifications: [{drug: ifosfamide, term: Encephalopathy, grades: {2: 50, 3: 75}, "
     "source: s}]\n", "must not rise"),
    ("toxicity_modifications: [{drug: ifosfamide, term: Acute kidney injury, grades: {2: 50}, "
     "source: s}]\n", "no grade"),
    ("toxicity_modifications: [{drug: etoposide, term: Encephalopathy, grades: {2: 0}, source: s}]\n",
     "not given in any cycle"),
    ("variants: {pretreated: {label: v, source: s, blocks: {A: {label: a, drugs: "
     "[{drug: ifosfamide, dose_per_m2_mg: 2400, days: [1, 2], route: IV}]}}}}\n", "same drugs"),
    ("variants: {pretreated: {label: v, source: s, blocks: {B: {label: b, drugs: "
     "[{drug: ifosfamide, dose_per_m2_mg: 2400, days: [1, 2], route: IV}]}}}}\n", "no block"),
])
def test_bad_tables_are_refused(extra, message):
    with pytest.raises(RegimenFileError, match=message):
        parse_regimen(GOOD + extra, "test.yaml")


@pytest.mark.parametrize(("care", "message"), [
    ("  mesna: [{with_drug: ifosfamide, scheme: continuous, source: s}]\n", "pct_of_dose"),
    ("  mesna: [{with_drug: ifosfamide, scheme: bolus_0_4_8h, pct_of_dose: 60, source: s}]\n",
     "not allowed"),
    ("  mesna: [{with_drug: cyclophosphamide, scheme: bolus_0_4_8h, source: s}]\n",
     "not given in any cycle"),
    ("  hydration: [{with_drugs: [ifosfamide], volume_ml_day: 2000, volume_ml_m2_day: 3000, "
     "start_h_before: 2, continue_h_after: 12, fluid: f, source: s}]\n", "exactly one"),
    ("  hydration: [{with_drugs: [cisplatin], volume_ml_day: 2000, start_h_before: 2, "
     "continue_h_after: 12, fluid: f, source: s}]\n", "not given in any cycle"),
])
def test_bad_supportive_care_is_refused(care, message):
    text = GOOD.replace('  febrile_neutropenia: {category: low, source: "centre classification"}\n',
                        '  febrile_neutropenia: {category: low, source: "centre classification"}\n'
                        + care)
    with pytest.raises(RegimenFileError, match=message):
        parse_regimen(text, "test.yaml")


def test_supportive_care_and_window_are_required():
    no_care = GOOD.replace('supportive_care:\n  febrile_neutropenia: {category: low, source: '
                           '"centre classification"}\n', "")
    with pytest.raises(RegimenFileError, match="supportive_care"):
        parse_regimen(no_care, "test.yaml")
    no_window = GOOD.replace('next_cycle_window: {earliest_days_before_nominal: 0, '
                             'latest_days_after_nominal: 14, source: "policy"}\n', "")
    with pytest.raises(RegimenFileError, match="next_cycle_window"):
        parse_regimen(no_window, "test.yaml")
