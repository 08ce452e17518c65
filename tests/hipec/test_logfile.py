"""Reading perfusion exports: layouts, repairs reported as findings, rejections."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rareonco.errors import InvalidInput
from rareonco.hipec import format_csv, parse_csv, read_csv, write_csv

from .conftest import make_log

HEADER = "time_s,inflow_c,outflow_c,ip_upper_c,ip_pelvis_c,flow_l_min\n"


def issues(log) -> list[str]:
    return [f.issue for f in log.data_quality]


def finding_at(log, text: str) -> float | None:
    matches = [f for f in log.data_quality if text in f.issue]
    assert matches, f"no finding containing {text!r} in {issues(log)}"
    return matches[0].t_s


def test_clean_time_s_log_has_no_findings() -> None:
    log = parse_csv(HEADER + "0,44,42,42.1,42.2,1.2\n1,44.1,42,42.2,42.3,1.2\n")
    assert log.t_s.tolist() == [0.0, 1.0]
    assert log.probes == ("inflow", "outflow", "ip_upper", "ip_pelvis")
    assert log.intraperitoneal_probes == ("ip_upper", "ip_pelvis")
    assert log.probes_c["ip_pelvis"].tolist() == [42.2, 42.3]
    assert log.flow_l_min.tolist() == [1.2, 1.2]
    assert log.data_quality == ()
    assert log.started_at is None


def test_iso_times_with_offsets_become_seconds_from_first_sample() -> None:
    text = (
        "time,ip_upper_c,flow_l_min\n"
        "2024-03-05T10:00:00+01:00,42.0,1.2\n"
        "2024-03-05T09:00:01Z,42.1,1.2\n"  # same instant as 10:00:01+01:00
        "2024-03-05T10:00:02.500+01:00,42.2,1.2\n"
    )
    log = parse_csv(text)
    assert log.t_s.tolist() == [0.0, 1.0, 2.5]
    assert (
        log.started_at is not None
        and log.started_at.isoformat() == "2024-03-05T10:00:00+01:00"
    )


def test_bare_clock_times_roll_over_midnight() -> None:
    log = parse_csv("time,ip_upper_c\n23:59:59,42\n00:00:00,42\n00:00:01,42\n")
    assert log.t_s.tolist() == [0.0, 1.0, 2.0]


def test_fahrenheit_is_converted_to_celsius() -> None:
    log = parse_csv("time_s,ip_upper_f,flow_l_min\n0,107.6,1.2\n1,109.4,1.2\n")
    np.testing.assert_allclose(log.probes_c["ip_upper"], [42.0, 43.0])
    assert log.data_quality == ()


def test_european_export_bom_semicolons_decimal_commas_blank_lines() -> None:
    text = "\ufeffTime_s;Inflow_C;IP_Upper_C;Flow_L_min\n0;44,1;42,5;1,2\n\n1;44,0;42,6;1,2\n\n\n"
    log = parse_csv(text)
    assert log.t_s.tolist() == [0.0, 1.0]
    assert log.probes_c["inflow"].tolist() == [44.1, 44.0]
    assert log.probes_c["ip_upper"].tolist() == [42.5, 42.6]
    assert log.flow_l_min.tolist() == [1.2, 1.2]


def test_read_csv_decodes_bom_and_latin1(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        "# Ger\xe4t: Performer HT\ntime_s;ip_upper_c\n0;42,5\n".encode("latin-1")
    )
    log = read_csv(path)
    assert log.probes_c["ip_upper"].tolist() == [42.5]
    assert "1 line(s) before the header skipped" in issues(log)


def test_out_of_order_rows_are_sorted_with_a_finding() -> None:
    log = parse_csv("time_s,ip_upper_c\n0,42.0\n2,42.2\n1,42.1\n3,42.3\n")
    assert log.t_s.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert log.probes_c["ip_upper"].tolist() == [42.0, 42.1, 42.2, 42.3]
    assert finding_at(log, "out of time order") == 1.0


def test_duplicate_timestamps_are_merged_with_a_finding() -> None:
    log = parse_csv(
        "time_s,ip_upper_c,inflow_c\n0,42.0,\n1,42.1,44\n1,42.1,44\n2,42.2,44\n2,42.9,44\n0,,44.5\n"
    )
    assert log.t_s.tolist() == [0.0, 1.0, 2.0]
    # t=0: the empty cell of the first row is filled from the duplicate
    assert log.probes_c["inflow"].tolist() == [44.5, 44.0, 44.0]
    assert log.probes_c["ip_upper"].tolist() == [42.0, 42.1, 42.2]  # first value kept
    assert "identical, merged" in " ".join(issues(log))
    assert finding_at(log, "conflicting values") == 2.0


def test_gap_is_reported_with_its_time() -> None:
    rows = "".join(f"{t},42.5\n" for t in [0, 1, 2, 3, 30, 31, 32])
    log = parse_csv("time_s,ip_upper_c\n" + rows)
    assert finding_at(log, "gap of 27 s") == 3.0
    custom = parse_csv("time_s,ip_upper_c\n" + rows, max_gap_s=60)
    assert not any("gap" in i for i in issues(custom))


def test_empty_cells_become_nan_and_one_finding_per_run() -> None:
    rows = "".join(f"{t},{'' if 10 <= t < 20 else 42.5},1.2\n" for t in range(30))
    log = parse_csv("time_s,ip_pelvis_c,flow_l_min\n" + rows)
    values = log.probes_c["ip_pelvis"]
    assert np.isnan(values[10:20]).all() and np.isfinite(values[:10]).all()
    empties = [f for f in log.data_quality if "empty" in f.issue]
    assert len(empties) == 1
    assert (
        empties[0].t_s == 10.0
        and "10 empty cells from t=10 s to t=19 s" in empties[0].issue
    )


def test_out_of_range_values_are_excluded_with_a_finding() -> None:
    log = parse_csv(
        "time_s,ip_upper_c,flow_l_min\n0,42,1.2\n1,55.2,1.2\n2,19.5,-1\n3,42,1.2\n"
    )
    assert np.isnan(log.probes_c["ip_upper"][[1, 2]]).all()
    assert math.isnan(log.flow_l_min[2])
    assert finding_at(log, "ip_upper_c: 2 implausible values (outside 20-50 C)") == 1.0
    assert finding_at(log, "flow_l_min: implausible value (outside 0-10 L/min)") == 2.0


def test_fahrenheit_range_is_checked_after_conversion() -> None:
    log = parse_csv("time_s,inflow_f\n0,111.2\n1,150\n")  # 44 C, 65.6 C
    assert log.probes_c["inflow"][0] == pytest.approx(44.0)
    assert math.isnan(log.probes_c["inflow"][1])
    assert finding_at(log, "inflow_f: implausible") == 1.0


def test_unreadable_cells_and_rows() -> None:
    log = parse_csv("time_s,ip_upper_c\n0,42\nabc,42\n2,warm\n3,42\n")
    assert log.t_s.tolist() == [0.0, 2.0, 3.0]
    assert math.isnan(log.probes_c["ip_upper"][1])
    assert any("line 3: unreadable time_s 'abc'; row dropped" in i for i in issues(log))
    assert finding_at(log, "unreadable value") == 2.0


def test_extra_columns_are_ignored_and_missing_flow_reported() -> None:
    log = parse_csv("time_s,pressure_mmhg,ip_upper_c,comment\n0,12,42,ok\n")
    assert log.probes == ("ip_upper",)
    assert log.flow_l_min is None
    assert "column(s) ignored: pressure_mmhg, comment" in issues(log)
    assert any("no flow_l_min column" in i for i in issues(log))


def test_no_intraperitoneal_probe_is_a_finding() -> None:
    log = parse_csv("time_s,inflow_c\n0,44\n")
    assert any("no intraperitoneal probe" in i for i in issues(log))


def test_short_and_long_rows_and_repeated_header() -> None:
    log = parse_csv(
        "time_s,ip_upper_c,flow_l_min\n0,42\n1,42,1.2,99\ntime_s,ip_upper_c,flow_l_min\n2,42,1.2\n"
    )
    assert log.t_s.tolist() == [0.0, 1.0, 2.0]
    assert math.isnan(log.flow_l_min[0])
    text = " ".join(issues(log))
    assert "missing cells left empty" in text
    assert "extra cells ignored" in text
    assert "repeated header skipped" in text


def test_many_defects_are_capped() -> None:
    rows = "".join(f"{t},42,{'x' if t % 2 else 1.2}\n" for t in range(200))
    log = parse_csv("time_s,ip_upper_c,flow_l_min\n" + rows)
    assert len(log.data_quality) <= 25
    assert any("more finding(s)" in i for i in issues(log))


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        ("", "file", "empty"),
        ("\n\n  \n", "file", "empty"),
        ("inflow_c,ip_upper_c\n44,42\n", "time", "no time column"),
        ("time_s,flow_l_min\n0,1.2\n", "file", "no temperature column"),
        ("time_s,ip_upper_c\n", "file", "no data rows"),
        ("time_s,ip_upper_c\n\n\n", "file", "no data rows"),
        ("time_s,ip_upper_c,ip_upper_c\n0,42,42\n", "ip_upper_c", "appears 2 times"),
        (
            "time_s,ip_upper_c,ip_upper_f\n0,42,107\n",
            "ip_upper_f",
            "Celsius and a Fahrenheit",
        ),
        ("time_s,ip_upper_c\nx,42\ny,43\n", "time_s", "no row has a readable time"),
        ("time,ip_upper_c\nyesterday,42\n", "time", "no row has a readable time"),
        ("\x89PNG\r\n\x1a\n\x00\x00\x00", "file", "NUL bytes"),
    ],
)
def test_unusable_files_are_rejected_with_a_clear_message(
    text, field, fragment
) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_csv(text)
    assert info.value.field == field
    assert fragment in info.value.reason


def test_read_csv_missing_file(tmp_path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(InvalidInput, match="is a directory"):
        read_csv(tmp_path)


def test_write_and_read_back(tmp_path) -> None:
    log = make_log([0, 1, 2], ip_upper=[42.0, np.nan, 42.25], inflow=44.0)
    write_csv(tmp_path / "x.csv", log)
    back = read_csv(tmp_path / "x.csv")
    np.testing.assert_array_equal(back.probes_c["ip_upper"], [42.0, np.nan, 42.25])
    assert back.flow_l_min.tolist() == [1.2, 1.2, 1.2]


temps = st.one_of(
    st.floats(20.0, 50.0).map(lambda v: round(v, 2)), st.just(float("nan"))
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(temps, temps), min_size=1, max_size=40))
def test_format_then_parse_round_trips(rows) -> None:
    n = len(rows)
    log = make_log(
        np.arange(n) * 0.5, ip_upper=[r[0] for r in rows], inflow=[r[1] for r in rows]
    )
    back = parse_csv(format_csv(log))
    assert back.t_s.tolist() == log.t_s.tolist()
    for name in ("ip_upper", "inflow"):
        np.testing.assert_allclose(back.probes_c[name], log.probes_c[name], atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('time_s,;ipupper_c\n0123456789.-: TZ+"f\ufeff')),
        max_size=200,
    )
)
def test_parse_never_raises_anything_but_invalid_input(text) -> None:
    try:
        log = parse_csv(text)
    except InvalidInput:
        return
    assert np.all(np.diff(log.t_s) > 0)
    for values in log.probes_c.values():
        finite = values[np.isfinite(values)]
        assert np.all((finite >= 20) & (finite <= 50))
