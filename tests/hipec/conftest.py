"""Hand-made perfusion logs with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from rareonco.hipec import PerfusionLog


def make_log(
    t_s: np.ndarray | list[float],
    flow_l_min: np.ndarray | list[float] | float | None = 1.2,
    **probes_c: np.ndarray | list[float] | float,
) -> PerfusionLog:
    """A log from arrays (a scalar is broadcast to every sample)."""
    t = np.asarray(t_s, dtype=float)

    def col(v: object) -> np.ndarray:
        return np.broadcast_to(np.asarray(v, dtype=float), t.shape).copy()

    return PerfusionLog(
        t_s=t,
        probes_c={name: col(v) for name, v in probes_c.items()},
        flow_l_min=None if flow_l_min is None else col(flow_l_min),
    )


@pytest.fixture
def minute_grid() -> np.ndarray:
    """0..3600 s at 1 Hz (60 min)."""
    return np.arange(3601, dtype=float)
