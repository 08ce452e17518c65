"""The schema rejects bad regimen files with the file and field named."""

from __future__ import annotations

from importlib import resources

import pytest

from rareonco.errors import InvalidInput
from rareonco.regimens import RegimenFileError, load_regimen_file, parse_regimen

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
cycles:
  - number: 1
    drugs:
      - {drug: cisplatin, dose_per_m2_mg: 60, days: [1, 2], route: IV}
"""


def write(tmp_path, text, name="test.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path):
    reg = load_regimen_file(write(tmp_path, GOOD))
    assert reg.id == "TEST" and reg.cycles[0].drugs[0].days == (1, 2)


@pytest.mark.parametrize(("change", "field_part"), [
    (("dose_per_m2_mg: 60", "dose_per_m2_mg: -60"), "cycles.0.drugs.0.dose_per_m2_mg"),
    (("dose_per_m2_mg: 60", "dose_per_m2: 60"), "cycles.0.drugs.0"),
    (("route: IV", "route: intravenous"), "cycles.0.drugs.0.route"),
    (("days: [1, 2]", "days: [2, 1]"), "cycles.0.drugs.0"),
    (("days: [1, 2]", "days: [1, 30]"), "cycles"),
    (('version: "0.1.0"', "version: one"), "version"),
    (('indication: ["9180/3"]', 'indication: ["osteosarcoma"]'), "indication.0"),
    (('source: "A. Author, J Test 2020"\n', ""), "source"),
])
def test_bad_field_is_named_with_the_file(tmp_path, change, field_part):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RegimenFileError) as exc:
        load_regimen_file(path)
    err = exc.value
    assert isinstance(err, InvalidInput)
    assert err.filename == "test.yaml"
    assert err.field.startswith("test.yaml: ")
    assert field_part in err.field or field_part in err.reason
    assert "test.yaml" in str(err)


def test_cap_needs_its_source(tmp_path):
    text = GOOD.replace("route: IV}", "route: IV, cap_mg: 100}")
    with pytest.raises(RegimenFileError, match="cap_source"):
        load_regimen_file(write(tmp_path, text))


def test_anthracycline_over_its_own_limit_is_rejected():
    text = GOOD.replace("drug: cisplatin, dose_per_m2_mg: 60",
                        "drug: doxorubicin, dose_per_m2_mg: 200")
    with pytest.raises(RegimenFileError, match="anthracycline_limit"):
        parse_regimen(text, "test.yaml")
    limited = text + "anthracycline_limit: {warn_mg_m2: 300, limit_mg_m2: 300, source: x}\n"
    with pytest.raises(RegimenFileError, match="above the limit"):
        parse_regimen(limited, "test.yaml")


def test_unknown_block_and_bad_yaml_and_wrong_name(tmp_path):
    drugs = "    drugs:\n      - {drug: cisplatin, dose_per_m2_mg: 60, days: [1, 2], route: IV}\n"
    with_block = GOOD.replace(drugs, "    block: NOPE\n")
    with pytest.raises(RegimenFileError, match="unknown block"):
        parse_regimen(with_block, "test.yaml")
    with pytest.raises(RegimenFileError, match="not valid YAML"):
        parse_regimen("id: [unclosed", "test.yaml")
    with pytest.raises(RegimenFileError, match="does not match the file name"):
        parse_regimen(GOOD, "other.yaml")


def test_every_bundled_file_validates():
    files = [e for e in resources.files("rareonco.regimens").iterdir() if e.name.endswith(".yaml")]
    assert len(files) == 8
    for entry in files:
        parse_regimen(entry.read_text(encoding="utf-8"), entry.name)
