"""Perfusion logs as CSV: reading an export with its data-quality findings, and writing one.

Accepted layout (what perfusion machines export; see issue 6):

- a time column: ``time`` (ISO 8601 date-time, with or without a UTC offset, or a bare clock time
  ``HH:MM:SS[.fff]`` that may roll over midnight) or ``time_s`` (seconds);
- temperature columns ``<probe>_c`` (Celsius) or ``<probe>_f`` (Fahrenheit, converted to C);
- optionally ``flow_l_min``; any other column is ignored and reported.

Real-world exports are tolerated: UTF-8 byte-order mark, ``;`` or tab delimiters, decimal commas,
a preamble of metadata lines before the header, blank lines, a repeated header line, short or
long rows. Defects of the samples are repaired and reported as :class:`DataQualityFinding` with
their times: rows out of time order are sorted; rows with the same time are merged (first
plausible value per column wins); empty or unreadable cells and temperatures outside 20-50 C
become NaN; gaps between samples longer than ``max_gap_s`` are listed. Runs of the same defect in
the same column are reported once, so a probe that drops out yields one finding, not thousands.

A file that cannot be a perfusion log (no time column, no temperature column, no data row, binary
content) raises :class:`rareonco.errors.InvalidInput` with the column (or ``"file"``) and reason.

Only :func:`read_csv` and :func:`write_csv` touch the file system; the rest is pure.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from datetime import datetime, time
from pathlib import Path

import numpy as np

from rareonco.clinical.thermal import MAX_TEMP_C, MIN_TEMP_C
from rareonco.errors import InvalidInput

from .perfusion import PerfusionLog

__all__ = ["FLOW_COLUMN", "format_csv", "parse_csv", "read_csv", "write_csv"]

from ._quality import (  # noqa: F401 - FLOW_COLUMN etc. are part of this module's API
    _EMPTY,
    _IMPLAUSIBLE,
    _OK,
    _UNREADABLE,
    DEFAULT_MIN_GAP_S,
    FLOW_COLUMN,
    MAX_FINDINGS_PER_KIND,
    PLAUSIBLE_FLOW_L_MIN,
    _Findings,
    _merge_duplicates,
    _report_gaps,
    _report_runs,
    _s,
)

_PREAMBLE_MAX_LINES = 30

_TEMP_COLUMN = re.compile(r"^(?P<probe>[a-z][a-z0-9_]*?)_(?P<unit>[cf])$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")



def read_csv(path: str | Path, *, max_gap_s: float | None = None) -> PerfusionLog:
    """Read a perfusion export from ``path``; see :func:`parse_csv`.

    Raises :class:`InvalidInput` (field ``"file"``) when the file is missing, unreadable or not
    text.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InvalidInput("file", f"{p}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput("file", f"{p}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise InvalidInput(
            "file", f"{p}: cannot be read ({exc.strerror or exc})"
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older machines export in a Windows code page; latin-1 never fails and only the
        # header names and numbers matter.
        text = raw.decode("latin-1")
    return parse_csv(text, max_gap_s=max_gap_s)


def write_csv(path: str | Path, log: PerfusionLog) -> None:
    """Write ``log`` to ``path`` in the layout of :func:`format_csv`."""
    Path(path).write_text(format_csv(log), encoding="utf-8")


def format_csv(log: PerfusionLog) -> str:
    """The log as CSV text: ``time_s``, ``<probe>_c`` columns, ``flow_l_min``; NaN as empty."""
    names = ["time_s", *(f"{p}_c" for p in log.probes_c)]
    columns = [
        _fmt_column(log.t_s, 3),
        *(_fmt_column(v, 2) for v in log.probes_c.values()),
    ]
    if log.flow_l_min is not None:
        names.append(FLOW_COLUMN)
        columns.append(_fmt_column(log.flow_l_min, 3))
    lines = [",".join(names)]
    lines.extend(",".join(row) for row in zip(*columns, strict=True))
    return "\n".join(lines) + "\n"


def _fmt_column(values: np.ndarray, decimals: int) -> list[str]:
    rounded = np.round(np.asarray(values, dtype=float), decimals)
    return [
        "" if not math.isfinite(v) else f"{v:.{decimals}f}".rstrip("0").rstrip(".")
        for v in rounded.tolist()
    ]


def parse_csv(text: str, *, max_gap_s: float | None = None) -> PerfusionLog:
    """Parse the text of a perfusion export into a cleaned :class:`PerfusionLog`.

    Parameters
    ----------
    text : the whole file as text.
    max_gap_s : seconds; intervals between samples longer than this are reported as gaps.
        Default: max(5 s, 3 x the median sampling interval).

    Raises
    ------
    InvalidInput
        field ``"time"`` without a time column or when no time can be read; field ``"file"``
        without a temperature column, without data rows, or for binary content; field
        ``<column>`` for a column that appears twice.
    """
    if max_gap_s is not None and not (math.isfinite(max_gap_s) and max_gap_s > 0):
        raise InvalidInput("max_gap_s", "must be a positive number of seconds")
    findings = _Findings()
    header_idx, delimiter, lines = _locate_header(text)
    if header_idx:
        findings.add(
            "preamble", None, f"{header_idx} line(s) before the header skipped"
        )
    rows = list(csv.reader(lines[header_idx:], delimiter=delimiter))
    header = [_normalise_name(h) for h in rows[0]]
    layout = _Layout.of(header, findings)
    cells, line_numbers = _data_rows(rows[1:], header, header_idx + 2, findings)
    if not cells:
        raise InvalidInput("file", "no data rows after the header")

    t_abs, started, ok_rows = _parse_times(
        [r[layout.time_col] for r in cells], layout.time_name, line_numbers, findings
    )
    if not ok_rows:
        raise InvalidInput(layout.time_name, "no row has a readable time")
    cells = [cells[i] for i in ok_rows]
    t_abs = t_abs[ok_rows]
    start_dt = started[int(np.argmin(t_abs))] if started is not None else None
    t = t_abs - t_abs.min()

    values: dict[str, np.ndarray] = {}
    status: dict[str, np.ndarray] = {}
    for name, (col, unit) in layout.temps.items():
        values[name], status[name] = _parse_temps([r[col] for r in cells], unit)
    flow = flow_status = None
    if layout.flow_col is not None:
        flow, flow_status = _parse_numbers(
            [r[layout.flow_col] for r in cells], PLAUSIBLE_FLOW_L_MIN
        )

    order = np.argsort(t, kind="stable")
    if np.any(np.diff(t) < 0):
        back = np.flatnonzero(np.diff(t) < 0)
        findings.add(
            "order",
            float(t[back[0] + 1]),
            f"{back.size} sample(s) out of time order (first at {_s(t[back[0] + 1])}); "
            "sorted by time",
        )
    t = t[order]
    values = {k: v[order] for k, v in values.items()}
    status = {k: v[order] for k, v in status.items()}
    if flow is not None and flow_status is not None:
        flow, flow_status = flow[order], flow_status[order]

    t, values, status, flow, flow_status = _merge_duplicates(
        t, values, status, flow, flow_status, findings
    )
    for name, st in status.items():
        _report_runs(t, st, layout.temp_columns[name], findings)
    if flow_status is not None:
        _report_runs(t, flow_status, FLOW_COLUMN, findings)
    for name, v in values.items():
        if not np.any(np.isfinite(v)):
            findings.add(
                "silent",
                None,
                f"{layout.temp_columns[name]}: no plausible value at all",
            )
    _report_gaps(t, max_gap_s, findings)

    return PerfusionLog(
        t_s=t,
        probes_c=values,
        flow_l_min=flow,
        started_at=start_dt,
        data_quality=findings.sorted(),
    )


# -- header -----------------------------------------------------------------------------------


def _locate_header(text: str) -> tuple[int, str, list[str]]:
    if "\x00" in text:
        raise InvalidInput("file", "contains NUL bytes: not a text CSV export")
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InvalidInput("file", "is empty")
    for idx, line in enumerate(lines[:_PREAMBLE_MAX_LINES]):
        if not line.strip():
            continue
        delimiter = _sniff_delimiter(line)
        names = {
            _normalise_name(c) for c in next(csv.reader([line], delimiter=delimiter))
        }
        if names & {"time", "time_s"}:
            return idx, delimiter, lines
    first = next(line for line in lines if line.strip())
    raise InvalidInput(
        "time",
        "no time column: expected 'time' (ISO 8601) or 'time_s' (seconds) in the header, "
        f"found {first.strip()[:120]!r}",
    )


def _sniff_delimiter(line: str) -> str:
    # The header has no decimal commas, so the most frequent candidate is the delimiter;
    # ';' and tab win ties because exports that use them also use decimal commas.
    counts = {d: line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _normalise_name(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().strip('"').strip().lower())


class _Layout:
    """Which column holds what."""

    def __init__(self) -> None:
        self.time_col = -1
        self.time_name = "time"
        self.temps: dict[str, tuple[int, str]] = {}
        self.temp_columns: dict[str, str] = {}
        self.flow_col: int | None = None

    @classmethod
    def of(cls, header: list[str], findings: _Findings) -> _Layout:
        layout = cls()
        counts = Counter(header)
        for name, n in counts.items():
            if n > 1 and name:
                raise InvalidInput(name, f"column appears {n} times in the header")
        if "time_s" in header:
            layout.time_col, layout.time_name = header.index("time_s"), "time_s"
            if "time" in header:
                findings.add(
                    "columns", None, "both 'time' and 'time_s' present; 'time_s' used"
                )
        else:
            layout.time_col = header.index("time")
        ignored = []
        for col, name in enumerate(header):
            if col == layout.time_col or name == "time":
                continue
            if name == FLOW_COLUMN:
                layout.flow_col = col
                continue
            m = _TEMP_COLUMN.match(name)
            if m is None:
                ignored.append(name or f"(unnamed column {col + 1})")
                continue
            probe = m["probe"]
            if probe in layout.temps:
                raise InvalidInput(
                    name, f"probe '{probe}' has both a Celsius and a Fahrenheit column"
                )
            layout.temps[probe] = (col, m["unit"])
            layout.temp_columns[probe] = name
        if not layout.temps:
            raise InvalidInput(
                "file",
                "no temperature column: expected '<probe>_c' or '<probe>_f' "
                f"(e.g. inflow_c, ip_upper_c); header has {', '.join(header)}",
            )
        if ignored:
            findings.add("columns", None, f"column(s) ignored: {', '.join(ignored)}")
        if layout.flow_col is None:
            findings.add(
                "columns", None, f"no {FLOW_COLUMN} column: flow cannot be checked"
            )
        if not any(p.startswith("ip_") for p in layout.temps):
            findings.add(
                "columns",
                None,
                "no intraperitoneal probe column (ip_*): the plateau cannot be determined",
            )
        return layout


def _data_rows(
    rows: list[list[str]], header: list[str], first_line: int, findings: _Findings
) -> tuple[list[list[str]], list[int]]:
    width = len(header)
    cells: list[list[str]] = []
    line_numbers: list[int] = []
    for offset, row in enumerate(rows):
        line = first_line + offset
        if not any(c.strip() for c in row):
            continue
        if [_normalise_name(c) for c in row] == header:
            findings.add("header", None, f"line {line}: repeated header skipped")
            continue
        if len(row) != width:
            extra = (
                "extra cells ignored"
                if len(row) > width
                else "missing cells left empty"
            )
            findings.add(
                "width",
                None,
                f"line {line}: {len(row)} cells, header has {width}; {extra}",
            )
            row = (row + [""] * width)[:width]
        cells.append(row)
        line_numbers.append(line)
    return cells, line_numbers


# -- values -----------------------------------------------------------------------------------


def _parse_times(
    raw: list[str], column: str, line_numbers: list[int], findings: _Findings
) -> tuple[np.ndarray, list[datetime] | None, list[int]]:
    """Absolute times in seconds (NaN where unreadable), datetimes if ISO, readable row indices."""
    t = np.full(len(raw), np.nan)
    stamps: list[datetime] | None = None if column == "time_s" else []
    aware: bool | None = None
    day_offset = 0.0
    last_clock = None
    for i, cell in enumerate(raw):
        cell = cell.strip()
        problem = None
        if column == "time_s":
            try:
                value = float(_decimal_point(cell))
            except ValueError:
                value = math.nan
            if math.isfinite(value):
                t[i] = value
            else:
                problem = "unreadable time_s"
        else:
            stamp, clock = _parse_iso(cell)
            if stamp is not None:
                is_aware = stamp.tzinfo is not None
                if aware is None:
                    aware = is_aware
                if is_aware != aware:
                    problem = "time zone offset given on some rows but not others"
                else:
                    t[i] = stamp.timestamp() if is_aware else _naive_seconds(stamp)
            elif clock is not None:
                # A bare clock time: a drop of more than 12 h means the perfusion ran past
                # midnight, not that rows are 23 h out of order.
                seconds = (
                    clock.hour * 3600
                    + clock.minute * 60
                    + clock.second
                    + clock.microsecond / 1e6
                )
                if last_clock is not None and seconds + day_offset < last_clock - 43200:
                    day_offset += 86400.0
                t[i] = seconds + day_offset
                last_clock = t[i]
            else:
                problem = "unreadable ISO 8601 time"
            if stamps is not None:
                stamps.append(stamp if stamp is not None else datetime.min)
        if problem:
            findings.add(
                "time", None, f"line {line_numbers[i]}: {problem} {cell!r}; row dropped"
            )
    ok = [i for i in range(len(raw)) if math.isfinite(t[i])]
    if stamps is not None and not any(s is not datetime.min for s in stamps):
        stamps = None
    if stamps is not None:
        stamps = [stamps[i] for i in ok]
    return t, stamps, ok


def _parse_iso(cell: str) -> tuple[datetime | None, time | None]:
    text = cell.replace("z", "Z")
    try:
        return datetime.fromisoformat(text), None
    except ValueError:
        pass
    if ":" not in text:
        return None, None
    try:
        return None, time.fromisoformat(text)
    except ValueError:
        return None, None


def _naive_seconds(stamp: datetime) -> float:
    return (stamp - datetime(1970, 1, 1)).total_seconds()


def _decimal_point(cell: str) -> str:
    return cell.replace(",", ".") if _DECIMAL_COMMA.match(cell) else cell


def _parse_numbers(
    raw: list[str], plausible: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    values = np.full(len(raw), np.nan)
    status = np.zeros(len(raw), dtype=np.int8)
    for i, cell in enumerate(raw):
        cell = cell.strip()
        if not cell or cell.lower() in {"nan", "na", "n/a", "-", "--"}:
            status[i] = _EMPTY
            continue
        try:
            v = float(_decimal_point(cell))
        except ValueError:
            status[i] = _UNREADABLE
            continue
        if not math.isfinite(v):
            status[i] = _UNREADABLE
        elif not plausible[0] <= v <= plausible[1]:
            status[i] = _IMPLAUSIBLE
        else:
            values[i] = v
    return values, status


def _parse_temps(raw: list[str], unit: str) -> tuple[np.ndarray, np.ndarray]:
    if unit == "c":
        return _parse_numbers(raw, (MIN_TEMP_C, MAX_TEMP_C))
    lo_f, hi_f = MIN_TEMP_C * 9 / 5 + 32, MAX_TEMP_C * 9 / 5 + 32
    values_f, status = _parse_numbers(raw, (lo_f, hi_f))
    return (values_f - 32.0) * 5.0 / 9.0, status


