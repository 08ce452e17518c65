"""`rareonco hipec simulate | analyse | report`: exit codes, JSON shape, one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from rareonco.cli.hipec import app

runner = CliRunner()


@pytest.fixture(scope="module")
def faulty_log(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("hipec") / "log.csv"
    result = runner.invoke(
        app,
        [
            "simulate",
            "--minutes",
            "60",
            "--seed",
            "1",
            "--fault",
            "probe_dropout:ip_pelvis@20",
            "--fault",
            "heater_failure@35",
            "--out",
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    return str(path)


def test_simulate_writes_the_csv_layout(faulty_log) -> None:
    with open(faulty_log) as f:
        header = f.readline().strip()
    assert header == "time_s,inflow_c,outflow_c,ip_upper_c,ip_pelvis_c,flow_l_min"


def test_simulate_to_stdout() -> None:
    result = runner.invoke(app, ["simulate", "--minutes", "1", "--rate-hz", "2"])
    assert result.exit_code == 0
    assert len(result.stdout.strip().splitlines()) == 1 + 121


def test_analyse_json_shape(faulty_log) -> None:
    result = runner.invoke(app, ["analyse", faulty_log, "--target", "42-43", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["plateau"]) == {"start_s", "end_s"}
    assert (
        300 <= data["plateau"]["start_s"] <= 900 and data["plateau"]["end_s"] == 3600.0
    )
    assert set(data["probes"]) == {"inflow", "outflow", "ip_upper", "ip_pelvis"}
    for stats in data["probes"].values():
        assert set(stats) == {
            "min_c",
            "max_c",
            "mean_c",
            "time_in_range_min",
            "cem43_min",
            "coverage",
            "gap_min",
        }
    kinds = [(a["type"], a["probe"]) for a in data["alarms"]]
    assert ("probe_silent", "ip_pelvis") in kinds and (
        "under_temperature",
        "ip_upper",
    ) in kinds
    for alarm in data["alarms"]:
        assert {"t_s", "type", "probe", "level"} <= set(alarm)
        assert ("predicted_crossing_s" in alarm) == alarm["type"].endswith("_predicted")
        assert alarm["type"] in {
            "over_temperature",
            "over_temperature_predicted",
            "under_temperature",
            "under_temperature_predicted",
            "target_not_reached",
            "probe_silent",
            "probe_flatline",
            "flow_low",
        }
    assert data["data_quality"][0]["t_s"] == 1200.0
    assert set(data["data_quality"][0]) == {"t_s", "issue"}


def test_analyse_human_output(faulty_log) -> None:
    result = runner.invoke(app, ["analyse", faulty_log])
    assert result.exit_code == 0
    assert "ip_pelvis" in result.stdout and "probe_silent" in result.stdout


def _assert_clean_failure(result, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert (
        result.stderr.startswith("error: ")
        and len(result.stderr.strip().splitlines()) == 1
    )
    assert "Traceback" not in result.output


def test_missing_file(tmp_path) -> None:
    _assert_clean_failure(
        runner.invoke(app, ["analyse", str(tmp_path / "none.csv")]), "no such file"
    )


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("inflow_c,ip_upper_c\n44,42\n", "no time column"),
        ("time_s,flow_l_min\n0,1.2\n", "no temperature column"),
        ("time_s,ip_upper_c\n", "no data rows"),
        ("", "empty"),
    ],
)
def test_malformed_csv(tmp_path, content, fragment) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    _assert_clean_failure(runner.invoke(app, ["analyse", str(path)]), fragment)
    json_result = runner.invoke(app, ["analyse", str(path), "--json"])
    assert json_result.exit_code == 2
    assert fragment in json.loads(json_result.stdout)["error"]


@pytest.mark.parametrize("target", ["42", "43-42", "abc", "10-60"])
def test_bad_target(faulty_log, target) -> None:
    _assert_clean_failure(
        runner.invoke(app, ["analyse", faulty_log, "--target", target]), "target"
    )


def test_decimal_comma_target_is_accepted(faulty_log) -> None:
    result = runner.invoke(
        app, ["analyse", faulty_log, "--target", "41,5-43", "--json"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["target_c"] == [41.5, 43.0]


@pytest.mark.parametrize(
    "fault",
    ["explode@3", "probe_dropout@3", "heater_failure@99", "probe_dropout:ip_nowhere@3"],
)
def test_bad_fault(tmp_path, fault) -> None:
    result = runner.invoke(
        app,
        [
            "simulate",
            "--minutes",
            "10",
            "--fault",
            fault,
            "--out",
            str(tmp_path / "x.csv"),
        ],
    )
    _assert_clean_failure(result, "fault")


def test_unwritable_output(tmp_path) -> None:
    result = runner.invoke(
        app,
        [
            "simulate",
            "--minutes",
            "1",
            "--out",
            str(tmp_path / "missing-dir" / "x.csv"),
        ],
    )
    _assert_clean_failure(result, "No such file or directory")


def test_report_html_and_pdf(faulty_log, tmp_path) -> None:
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    result = runner.invoke(
        app,
        [
            "report",
            faulty_log,
            "--out",
            str(html),
            "--pdf",
            str(pdf),
            "--meta",
            "Procedure=CRS + HIPEC",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "CRS + HIPEC" in html.read_text()
    assert pdf.read_bytes().startswith(b"%PDF")


def test_report_bad_meta(faulty_log, tmp_path) -> None:
    result = runner.invoke(
        app,
        [
            "report",
            faulty_log,
            "--out",
            str(tmp_path / "r.html"),
            "--meta",
            "no-equals-sign",
        ],
    )
    _assert_clean_failure(result, "LABEL=VALUE")


def _write(tmp_path, log) -> str:
    from rareonco.hipec import format_csv

    path = tmp_path / "log.csv"
    path.write_text(format_csv(log))
    return str(path)


def test_analyse_json_lists_every_alarm_with_level_and_forecast(tmp_path) -> None:
    from rareonco.hipec import parse_fault, simulate

    path = _write(tmp_path, simulate(40, seed=1, faults=[parse_fault("drift@20,rate=0.2")]))
    result = runner.invoke(app, ["analyse", path, "--target", "42-43", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    predicted = [a for a in data["alarms"] if a["type"] == "over_temperature_predicted"]
    actual = [a for a in data["alarms"] if a["type"] == "over_temperature"]
    assert predicted and actual and predicted[0]["t_s"] < actual[0]["t_s"]
    assert predicted[0]["t_s"] < predicted[0]["predicted_crossing_s"]
    assert all(isinstance(a["level"], int) for a in data["alarms"])
    assert {life["episode"] for life in data["alarm_lives"]} == {
        a["episode"] for a in data["alarms"]}


def test_analyse_heater_failure_with_a_cool_target_and_an_acknowledgement(tmp_path) -> None:
    from rareonco.hipec import parse_fault, simulate

    path = _write(tmp_path, simulate(30, seed=1, faults=[parse_fault("heater_failure@3")]))
    result = runner.invoke(app, ["analyse", path, "--json", "--reach-min", "10",
                                 "--ack", "target_not_reached@620=anna"])
    data = json.loads(result.stdout)
    target = [a for a in data["alarms"] if a["type"] == "target_not_reached"]
    assert target[0]["t_s"] == 600.0 and target[0]["level"] == 1
    (life,) = [x for x in data["alarm_lives"] if x["type"] == "target_not_reached"]
    assert life["acknowledgements"][0]["by"] == "anna"
    # acknowledged at 0.3 min short: quiet until 5 more minutes are lost (920 s), then no
    # longer acknowledged, so the 5-minute repeats resume
    assert [a["t_s"] for a in target] == [600.0, 920.0, 1220.0, 1520.0]
    assert [a["level"] for a in target] == [1, 2, 3, 3]
    human = runner.invoke(app, ["analyse", path, "--reach-min", "10",
                                "--ack", "target_not_reached@620=anna"])
    assert "acknowledged by anna at 620 s" in human.stdout and "alarm L1" in human.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(["--target", "43-41"], "target"), (["--ack", "bogus@3=x"], "ack"),
     (["--ack", "over_temperature"], "ack"), (["--duration-min", "0"], "duration_min"),
     (["--inflow-max", "42"], "inflow_max_c")],
)
def test_bad_prescription_options_exit_2_naming_the_field(faulty_log, args, fragment) -> None:
    _assert_clean_failure(runner.invoke(app, ["analyse", faulty_log, *args]), fragment)


def test_sparse_log_is_refused_naming_the_interval_unless_the_gap_limit_is_raised(
        tmp_path) -> None:
    path = tmp_path / "sparse.csv"
    path.write_text("time_s,ip_upper_c\n" + "".join(f"{t},43.0\n" for t in range(0, 3601, 60)))
    result = runner.invoke(app, ["analyse", str(path)])
    _assert_clean_failure(result, "60 s apart")
    assert "ip_upper" in result.stderr and "max_gap_s" in result.stderr
    ok = runner.invoke(app, ["analyse", str(path), "--max-gap-s", "60", "--json"])
    probe = json.loads(ok.stdout)["probes"]["ip_upper"]
    assert probe["cem43_min"] == pytest.approx(60.0) and probe["coverage"] == 1.0


def test_simulate_with_parameterised_faults_and_a_core_probe(tmp_path) -> None:
    out = tmp_path / "drift.csv"
    result = runner.invoke(app, ["simulate", "--minutes", "10", "--probes",
                                 "inflow,ip_upper,bladder", "--fault", "drift@2,rate=0.3",
                                 "--fault", "probe_dropout:ip_upper@5,for=1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0] == "time_s,inflow_c,ip_upper_c,bladder_c,flow_l_min"
    bad = runner.invoke(app, ["simulate", "--minutes", "10", "--fault", "drift@2,speed=1"])
    _assert_clean_failure(bad, "takes no parameter 'speed'")
