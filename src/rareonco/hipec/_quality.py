"""Data-quality findings of a perfusion log: merging duplicate times, reporting runs of the
same defect once, gaps, and a capped collection of findings (used by `logfile`)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import numpy as np

from rareonco.clinical.thermal import MAX_TEMP_C, MIN_TEMP_C

from .perfusion import DataQualityFinding

FLOW_COLUMN = "flow_l_min"
#: Flows outside this range (L/min) are instrument errors, not a perfusion.
PLAUSIBLE_FLOW_L_MIN = (0.0, 10.0)
#: Default floor for reporting a gap; the effective limit is max(this, 3 x median interval) so
#: that a machine logging every 10 s is not reported as one long run of gaps.
DEFAULT_MIN_GAP_S = 5.0
#: Findings of one kind beyond this many are summarised in one line.
MAX_FINDINGS_PER_KIND = 20

#: Cell status codes, per column and row.
_OK, _EMPTY, _UNREADABLE, _IMPLAUSIBLE = 0, 1, 2, 3


_Columns = dict[str, np.ndarray]
_Merged = tuple[np.ndarray, _Columns, _Columns, np.ndarray | None, np.ndarray | None]


def _merge_duplicates(t: np.ndarray, values: _Columns, status: _Columns, flow: np.ndarray | None,
                      flow_status: np.ndarray | None, findings: _Findings) -> _Merged:
    """Collapse rows sharing a time: first plausible value per column wins."""
    if t.size < 2 or not np.any(np.diff(t) == 0):
        return t, values, status, flow, flow_status
    starts = np.concatenate(([True], np.diff(t) != 0))
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    n_groups = first.size

    def merge(v: np.ndarray, st: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = np.full(n_groups, np.nan)
        out_st = np.full(n_groups, _EMPTY, dtype=np.int8)
        # Walk backwards so that the first plausible value of each group is written last.
        for i in range(v.size - 1, -1, -1):
            g = group[i]
            if math.isfinite(v[i]):
                out[g], out_st[g] = v[i], _OK
            elif out_st[g] != _OK and (st[i] != _EMPTY or out_st[g] == _EMPTY):
                out_st[g] = st[i]
        return out, out_st

    all_columns = list(values.values()) + ([flow] if flow is not None else [])
    for g in np.flatnonzero(np.bincount(group) > 1):
        members = np.flatnonzero(group == g)
        conflict = any(
            np.ptp(col[members][np.isfinite(col[members])]) > 0.005
            for col in all_columns
            if np.isfinite(col[members]).sum() > 1
        )
        what = "conflicting values, first kept" if conflict else "identical, merged"
        findings.add(
            "duplicate",
            float(t[members[0]]),
            f"{members.size} rows at {_s(t[members[0]])} ({what})",
        )
    merged_v, merged_st = {}, {}
    for name in values:
        merged_v[name], merged_st[name] = merge(values[name], status[name])
    if flow is not None and flow_status is not None:
        flow, flow_status = merge(flow, flow_status)
    return t[first], merged_v, merged_st, flow, flow_status


# -- findings ---------------------------------------------------------------------------------

_RUN_TEXT = {
    _EMPTY: ("empty cell", "empty cells"),
    _UNREADABLE: ("unreadable value", "unreadable values"),
    _IMPLAUSIBLE: ("implausible value", "implausible values"),
}


def _report_runs(
    t: np.ndarray, st: np.ndarray, column: str, findings: _Findings
) -> None:
    for kind in (_EMPTY, _UNREADABLE, _IMPLAUSIBLE):
        for a, b in _runs(st == kind):
            one, many = _RUN_TEXT[kind]
            limit = (
                (
                    f" (outside {PLAUSIBLE_FLOW_L_MIN[0]:g}-{PLAUSIBLE_FLOW_L_MIN[1]:g} L/min)"
                    if column == FLOW_COLUMN
                    else f" (outside {MIN_TEMP_C:g}-{MAX_TEMP_C:g} C)"
                )
                if kind == _IMPLAUSIBLE
                else ""
            )
            if b - a == 1:
                text = f"{column}: {one}{limit} at {_s(t[a])}; treated as missing"
            else:
                text = (
                    f"{column}: {b - a} {many}{limit} from {_s(t[a])} to {_s(t[b - 1])}; "
                    "treated as missing"
                )
            findings.add(f"{column}:{kind}", float(t[a]), text)


def _runs(mask: np.ndarray) -> Iterator[tuple[int, int]]:
    """Half-open index ranges [a, b) where ``mask`` is true."""
    if not mask.any():
        return
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    yield from zip(
        np.flatnonzero(edges == 1).tolist(),
        np.flatnonzero(edges == -1).tolist(),
        strict=True,
    )


def _report_gaps(t: np.ndarray, max_gap_s: float | None, findings: _Findings) -> None:
    if t.size < 2:
        return
    dt = np.diff(t)
    limit = (
        max_gap_s
        if max_gap_s is not None
        else max(DEFAULT_MIN_GAP_S, 3 * float(np.median(dt)))
    )
    for i in np.flatnonzero(dt > limit).tolist():
        findings.add(
            "gap",
            float(t[i]),
            f"gap of {dt[i]:.4g} s without samples after {_s(t[i])} (limit {limit:.4g} s)",
        )


def _s(t: float) -> str:
    return f"t={float(t):.4g} s" if abs(t) < 1e5 else f"t={float(t):.0f} s"


class _Findings:
    """Collects findings, capping each kind so a pathological file yields a readable list."""

    def __init__(self) -> None:
        self._items: list[DataQualityFinding] = []
        self._per_kind: Counter[str] = Counter()
        self._first_t: dict[str, float | None] = {}

    def add(self, kind: str, t_s: float | None, issue: str) -> None:
        self._per_kind[kind] += 1
        if self._per_kind[kind] <= MAX_FINDINGS_PER_KIND:
            self._items.append(DataQualityFinding(t_s, issue))

    def sorted(self) -> tuple[DataQualityFinding, ...]:
        items = list(self._items)
        for kind, n in self._per_kind.items():
            if n > MAX_FINDINGS_PER_KIND:
                items.append(
                    DataQualityFinding(
                        None,
                        f"... and {n - MAX_FINDINGS_PER_KIND} more finding(s) like the above ({kind})",
                    )
                )
        # File-level findings first, then in time order; sort is stable within equal times.
        return tuple(sorted(items, key=lambda f: (f.t_s is not None, f.t_s or 0.0)))
