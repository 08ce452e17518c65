"""`rareonco course` through Typer's test runner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from rareonco.cli.course import app

runner = CliRunner()
P6 = ["plan", "--regimen", "P6", "--height-cm", "168", "--weight-kg", "55", "--start", "2026-01-05"]


def test_plan_json_shape():
    result = runner.invoke(app, [*P6, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["regimen"] == "P6" and data["bsa_m2"] == 1.6021
    assert len(data["cycles"]) == 7
    c1 = data["cycles"][0]
    assert c1["number"] == 1 and c1["start"] == "2026-01-05"
    cyclo = c1["drugs"][0]
    assert cyclo["drug"] == "cyclophosphamide" and cyclo["dose_per_m2_mg"] == 2100
    assert cyclo["days"] == [1, 2] and cyclo["capped"] is False
    assert cyclo["mg_per_day"] == 3364.37 and cyclo["total_mg"] == 6728.74
    vcr = c1["drugs"][2]
    assert vcr["capped"] is True and vcr["total_mg"] == 2.0
    assert data["cycles"][6]["start"] == "2026-05-11"  # + 6 x 21 days


def test_plan_table():
    result = runner.invoke(app, P6, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "1.6021" in result.stdout and "3364.37" in result.stdout
    assert "applied" in result.stdout


def test_regimens_list():
    result = runner.invoke(app, ["regimens", "--json"])
    assert result.exit_code == 0
    ids = [r["id"] for r in json.loads(result.stdout)]
    assert ids == sorted(ids) and "P6" in ids and "MAP" in ids
    table = runner.invoke(app, ["regimens"], env={"COLUMNS": "160"})
    assert table.exit_code == 0 and "TRABECTEDIN" in table.stdout


def test_regimen_id_is_case_insensitive():
    args = [*P6, "--json"]
    args[2] = "p6"
    assert runner.invoke(app, args).exit_code == 0


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--regimen", "NOPE", "--regimen: unknown regimen 'NOPE'"),
    ("--height-cm", "0", "--height-cm:"),
    ("--weight-kg", "900", "--weight-kg:"),
    ("--start", "2026-13-01", "--start: '2026-13-01' is not a date"),
    ("--start", "tomorrow", "--start:"),
])
def test_bad_input_exits_2_with_a_clear_message(option, value, message):
    args = list(P6)
    args[args.index(option) + 1] = value
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_bad_input_with_json_prints_the_error_as_json_too():
    args = [*P6, "--json"]
    args[2] = "NOPE"
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": result.stderr.split(": ", 2)[2].strip(), "field": "--regimen"}


def test_non_numeric_height_is_a_usage_error():
    args = list(P6)
    args[4] = "tall"
    result = runner.invoke(app, args)
    assert result.exit_code == 2
