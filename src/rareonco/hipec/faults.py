"""Faults injected into the circuit simulator (:mod:`rareonco.hipec.simulator`).

Syntax (``rareonco hipec simulate --fault``): ``kind[:probe]@minutes[,key=value...]``.

=====================================  ============================================================
``heater_failure@M``                   heater power 0 from minute M (temperatures fall)
``heater_runaway@M``                   heater stuck at full power up to the bath's 48 C cut-out
``drift@M,rate=R``                     the controller's inflow set point creeps by R C/min from
                                       minute M (R < 0: cooling); default R = 0.1
``pump_stop@M``                        flow ramps to 0 within 2 s (the heater interlock cuts)
``flow_drop@M,flow=F``                 flow falls to F L/min (a kinked or clamped line);
                                       default F = 0.3
``probe_dropout:PROBE@M,for=D``        the probe stops reporting (NaN), for D minutes (default:
                                       to the end)
``probe_flatline:PROBE@M``             the probe repeats its last reading
=====================================  ============================================================
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rareonco.errors import InvalidInput

__all__ = ["CIRCUIT_FAULTS", "FAULT_KINDS", "PROBE_FAULTS", "Fault", "parse_fault"]

PROBE_FAULTS = ("probe_dropout", "probe_flatline")
CIRCUIT_FAULTS = ("heater_failure", "heater_runaway", "pump_stop", "drift", "flow_drop")
FAULT_KINDS = PROBE_FAULTS + CIRCUIT_FAULTS

#: Parameters each kind takes: key -> (attribute, default).
_PARAMS: dict[str, dict[str, tuple[str, float | None]]] = {
    "drift": {"rate": ("rate_c_min", 0.1)},
    "flow_drop": {"flow": ("flow_l_min", 0.3)},
    "probe_dropout": {"for": ("duration_min", None)},
}


@dataclass(frozen=True)
class Fault:
    """An injected fault: ``kind`` at ``at_min`` minutes, ``probe`` for probe faults.

    ``rate_c_min``: set-point drift rate (``drift``), C/min. ``flow_l_min``: flow after a
    ``flow_drop``, L/min. ``duration_min``: how long a ``probe_dropout`` lasts (None: to the end).
    """

    kind: str
    at_min: float
    probe: str | None = None
    rate_c_min: float | None = None
    flow_l_min: float | None = None
    duration_min: float | None = None

    @property
    def at_s(self) -> float:
        return self.at_min * 60.0

    @property
    def end_s(self) -> float:
        return math.inf if self.duration_min is None else (self.at_min + self.duration_min) * 60

    def __str__(self) -> str:
        probe = f":{self.probe}" if self.probe else ""
        params = "".join(
            f",{key}={getattr(self, attr):g}"
            for key, (attr, _) in _PARAMS.get(self.kind, {}).items()
            if getattr(self, attr) is not None
        )
        return f"{self.kind}{probe}@{self.at_min:g}{params}"


_FAULT = re.compile(
    r"^\s*(?P<kind>[a-z_]+)(?::(?P<probe>[a-z][a-z0-9_]*))?@(?P<min>[0-9.]+)"
    r"(?P<params>(?:,[a-z]+=[^,\s]+)*)\s*$"
)


def parse_fault(spec: str) -> Fault:
    """Parse ``kind[:probe]@minutes[,key=value...]``, e.g. ``drift@20,rate=0.15``."""
    m = _FAULT.match(spec)
    if m is None:
        raise InvalidInput(
            "fault",
            f"{spec!r} is not kind[:probe]@minutes[,key=value] (e.g. probe_dropout:ip_pelvis@20)",
        )
    kind, probe = m["kind"], m["probe"]
    if kind not in FAULT_KINDS:
        raise InvalidInput("fault", f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
    if kind in PROBE_FAULTS and probe is None:
        raise InvalidInput("fault", f"{kind} needs a probe: {kind}:PROBE@minutes")
    if kind in CIRCUIT_FAULTS and probe is not None:
        raise InvalidInput("fault", f"{kind} takes no probe: {kind}@minutes")
    try:
        at_min = float(m["min"])
    except ValueError:
        raise InvalidInput("fault", f"{m['min']!r} is not a number of minutes") from None
    known = _PARAMS.get(kind, {})
    values: dict[str, float | None] = {attr: default for attr, default in known.values()}
    for item in filter(None, m["params"].split(",")):
        key, _, text = item.partition("=")
        if key not in known:
            allowed = ", ".join(known) or "none"
            raise InvalidInput("fault", f"{kind} takes no parameter {key!r} (takes: {allowed})")
        try:
            value = float(text)
        except ValueError:
            raise InvalidInput("fault", f"{key}={text!r} is not a number") from None
        if not math.isfinite(value):
            raise InvalidInput("fault", f"{key} must be finite")
        values[known[key][0]] = value
    if kind == "flow_drop" and not (0 <= (values["flow_l_min"] or 0) < 10):
        raise InvalidInput("fault", "flow_drop flow must be 0-10 L/min")
    if kind == "probe_dropout" and values["duration_min"] is not None and \
            values["duration_min"] <= 0:
        raise InvalidInput("fault", "probe_dropout for= must be a positive number of minutes")
    return Fault(kind, at_min, probe, **values)
