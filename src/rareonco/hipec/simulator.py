"""A lumped-parameter thermal model of a closed HIPEC circuit, for demos and tests.

Circuit: reservoir -> pump -> heat exchanger (heated water bath) -> inflow line -> abdomen
(two compartments in parallel: upper abdomen and pelvis) -> outflow line -> reservoir.
Each node is one well-mixed heat capacity; with ``mc = rho c Q`` the perfusate heat-capacity
flow (W/K) and ``T_amb = 22 C`` the theatre, ``T_core = 37 C`` the patient's blood:

    C_w   dT_w/dt   = P - eps mc (T_w - T_res) - G_w (T_w - T_amb)                water bath
    T_hx            = T_res + eps (T_w - T_res)                                   exchanger out
    C_ln  dT_in/dt  = mc (T_hx - T_in) - G_ln (T_in - T_amb)                      inflow line
    C_k   dT_k/dt   = f_k mc (T_in - T_k) - G_k (T_k - T_core)                    compartment k
    C_ln  dT_out/dt = mc (sum_k f_k T_k - T_out) - G_ln (T_out - T_amb)           outflow line
    C_res dT_res/dt = mc (T_out - T_res) - G_res (T_res - T_amb)                  reservoir

``G_k`` lumps the heat carried away by blood perfusion of the peritoneum and viscera (the
patient is the heat sink). The heater power ``P`` (0..P_max) is set by a PI controller on the
inflow temperature (set point 44 C, conditional-integration anti-windup) and cut when the pump
stops, as machines interlock it. Integrated with explicit Euler at 0.5 s (the fastest time
constant, the lines at ~5 s, is ten steps). Probes read their node through a first-order lag
(thermistor in a catheter, 4 s) plus, in the abdomen, a slow Ornstein-Uhlenbeck fluctuation
(local mixing, 0.08 C, 60 s) and white noise (0.03 C) at the sampling rate.

Parameter values (:class:`SimulatorParams`) are plausible, not fitted: perfusate 4.5 L in all
(clinical reference section 3: 4-6 L), flow 1.2 L/min (1-2 L/min), inflow 1.5-2 C above the
abdomen as reported in HIPEC practice; the blood-perfusion sink (24 W/K in all, ~130 W at
42.5 C) is chosen so that a 44 C inflow holds the abdomen at 42.2-42.5 C, and the tissue heat
capacity so that the intraperitoneal probes reach 42 C in about 10 minutes, as in published
perfusion charts. The model is for software testing, not for clinical prediction.

Patient core temperature (a ``core`` / ``oesophageal`` / ``bladder`` probe): one more node,
the body (60 kg x 3.5 kJ/kg/K), warmed by the heat the abdomen's blood carries away and held
near 37 C by thermoregulation and the anaesthetist's cooling (100 W/K): it settles about 1 C
up during a normal perfusion (38 C), as anaesthesia reports of CRS-HIPEC describe. The body node
does not feed back into the abdominal sink (which keeps ``T_core`` = 37 C), a simplification
that keeps the abdominal model above unchanged.

Faults: see :mod:`rareonco.hipec.faults` (heater failure or runaway, set-point drift, pump stop,
flow drop, probe dropout or flatline).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from rareonco.errors import InvalidInput

from .faults import CIRCUIT_FAULTS, FAULT_KINDS, PROBE_FAULTS, Fault, parse_fault
from .perfusion import PerfusionLog, SampleBatch, is_core, is_intraperitoneal

__all__ = [
    "CIRCUIT_FAULTS",
    "DEFAULT_PROBES",
    "FAULT_KINDS",
    "PROBE_FAULTS",
    "Fault",
    "PerfusionSimulator",
    "SimulatorParams",
    "parse_fault",
    "simulate",
    "stream",
]

DEFAULT_PROBES = ("inflow", "outflow", "ip_upper", "ip_pelvis")

_WATER_J_KG_K = 4180.0
_TISSUE_J_KG_K = 3600.0
_STEP_S = 0.5


@dataclass(frozen=True)
class SimulatorParams:
    """Physical parameters; SI units except where the name says otherwise."""

    flow_l_min: float = 1.2
    reservoir_l: float = 1.5
    abdomen_perfusate_l: tuple[float, float] = (1.5, 1.5)  # upper, pelvis
    abdomen_tissue_kg: tuple[float, float] = (1.8, 1.8)  # effective heated tissue mass
    flow_fraction: tuple[float, float] = (0.5, 0.5)
    blood_sink_w_k: tuple[float, float] = (11.0, 12.0)
    water_bath_l: float = 2.0
    exchanger_effectiveness: float = 0.7
    heater_max_w: float = 3000.0
    water_cutout_c: float = (
        48.0  # independent over-temperature cut-out of the water bath
    )
    line_l: float = 0.1
    line_loss_w_k: float = 0.5
    reservoir_loss_w_k: float = 2.0
    water_loss_w_k: float = 3.0
    ambient_c: float = 22.0
    core_c: float = 37.0
    inflow_setpoint_c: float = 44.0
    controller_kp_w_k: float = 400.0
    controller_ti_s: float = 120.0
    initial_abdomen_c: float = 36.5
    initial_circuit_c: float = 43.0  # perfusate primed and pre-warmed on bypass
    probe_tau_s: float = 4.0
    noise_c: float = 0.03
    fluctuation_c: float = 0.08
    fluctuation_tau_s: float = 60.0
    flow_noise_l_min: float = 0.01
    pump_ramp_s: float = 2.0
    body_heat_capacity_j_k: float = 60.0 * 3500.0
    body_cooling_w_k: float = 100.0


@dataclass
class _Probe:
    name: str
    node: int  # index into the node temperature vector
    offset_c: float
    reading_c: float
    fluctuation_c: float = 0.0
    last_measured_c: float = math.nan
    stuck_c: float | None = None
    grid: list[float] = field(default_factory=list)


_NODE_INFLOW, _NODE_OUTFLOW, _NODE_RESERVOIR, _NODE_UPPER, _NODE_PELVIS, _NODE_CORE = range(6)


class PerfusionSimulator:
    """Stepper form: :meth:`advance` returns the next samples; usable for live streaming.

    Parameters
    ----------
    seed : seed of the numpy Generator (noise and probe offsets); same seed, same log.
    rate_hz : sampling rate of the output (e.g. 1 or 10).
    probes : probe names: ``inflow``, ``outflow``, ``reservoir`` or any ``ip_*`` (names with
        ``pelvi`` or ``lower`` sit in the pelvis compartment, other ``ip_*`` in the upper one).
    faults : faults to inject (see :func:`parse_fault`).
    params : physical parameters.
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        rate_hz: float = 1.0,
        probes: Sequence[str] = DEFAULT_PROBES,
        faults: Sequence[Fault] = (),
        params: SimulatorParams | None = None,
    ) -> None:
        if not (math.isfinite(rate_hz) and 0 < rate_hz <= 100):
            raise InvalidInput("rate_hz", f"must be in (0, 100] Hz, got {rate_hz!r}")
        if not probes:
            raise InvalidInput("probes", "at least one probe is needed")
        if len(set(probes)) != len(probes):
            raise InvalidInput("probes", "probe names must be unique")
        self.params = p = params or SimulatorParams()
        self.rate_hz = float(rate_hz)
        # Independent streams (physics, flow meter, one per probe) so that the samples do not
        # depend on how the run is cut into batches: streaming equals simulating at once.
        streams = np.random.SeedSequence(seed).spawn(2 + len(probes))
        self._rng = np.random.default_rng(streams[0])
        self._flow_rng = np.random.default_rng(streams[1])
        self._noise_rngs = [np.random.default_rng(s) for s in streams[2:]]
        self.faults = tuple(faults)
        for f in self.faults:
            if f.probe is not None and f.probe not in probes:
                raise InvalidInput(
                    "fault", f"{f}: no probe {f.probe!r} (probes: {', '.join(probes)})"
                )
        self._nodes = [
            p.initial_circuit_c,
            p.initial_circuit_c,
            p.initial_circuit_c,
            p.initial_abdomen_c,
            p.initial_abdomen_c,
            p.core_c,
        ]
        self._water_c = p.initial_circuit_c + 2.0
        self._integral_w = 0.0
        self._probes = [self._make_probe(name) for name in probes]
        self._t_s = 0.0  # physics time
        self._k = 0  # index of the next output sample
        self._flow_l_min = p.flow_l_min
        self.heater_w = 0.0
        self._previous = (
            -_STEP_S,
            [q.reading_c for q in self._probes],
            self._flow_l_min,
        )

    def _make_probe(self, name: str) -> _Probe:
        fixed = {
            "inflow": _NODE_INFLOW,
            "outflow": _NODE_OUTFLOW,
            "reservoir": _NODE_RESERVOIR,
        }
        if name in fixed:
            node, offset = fixed[name], 0.0
        elif is_core(name):
            node, offset = _NODE_CORE, 0.0
        elif is_intraperitoneal(name):
            node = _NODE_PELVIS if ("pelvi" in name or "lower" in name) else _NODE_UPPER
            # The two canonical probes read their compartment; extra probes sit a little
            # apart, as probes at different sites do.
            canonical = name in ("ip_upper", "ip_pelvis")
            offset = 0.0 if canonical else float(self._rng.uniform(-0.1, 0.1))
        else:
            raise InvalidInput(
                "probes",
                f"{name!r}: expected inflow, outflow, reservoir, an ip_* or a core probe",
            )
        return _Probe(name, node, offset, self._nodes[node] + offset)

    @property
    def t_s(self) -> float:
        """Time of the last sample returned, s."""
        return (self._k - 1) / self.rate_hz if self._k else 0.0

    def advance(self, duration_s: float) -> SampleBatch:
        """Samples with times up to ``t_s + duration_s`` (the first call also returns t = 0)."""
        k_end = math.floor((self.t_s + duration_s) * self.rate_hz + 1e-9)
        sample_k = np.arange(self._k, k_end + 1)
        times = sample_k / self.rate_hz
        self._k = k_end + 1
        if times.size == 0:
            return SampleBatch(
                times, {p.name: np.empty(0) for p in self._probes}, np.empty(0)
            )
        # The grid starts one physics step back so that samples falling between the previous
        # call's last step and now are interpolated, not held.
        prev_t, prev_values, prev_flow = self._previous
        grid_t = [prev_t, self._t_s]
        for probe, prev in zip(self._probes, prev_values, strict=True):
            probe.grid = [prev, probe.reading_c + probe.fluctuation_c]
        grid_flow = [prev_flow, self._flow_l_min]
        while self._t_s < times[-1] - 1e-9:
            self._previous = (
                self._t_s,
                [q.reading_c + q.fluctuation_c for q in self._probes],
                self._flow_l_min,
            )
            self._step()
            grid_t.append(self._t_s)
            for probe in self._probes:
                probe.grid.append(probe.reading_c + probe.fluctuation_c)
            grid_flow.append(self._flow_l_min)
        gt = np.asarray(grid_t)
        noise = self.params.noise_c
        temps = {}
        for probe, rng in zip(self._probes, self._noise_rngs, strict=True):
            values = np.interp(times, gt, probe.grid) + rng.normal(
                0.0, noise, times.size
            )
            temps[probe.name] = self._apply_probe_faults(probe, times, values)
        flow = np.interp(times, gt, grid_flow)
        flow = np.where(
            flow > 0,
            flow + self._flow_rng.normal(0.0, self.params.flow_noise_l_min, times.size),
            0.0,
        )
        return SampleBatch(times, temps, np.maximum(flow, 0.0))

    def _apply_probe_faults(
        self, probe: _Probe, times: np.ndarray, values: np.ndarray
    ) -> np.ndarray:
        for f in self.faults:
            if f.probe != probe.name:
                continue
            hit = times >= f.at_s - 1e-9
            if not hit.any():
                continue
            if f.kind == "probe_dropout":
                values[hit & (times < f.end_s - 1e-9)] = np.nan
            elif f.kind == "probe_flatline":
                if probe.stuck_c is None:
                    first = int(np.argmax(hit))
                    before = values[first - 1] if first > 0 else probe.last_measured_c
                    probe.stuck_c = float(np.round(before, 2))
                values[hit] = probe.stuck_c
        if values.size:
            probe.last_measured_c = float(values[-1])
        return values

    def _active(self, kind: str) -> bool:
        return any(f.kind == kind and self._t_s >= f.at_s - 1e-9 for f in self.faults)

    def _setpoint_c(self) -> float:
        """The inflow set point, with any ``drift`` fault's creep so far."""
        setpoint = self.params.inflow_setpoint_c
        for f in self.faults:
            if f.kind == "drift" and self._t_s > f.at_s:
                setpoint += (f.rate_c_min or 0.0) * (self._t_s - f.at_s) / 60.0
        return setpoint

    def _step(self) -> None:
        p, dt = self.params, _STEP_S
        t_in, t_out, t_res, t_up, t_pel, t_body = self._nodes
        # Pump
        if self._active("pump_stop"):
            self._flow_l_min = max(
                0.0, self._flow_l_min - p.flow_l_min * dt / p.pump_ramp_s
            )
        for f in self.faults:
            if f.kind == "flow_drop" and self._t_s >= f.at_s - 1e-9:
                floor = f.flow_l_min or 0.0
                self._flow_l_min = max(floor, self._flow_l_min - p.flow_l_min * dt / p.pump_ramp_s)
        mc = self._flow_l_min / 60.0 * _WATER_J_KG_K  # 1 L of perfusate ~ 1 kg
        # Heater: PI on the inflow temperature, interlocked with the pump.
        error = self._setpoint_c() - t_in
        command = p.controller_kp_w_k * error + self._integral_w
        if 0.0 < command < p.heater_max_w or (command >= p.heater_max_w) != (error > 0):
            self._integral_w += p.controller_kp_w_k / p.controller_ti_s * error * dt
        power = min(max(command, 0.0), p.heater_max_w)
        if self._flow_l_min < 0.2 * p.flow_l_min or self._active("heater_failure"):
            power = 0.0
        if self._active("heater_runaway"):
            # Controller stuck at full power; only the bath's own thermal cut-out still acts.
            power = p.heater_max_w if self._water_c < p.water_cutout_c else 0.0
        self.heater_w = power
        # Heat balances (see module docstring)
        eps = p.exchanger_effectiveness
        c_w = p.water_bath_l * _WATER_J_KG_K
        c_line = p.line_l * _WATER_J_KG_K
        c_res = p.reservoir_l * _WATER_J_KG_K
        c_up = (
            p.abdomen_perfusate_l[0] * _WATER_J_KG_K
            + p.abdomen_tissue_kg[0] * _TISSUE_J_KG_K
        )
        c_pel = (
            p.abdomen_perfusate_l[1] * _WATER_J_KG_K
            + p.abdomen_tissue_kg[1] * _TISSUE_J_KG_K
        )
        f_up, f_pel = p.flow_fraction
        t_w = self._water_c
        q_hx = eps * mc * (t_w - t_res)
        t_hx = t_res + (eps * (t_w - t_res) if mc > 0 else 0.0)
        amb, core = p.ambient_c, p.core_c
        d_w = (power - q_hx - p.water_loss_w_k * (t_w - amb)) / c_w
        d_in = (mc * (t_hx - t_in) - p.line_loss_w_k * (t_in - amb)) / c_line
        d_up = (f_up * mc * (t_in - t_up) - p.blood_sink_w_k[0] * (t_up - core)) / c_up
        d_pel = (
            f_pel * mc * (t_in - t_pel) - p.blood_sink_w_k[1] * (t_pel - core)
        ) / c_pel
        mix = f_up * t_up + f_pel * t_pel
        d_out = (mc * (mix - t_out) - p.line_loss_w_k * (t_out - amb)) / c_line
        d_res = (mc * (t_out - t_res) - p.reservoir_loss_w_k * (t_res - amb)) / c_res
        sink_w = p.blood_sink_w_k[0] * (t_up - core) + p.blood_sink_w_k[1] * (t_pel - core)
        d_body = (sink_w - p.body_cooling_w_k * (t_body - core)) / p.body_heat_capacity_j_k
        self._water_c = t_w + dt * d_w
        self._nodes = [
            t_in + dt * d_in,
            t_out + dt * d_out,
            t_res + dt * d_res,
            t_up + dt * d_up,
            t_pel + dt * d_pel,
            t_body + dt * d_body,
        ]
        # Probes: first-order lag; abdominal probes add an Ornstein-Uhlenbeck fluctuation.
        lag = dt / p.probe_tau_s
        ou_decay = math.exp(-dt / p.fluctuation_tau_s)
        ou_step = p.fluctuation_c * math.sqrt(1.0 - ou_decay * ou_decay)
        for probe in self._probes:
            target = self._nodes[probe.node] + probe.offset_c
            probe.reading_c += lag * (target - probe.reading_c)
            if probe.node in (_NODE_UPPER, _NODE_PELVIS) and ou_step > 0:
                probe.fluctuation_c = probe.fluctuation_c * ou_decay + ou_step * float(
                    self._rng.standard_normal()
                )
        self._t_s += dt


