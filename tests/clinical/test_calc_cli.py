"""`rareonco calc NAME`: JSON in on stdin, JSON out, exit 2 with {"error", "field"} on bad input."""

import json

import pytest
from typer.testing import CliRunner

from rareonco.calc.catalogue import CALCULATORS

try:  # the main app imports sibling modules other people are writing
    from rareonco.cli import app as main_app

    PREFIX = ["calc"]
except Exception:  # pragma: no cover - only while a sibling module is broken
    from rareonco.cli.calc import app as main_app

    PREFIX = []

runner = CliRunner()


def call(*args: str, stdin: str = ""):
    result = runner.invoke(main_app, [*PREFIX, *args], input=stdin)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("name", list(CALCULATORS))
def test_every_example_runs(name):
    code, out = call(name, stdin=json.dumps(dict(CALCULATORS[name].example)))
    assert code == 0, out
    assert isinstance(json.loads(out), dict)


def test_recist_shape():
    payload = {
        "baseline": {"date": "2024-01-01", "targets": [{"id": "T1", "organ": "liver", "node": False, "mm": 32.0},
                                                       {"id": "T2", "organ": "node", "node": True, "mm": 18.0}],
                     "non_targets": ["N1"]},
        "followups": [
            {"date": "2024-03-01", "targets": {"T1": 20.0, "T2": 12.0}, "non_target": "present", "new_lesions": False},
            {"date": "2024-05-01", "targets": {"T1": None, "T2": 11.0}, "non_target": "present", "new_lesions": False},
        ],
    }
    code, out = call("recist", stdin=json.dumps(payload))
    assert code == 0
    body = json.loads(out)
    assert body["baseline_sum_mm"] == 50.0
    assert body["timepoints"][0]["target_response"] == "PR"
    assert body["timepoints"][0]["change_from_baseline_pct"] == -36.0
    assert body["timepoints"][1]["overall_response"] == "NE"
    assert body["best_overall_response"] == "PR"


def test_cem43_and_bsa():
    samples = [{"t_s": t, "temp_c": 43.0} for t in range(0, 3601, 10)]
    code, out = call("cem43", stdin=json.dumps({"samples": samples, "target_c": [42, 43], "max_gap_s": 30}))
    assert code == 0 and json.loads(out)["cem43_min"] == pytest.approx(60.0)
    code, out = call("bsa", stdin='{"height_cm": 170, "weight_kg": 60, "formula": "dubois"}')
    assert json.loads(out)["bsa_m2"] == pytest.approx(1.6949, abs=1e-4)


@pytest.mark.parametrize(
    ("name", "stdin", "field"),
    [
        ("bsa", "{not json", "body"),
        ("bsa", "[1, 2]", "body"),
        ("bsa", '{"height_cm": NaN, "weight_kg": 60}', "body"),
        ("bsa", '{"height_cm": "170", "weight_kg": 60}', "height_cm"),
        ("bsa", '{"height_cm": 250, "weight_kg": 2}', "weight_kg"),
        ("bsa", '{"height_cm": 170, "weight_kg": 60, "extra": 1}', "extra"),
        ("pci", '{"regions": {"0": 1}}', "regions.1"),
        ("cem43", '{"samples": [{"t_s": 0, "temp_c": 60}, {"t_s": 1, "temp_c": 43}]}', "temp_c"),
        ("recist", '{"baseline": {"date": "2024-01-01", "targets": [{"id": "T1", "organ": "l", "mm": 30}]},'
                   ' "followups": [{"date": "2024-02-01", "targets": {"T1": -4}}]}', "followups.0.targets.T1"),
        ("recist", '{"baseline": {"date": "2024-13-01", "targets": []}, "followups": []}', "baseline.date"),
    ],
)
def test_bad_input_exits_2_with_field(name, stdin, field):
    code, out = call(name, stdin=stdin)
    assert code == 2
    body = json.loads(out)
    assert body["field"] == field and body["error"]


def test_schema_example_and_help():
    code, out = call("recist", "--schema")
    assert code == 0 and "baseline" in json.loads(out)["properties"]
    code, out = call("pci", "--example")
    assert code == 0 and len(json.loads(out)["regions"]) == 13
    code, out = call("--help")
    assert code == 0 and all(name in out for name in CALCULATORS)


def test_cem43_of_a_sparse_log_exits_2_naming_the_interval():
    """An hour at 43 C sampled every 60 s: refused (never a silent 0), then dosed on request."""
    samples = [{"t_s": t, "temp_c": 43.0} for t in range(0, 3601, 60)]
    result = runner.invoke(main_app, [*PREFIX, "cem43"], input=json.dumps({"samples": samples}))
    assert result.exit_code == 2
    body = json.loads(result.stdout)
    assert body["field"] == "t_s" and "60 s apart" in body["error"]
    code, out = call("cem43", stdin=json.dumps({"samples": samples, "max_gap_s": 60}))
    assert code == 0
    res = json.loads(out)
    assert res["cem43_min"] == pytest.approx(60.0) and res["gap_min"] == 0.0
    assert res["sampling_interval_s"] == 60.0 and res["covered_min"] == pytest.approx(60.0)


def test_mtx_level_covers_delay_rescue_glucarpidase_ph_and_interactions():
    """`rareonco calc mtx_level`: a 42 h level between the label's hours is delayed early
    elimination (150 mg q3h), glucarpidase by Ramsey 2018, urine pH and interacting drugs."""
    payload = {"levels": [{"hours_from_start": 24, "level_um": 30}, {"hours_from_start": 42, "level_um": 20}],
               "infusion_hours": 4, "creatinine_x_baseline": 1.6, "urine_ph": 7.2,
               "co_medications": ["Омепразол", "Ibuprofen"]}
    code, out = call("mtx_level", stdin=json.dumps(payload))
    assert code == 0, out
    body = json.loads(out)
    assert body["delayed_elimination"] and body["levels"][1]["delayed"]
    assert (body["leucovorin"]["category"], body["leucovorin"]["dose_mg"]) == ("delayed_early", 150)
    assert body["glucarpidase"]["indicated"] is True and "Ramsey" in body["glucarpidase"]["source"]
    assert body["urine_ph_ready"] is True
    assert [d["drug"] for d in body["interacting_drugs"]] == ["omeprazole", "ibuprofen"]
    code, out = call("mtx_level", stdin='{"levels": [{"hours_from_start": -3, "level_um": 1}]}')
    assert code == 2 and json.loads(out)["field"].startswith("levels.0")
