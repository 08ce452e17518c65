"""Thermal dose as cumulative equivalent minutes at 43 C (CEM43).

Source: Sapareto SA, Dewey WC. Thermal dose determination in cancer therapy.
Int J Radiat Oncol Biol Phys 1984;10(6):787-800, equation (Discussion, "thermal dose"):

    CEM43 = sum_i dt_i * R ** (43 - T_i),   R = 0.5 for T >= 43 C, R = 0.25 for T < 43 C,

with ``dt_i`` in minutes and ``T_i`` the (constant) temperature over interval ``i``.

Discretisation chosen here (documented because the paper integrates a continuous curve):
the samples ``(t_s[k], temp_c[k])`` bound intervals ``[t_s[k], t_s[k+1]]``; the temperature over an
interval is the mean of its two endpoints (trapezoidal in temperature, exact for a linear ramp's
midpoint). Each interval is classified whole as below, in, or above the target range by that same
mean temperature. An interval longer than ``max_gap_s`` is a gap in the record: it is excluded from
every sum and reported in ``ThermalDose.gaps`` so that missing data is never bridged silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from rareonco.errors import InvalidInput

#: Physiologically and technically plausible range of a measured tissue/perfusate temperature.
MIN_TEMP_C = 20.0
MAX_TEMP_C = 50.0

__all__ = [
    "MAX_TEMP_C",
    "MIN_TEMP_C",
    "Gap",
    "ThermalDose",
    "cem43_min",
    "thermal_dose",
]


@dataclass(frozen=True)
class Gap:
    """An interval of the record longer than the allowed sampling gap (seconds)."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class ThermalDose:
    """Result of :func:`thermal_dose`; all durations in minutes."""

    cem43_min: float
    time_in_range_min: float
    time_above_min: float
    time_below_min: float
    gaps: tuple[Gap, ...]
    #: Minutes of the record left out as gaps, and minutes dosed (first to last sample minus gaps).
    gap_min: float = 0.0
    covered_min: float = 0.0
    #: Median interval between samples, s (None for fewer than two samples).
    sampling_interval_s: float | None = None


def _validated(
    t_s: ArrayLike | Sequence[float], temp_c: ArrayLike | Sequence[float], max_gap_s: float | None
) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(t_s, dtype=float)
    temp = np.asarray(temp_c, dtype=float)
    if t.ndim != 1:
        raise InvalidInput("t_s", "must be a one-dimensional series of times in seconds")
    if temp.ndim != 1:
        raise InvalidInput("temp_c", "must be a one-dimensional series of temperatures in C")
    if t.shape != temp.shape:
        raise InvalidInput(
            "temp_c", f"has {temp.size} values but t_s has {t.size}; they must pair up"
        )
    if not np.all(np.isfinite(t)):
        raise InvalidInput("t_s", "contains NaN or infinite times")
    if not np.all(np.isfinite(temp)):
        raise InvalidInput("temp_c", "contains NaN or infinite temperatures")
    if temp.size and (temp.min() < MIN_TEMP_C or temp.max() > MAX_TEMP_C):
        bad = temp[(temp < MIN_TEMP_C) | (temp > MAX_TEMP_C)][0]
        raise InvalidInput(
            "temp_c", f"{bad:g} C is outside the plausible range {MIN_TEMP_C:g}-{MAX_TEMP_C:g} C"
        )
    if t.size > 1 and not np.all(np.diff(t) > 0):
        raise InvalidInput("t_s", "times must be strictly increasing")
    if max_gap_s is not None and not (np.isfinite(max_gap_s) and max_gap_s > 0):
        raise InvalidInput("max_gap_s", "must be a positive number of seconds")
    if max_gap_s is not None and t.size > 1:
        interval_s = float(np.median(np.diff(t)))
        if interval_s > max_gap_s:
            raise InvalidInput(
                "t_s",
                f"samples are {interval_s:g} s apart (median sampling interval), sparser than "
                f"the {max_gap_s:g} s gap limit: every interval would be a gap and the thermal "
                f"dose a silent 0; pass max_gap_s of at least {interval_s:g} s to integrate "
                f"such intervals",
            )
    return t, temp


