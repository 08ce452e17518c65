"""Short-range forecast of one probe's temperature: will it cross a limit within the next minute?

Model and why (issue 19, item 4). A perfusion's dangerous drifts (a heater running away, a
controller set-point creeping, a heater failing) are, over a minute, straight lines buried in
noise: thermistor noise (a few hundredths of a degree), slow mixing fluctuations in the abdomen
(about 0.1 C over a minute) and occasional outliers (a surgeon moving bowel over a probe, an
electrosurgical spike). The forecast is a straight line fitted over the last ``window_s``
seconds, extrapolated ``horizon_s`` ahead:

- **Theil-Sen slope** (Sen PK, J Am Stat Assoc 1968;63:1379-89; Theil 1950), through
  :func:`scipy.stats.theilslopes`: the median of pairwise slopes has a 29 % breakdown point, so
  a spike lasting under about a quarter of the window cannot tip the line, where a least-squares
  slope or a Kalman filter's trend state would follow it unless its noise model is tuned to the
  outliers. It needs no process-noise tuning, and it comes with a confidence interval of the
  slope, used as the significance test below.
- **1 s bins**: samples are averaged per whole second before fitting, so a 10 Hz feed costs the
  same as a 1 Hz one and the fit sees at most ``window_s`` points.
- **Gate**: an ordinary least-squares slope, kept in O(1) running sums, screens every bin; the
  Theil-Sen fit runs only when the least-squares line would cross the limit within twice the
  horizon. On a steady perfusion the robust fit then almost never runs.
- **Significance**: a crossing is forecast only when the slope's confidence interval
  (``confidence``, default 90 %) lies wholly on the dangerous side of zero, so noise around a
  flat level near the limit does not forecast a crossing.
- **Fit**: a line that does not describe the window (robust residual scale, 1.4826 x the median
  absolute deviation of the residuals, above ``max_residual_c`` = 0.2 C) is not extrapolated: a
  probe moved into warmer perfusate is a step, not a ramp that will carry on. A smaller step is
  told from a ramp by the two halves of the window: a ramp's Theil-Sen slope (the median of the
  pairwise slopes, computed here with NumPy because only the point estimate is needed, and
  :func:`~scipy.stats.theilslopes` costs about 2 ms a call in its argument handling) is at least
  a third of the whole window's in the older and in the recent half alike, while a step leaves
  at least one half flat.

The forecast crossing time is ``t + (limit - level) / slope``, with ``level`` the Theil-Sen line
at the last bin. All state advances with sample times only, so the result does not depend on how
a stream is cut into batches.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

__all__ = ["Forecast", "TrendForecaster"]


@dataclass(frozen=True)
class Forecast:
    """A forecast crossing: at ``t_s`` the line is at ``level_c`` moving ``slope_c_min`` C/min and
    reaches ``limit_c`` at ``crossing_s`` (absolute seconds, >= ``t_s``)."""

    t_s: float
    level_c: float
    slope_c_min: float
    limit_c: float
    crossing_s: float


class TrendForecaster:
    """Robust trend of one probe over a sliding window of 1 s bins.

    Parameters
    ----------
    window_s : seconds of history fitted (default 60).
    min_span_s : the window must span at least this many seconds before any forecast.
    confidence : confidence level of the Theil-Sen slope interval used as significance test.
    max_residual_c : C; a window the line fits worse than this is not extrapolated.
    """

    __slots__ = ("_bin", "_bin_n", "_bin_sum_t", "_bin_sum_v", "_pts", "_s", "confidence",
                 "max_residual_c", "min_span_s", "window_s")

    def __init__(self, window_s: float = 60.0, min_span_s: float = 30.0,
                 confidence: float = 0.90, max_residual_c: float = 0.2) -> None:
        self.window_s = window_s
        self.max_residual_c = max_residual_c
        self.min_span_s = min_span_s
        self.confidence = confidence
        self._pts: deque[tuple[float, float]] = deque()
        self._s = [0.0, 0.0, 0.0, 0.0]  # sum t, sum v, sum t*t, sum t*v over _pts
        self._bin: int | None = None
        self._bin_n = 0
        self._bin_sum_t = 0.0
        self._bin_sum_v = 0.0

    def add(self, t_s: float, temp_c: float) -> bool:
        """Add a reading; True when it closed a 1 s bin (a new point entered the window)."""
        b = math.floor(t_s)
        closed = False
        if self._bin is not None and b != self._bin:
            self._push(self._bin_sum_t / self._bin_n, self._bin_sum_v / self._bin_n)
            self._bin_n, self._bin_sum_t, self._bin_sum_v = 0, 0.0, 0.0
            closed = True
        self._bin = b
        self._bin_n += 1
        self._bin_sum_t += t_s
        self._bin_sum_v += temp_c
        return closed

    def reset(self) -> None:
        """Forget the history (after a silent period, the old line says nothing of now)."""
        self._pts.clear()
        self._s = [0.0, 0.0, 0.0, 0.0]
        self._bin, self._bin_n, self._bin_sum_t, self._bin_sum_v = None, 0, 0.0, 0.0

    def _push(self, t: float, v: float) -> None:
        s = self._s
        self._pts.append((t, v))
        s[0] += t
        s[1] += v
        s[2] += t * t
        s[3] += t * v
        horizon = t - self.window_s
        while self._pts[0][0] < horizon:
            ot, ov = self._pts.popleft()
            s[0] -= ot
            s[1] -= ov
            s[2] -= ot * ot
            s[3] -= ot * ov

    def crossing(self, limit_c: float, upward: bool, horizon_s: float) -> Forecast | None:
        """The forecast crossing of ``limit_c`` within ``horizon_s`` of the last bin, or None."""
        pts = self._pts
        if len(pts) < 3 or pts[-1][0] - pts[0][0] < self.min_span_s:
            return None
        n = len(pts)
        st, sv, stt, stv = self._s
        # Centred sums: the times are thousands of seconds, the window tens.
        t0 = pts[-1][0]
        mean_t = st / n - t0
        var_t = (stt - 2 * t0 * st + n * t0 * t0) / n - mean_t * mean_t
        if var_t <= 0:
            return None
        cov = (stv - t0 * sv) / n - mean_t * (sv / n)
        slope = cov / var_t
        level = sv / n + slope * (0.0 - mean_t)
        if not _crosses(level, slope, limit_c, upward, 2.0 * horizon_s):
            return None
        t = np.fromiter((p[0] - t0 for p in pts), float, n)
        v = np.fromiter((p[1] for p in pts), float, n)
        # scipy.stats costs ~75 MB in every process that imports it: loaded on the first fit,
        # not by every web worker that only imports the HIPEC package
        from scipy.stats import theilslopes

        res = theilslopes(v, t, alpha=self.confidence)
        slope, level = float(res.slope), float(res.intercept)  # intercept: the line at t0
        significant = res.low_slope > 0 if upward else res.high_slope < 0
        if not significant or not _crosses(level, slope, limit_c, upward, horizon_s):
            return None
        if (level >= limit_c) if upward else (level <= limit_c):
            return None  # already across: the real alarm's business, not a forecast
        half = n // 2
        for part in (slice(0, half), slice(half, n)):
            sub = _median_slope(t[part], v[part])
            if not (sub >= slope / 3 if upward else sub <= slope / 3):
                return None
        residual = v - (level + slope * t)
        scale = 1.4826 * float(np.median(np.abs(residual - np.median(residual))))
        if scale > self.max_residual_c:
            return None
        ahead_s = (limit_c - level) / slope
        return Forecast(t0, level, slope * 60.0, limit_c, t0 + ahead_s)


def _median_slope(t: np.ndarray, v: np.ndarray) -> float:
    """Theil-Sen point estimate: the median of the slopes between every pair of points."""
    i, j = np.triu_indices(t.size, 1)
    return float(np.median((v[j] - v[i]) / (t[j] - t[i])))


def _crosses(level: float, slope: float, limit: float, upward: bool, horizon_s: float) -> bool:
    if upward:
        return slope > 0 and level + slope * horizon_s >= limit
    return slope < 0 and level + slope * horizon_s <= limit