def simulate(
    minutes: float = 60.0,
    *,
    seed: int = 1,
    rate_hz: float = 1.0,
    probes: Sequence[str] = DEFAULT_PROBES,
    faults: Sequence[Fault] = (),
    params: SimulatorParams | None = None,
) -> PerfusionLog:
    """A whole simulated perfusion of ``minutes`` (samples at 0 .. minutes x 60 s inclusive)."""
    if not (math.isfinite(minutes) and 0 < minutes <= 24 * 60):
        raise InvalidInput("minutes", f"must be in (0, 1440], got {minutes!r}")
    for f in faults:
        if f.at_min > minutes:
            raise InvalidInput(
                "fault", f"{f} is after the end of the {minutes:g}-minute run"
            )
    sim = PerfusionSimulator(
        seed=seed, rate_hz=rate_hz, probes=probes, faults=faults, params=params
    )
    batch = sim.advance(minutes * 60.0)
    return PerfusionLog(batch.t_s, batch.probes_c, batch.flow_l_min)


def stream(
    minutes: float | None = 60.0,
    batch_s: float = 1.0,
    **kwargs: object,
) -> Iterator[SampleBatch]:
    """Yield batches of ``batch_s`` seconds of samples (``minutes=None``: forever).

    Pure and as fast as the consumer pulls; a live demo sleeps ``batch_s`` between batches.
    Keyword arguments are those of :class:`PerfusionSimulator`.
    """
    sim = PerfusionSimulator(**kwargs)  # type: ignore[arg-type]  # checked by its __init__
    end_s = math.inf if minutes is None else minutes * 60.0
    yield sim.advance(0.0)
    while sim.t_s < end_s - 1e-9:
        yield sim.advance(min(batch_s, end_s - sim.t_s))