def _intervals(
    t: np.ndarray, temp: np.ndarray, max_gap_s: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Durations (s, 0 for gaps), mean temperatures (C) and the indices of the gap intervals.

    Gaps are zeroed rather than masked out: the same arrays then serve every sum, and the common
    gap-free record costs no fancy indexing.
    """
    dt = np.diff(t)
    mean_temp = temp[1:] + temp[:-1]
    mean_temp *= 0.5
    if max_gap_s is None:
        return dt, mean_temp, _NO_GAPS
    gap = dt > max_gap_s
    if not gap.any():
        return dt, mean_temp, _NO_GAPS
    gap_idx = np.flatnonzero(gap)
    dt[gap_idx] = 0.0
    return dt, mean_temp, gap_idx


_NO_GAPS = np.empty(0, dtype=np.intp)
_LN2 = float(np.log(2.0))


def _cem43(dt_s: np.ndarray, mean_temp: np.ndarray) -> float:
    # R ** (43 - T) as a power of two: 0.5 ** (43 - T) = 2 ** (T - 43) for T >= 43 and
    # 0.25 ** (43 - T) = 2 ** (2 (T - 43)) below; with e = T - 43 both are 2 ** (2e - max(e, 0)).
    # One exp over the array in place, no Python loop.
    excess = mean_temp - 43.0
    positive = np.maximum(excess, 0.0)
    excess *= 2.0
    excess -= positive
    excess *= _LN2
    np.exp(excess, out=excess)
    return float(np.dot(dt_s, excess) / 60.0)


def cem43_min(
    t_s: ArrayLike | Sequence[float],
    temp_c: ArrayLike | Sequence[float],
    max_gap_s: float | None = None,
) -> float:
    """Cumulative equivalent minutes at 43 C (Sapareto and Dewey 1984).

    Parameters
    ----------
    t_s : sequence or 1-D array of float, seconds, strictly increasing (any sampling).
    temp_c : sequence or 1-D array of float, degrees Celsius, each within 20-50 C.
    max_gap_s : intervals longer than this (seconds) are left out; ``None`` keeps every interval.

    Returns
    -------
    float
        CEM43 in minutes; 0.0 for an empty or single-sample series.

    Raises
    ------
    InvalidInput
        ``t_s`` not strictly increasing or not finite, or sampled more sparsely (median
        interval) than ``max_gap_s``; ``temp_c`` of another length, NaN, or outside 20-50 C;
        ``max_gap_s`` not positive.

    Examples (the source's conversion factors): 60 min at 43 C -> 60; 60 min at 42 C -> 15;
    30 min at 44 C -> 60; 10 min at 45 C -> 40.
    """
    t, temp = _validated(t_s, temp_c, max_gap_s)
    if t.size < 2:
        return 0.0
    dt, mean_temp, _ = _intervals(t, temp, max_gap_s)
    return _cem43(dt, mean_temp)


def thermal_dose(
    t_s: ArrayLike | Sequence[float],
    temp_c: ArrayLike | Sequence[float],
    target_c: tuple[float, float] = (42.0, 43.0),
    max_gap_s: float | None = 30.0,
) -> ThermalDose:
    """CEM43 plus time below, within and above a target range, and the gaps of the record.

    An interval counts as *in range* when its mean temperature ``T`` satisfies
    ``target_c[0] <= T <= target_c[1]``, *above* when ``T > target_c[1]`` and *below* when
    ``T < target_c[0]``; the three times add up to the recorded time less the gaps.
    CEM43 per Sapareto SA, Dewey WC, Int J Radiat Oncol Biol Phys 1984;10:787-800 (see module
    docstring for the interval discretisation). The HIPEC target of 41-43 C (42-43 C here by
    default) is the centre's protocol, not part of the source.

    Parameters
    ----------
    t_s, temp_c : as for :func:`cem43_min`.
    target_c : (low, high) in C, low <= high, both within 20-50 C.
    max_gap_s : seconds; longer intervals are excluded and listed in ``gaps``. ``None`` disables.
        A record whose median sampling interval exceeds it is refused (see module docstring).
    """
    t, temp = _validated(t_s, temp_c, max_gap_s)
    low, high = _validated_target(target_c)
    if t.size < 2:
        return ThermalDose(0.0, 0.0, 0.0, 0.0, ())
    dt, mean_temp, gap_idx = _intervals(t, temp, max_gap_s)
    gaps = tuple(Gap(float(t[i]), float(t[i + 1])) for i in gap_idx)
    total_s = float(dt.sum())
    gap_s = float(t[-1] - t[0]) - total_s
    above_s = float(np.dot(dt, mean_temp > high))
    below_s = float(np.dot(dt, mean_temp < low))
    return ThermalDose(
        cem43_min=_cem43(dt, mean_temp),
        time_in_range_min=(total_s - above_s - below_s) / 60.0,
        time_above_min=above_s / 60.0,
        time_below_min=below_s / 60.0,
        gaps=gaps,
        gap_min=gap_s / 60.0,
        covered_min=total_s / 60.0,
        sampling_interval_s=float(np.median(np.diff(t))),
    )


def _validated_target(target_c: tuple[float, float]) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in target_c)
    except (TypeError, ValueError):
        raise InvalidInput("target_c", "must be a pair (low, high) of temperatures in C") from None
    if not (MIN_TEMP_C <= low <= high <= MAX_TEMP_C):
        raise InvalidInput(
            "target_c", f"need {MIN_TEMP_C:g} <= low <= high <= {MAX_TEMP_C:g} C, got {target_c!r}"
        )
    return low, high
