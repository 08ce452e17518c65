"""Typed values of the HIPEC services: procedure bodies and perfusion sample batches.

A sample batch comes in one of two equivalent JSON shapes (the API accepts both):

rows (what a perfusion machine naturally sends)::

    {"samples": [{"t_s": 12.0, "probes": {"inflow": 44.1, "ip_upper": null}, "flow_l_min": 1.2},
                 ...]}

columnar (compact for high rates; what the live stream sends back)::

    {"t_s": [12.0, 12.1], "probes": {"inflow": [44.1, 44.2]}, "flow_l_min": [1.2, 1.2]}

Times are seconds from the start of the perfusion, strictly increasing within a batch and after
every batch already stored; temperatures are C within 20-50 or null (no reading); flow is L/min
within 0-10 or null. A probe missing from a row is "no reading". A bad batch is refused whole
(HTTP 422 naming the field, e.g. ``samples.3.probes.inflow``); nothing of it is stored.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from rareonco.errors import InvalidInput
from rareonco.hipec.perfusion import SampleBatch
from rareonco.records.schemas import Out

TEMP_RANGE_C = (20.0, 50.0)  # as rareonco.clinical.thermal MIN_TEMP_C / MAX_TEMP_C
FLOW_RANGE_L_MIN = (0.0, 10.0)
MAX_BATCH_SAMPLES = 36_000  # one hour at 10 Hz
MAX_PROBES = 32
PROBE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CC_SCORES = ("CC-0", "CC-1", "CC-2", "CC-3")

Finite = Annotated[float, Field(allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DrugIn(Strict):
    drug: str = Field(min_length=1, max_length=60)
    dose_mg_m2: Finite = Field(gt=0, le=1000)
    #: why a dose beyond the perfusion protocol's range is given (required for such a dose)
    reason: str | None = Field(default=None, max_length=2000)


class ProcedureIn(Strict):
    """A HIPEC procedure; ``height_cm``/``weight_kg`` give the BSA the doses are computed on."""

    procedure_date: date
    technique: Literal["open", "closed"]
    drugs: list[DrugIn] = Field(min_length=1, max_length=4)
    height_cm: Finite
    weight_kg: Finite
    carrier_solution: str = Field(min_length=1, max_length=100)
    carrier_volume_ml: Finite = Field(gt=0, le=20_000)
    target_low_c: Finite = 42.0
    target_high_c: Finite = 43.0
    planned_duration_min: Finite = Field(default=60.0, gt=0, le=240)
    flow_rate_l_min: Finite | None = Field(default=None, gt=0, le=10)
    pci: int | None = None
    pci_regions: dict[str, int] | None = None  # region "0".."12" -> lesion-size score 0-3
    cc_score: str | None = None
    surgery_event_id: int | None = None
    probes: list[str] = Field(default_factory=list, max_length=MAX_PROBES)
    note: str = Field(default="", max_length=5000)


class ProcedureUpdate(Strict):
    """Fields that may change after the procedure is recorded; ``version`` from the last read."""

    version: int
    status: Literal["planned", "running", "finished"] | None = None
    flow_rate_l_min: Finite | None = Field(default=None, gt=0, le=10)
    pci: int | None = None
    cc_score: str | None = None
    note: str | None = Field(default=None, max_length=5000)


class SampleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    t_s: Finite
    probes: dict[str, Finite | None] = Field(default_factory=dict)
    flow_l_min: Finite | None = None


class BatchIn(BaseModel):
    """Rows (``samples``) or columns (``t_s`` + ``probes`` [+ ``flow_l_min``]); see the module."""

    model_config = ConfigDict(extra="forbid")

    samples: list[SampleIn] | None = None
    t_s: list[Finite] | None = None
    probes: dict[str, list[Finite | None]] | None = None
    flow_l_min: list[Finite | None] | None = None

    def to_batch(self) -> SampleBatch:
        """Validate and convert; raises InvalidInput naming the first bad field."""
        if self.samples is not None:
            if self.t_s is not None or self.probes is not None or self.flow_l_min is not None:
                raise InvalidInput("samples", "send either samples (rows) or t_s/probes "
                                   "(columns), not both")
            return _from_rows(self.samples)
        if self.t_s is None:
            raise InvalidInput("samples", "a batch needs samples (rows) or t_s (columns)")
        return _from_columns(self.t_s, self.probes or {}, self.flow_l_min)


class AckIn(Strict):
    note: str = Field(default="", max_length=1000)


class SimulationIn(Strict):
    """A simulated perfusion driven server-side, for demos and tests."""

    speed: Finite = Field(default=10.0, gt=0, le=200)  # simulated seconds per wall second
    minutes: Finite = Field(default=60.0, gt=0, le=240)
    rate_hz: Finite = Field(default=1.0, gt=0, le=10)
    fault: str | None = Field(default=None, max_length=80)
    seed: int = 1


def check_probe_name(name: str, field: str) -> str:
    if not PROBE_NAME.match(name):
        raise InvalidInput(field, f"probe name {name!r} must be lower-case letters, digits "
                           "and _ (e.g. inflow, outflow, ip_upper)")
    return name


def _check_len(n: int) -> None:
    if n == 0:
        raise InvalidInput("samples", "the batch is empty")
    if n > MAX_BATCH_SAMPLES:
        raise InvalidInput("samples", f"{n} samples in one batch; at most {MAX_BATCH_SAMPLES}")


def _values(columns: list[list[float | None]], low: float, high: float
            ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Equal-length columns as one 2-D float array (null as NaN), and the (column, index) of
    each value outside ``[low, high]``. The schema has already refused NaN and infinities, so
    a NaN here is a null (no reading).

    Checked as one array rather than value by value or column by column: a batch costs a few
    NumPy calls whatever its size, which matters at ten posts a second per perfusion."""
    a = np.array(columns, dtype=float)
    bad = ~(np.isnan(a) | ((a >= low) & (a <= high)))
    if not bad.any():
        return a, []
    return a, [(int(c), int(i)) for c, i in zip(*np.nonzero(bad), strict=True)]


def _temp_error(v: float | None, field: str) -> InvalidInput:
    return InvalidInput(field, f"{v!r} C is outside {TEMP_RANGE_C[0]:g}-{TEMP_RANGE_C[1]:g} C; "
                        "send null for no reading")


def _flow_error(v: float | None, field: str) -> InvalidInput:
    return InvalidInput(field, f"{v!r} L/min is outside {FLOW_RANGE_L_MIN[0]:g}-"
                        f"{FLOW_RANGE_L_MIN[1]:g} L/min; send null for no reading")


def _check_times(t: np.ndarray, field: str) -> None:
    bad = np.flatnonzero(np.diff(t) <= 0)
    if bad.size:
        i = int(bad[0]) + 1
        raise InvalidInput(field.format(i=i), f"{t[i]:g} s is not after the previous sample "
                           f"({t[i - 1]:g} s); times must increase within a batch")
    if t[0] < 0:
        raise InvalidInput(field.format(i=0), "times are seconds from the start, not negative")


def _from_rows(rows: list[SampleIn]) -> SampleBatch:
    _check_len(len(rows))
    t = np.array([r.t_s for r in rows], dtype=float)
    _check_times(t, "samples.{i}.t_s")
    names: dict[str, None] = {}
    for i, row in enumerate(rows):
        for name in row.probes:
            if name not in names:
                check_probe_name(name, f"samples.{i}.probes.{name}")
                names[name] = None
    if len(names) > MAX_PROBES:
        raise InvalidInput("samples", f"{len(names)} probes; at most {MAX_PROBES}")
    if not names:
        raise InvalidInput("samples.0.probes", "no probe readings in the batch")
    # A probe missing from a row is no reading (null), as is an explicit null.
    order = list(names)
    temps, bad = _values([[r.probes.get(name) for r in rows] for name in order], *TEMP_RANGE_C)
    errors = [(i, list(rows[i].probes).index(order[c]),
               _temp_error(rows[i].probes[order[c]], f"samples.{i}.probes.{order[c]}"))
              for c, i in bad]
    flow = None
    if any(r.flow_l_min is not None for r in rows):
        flows, bad = _values([[r.flow_l_min for r in rows]], *FLOW_RANGE_L_MIN)
        flow = flows[0]
        errors += [(i, MAX_PROBES, _flow_error(rows[i].flow_l_min, f"samples.{i}.flow_l_min"))
                   for _, i in bad]
    if errors:  # the first bad value in reading order: row by row, probes before flow
        raise min(errors, key=lambda e: e[:2])[2]
    return SampleBatch(t, dict(zip(order, temps, strict=True)), flow)


def _from_columns(times: list[float], probes: dict[str, list[float | None]],
                  flows: list[float | None] | None) -> SampleBatch:
    _check_len(len(times))
    t = np.array(times, dtype=float)
    _check_times(t, "t_s.{i}")
    if not probes:
        raise InvalidInput("probes", "no probe columns in the batch")
    if len(probes) > MAX_PROBES:
        raise InvalidInput("probes", f"{len(probes)} probes; at most {MAX_PROBES}")
    for name, values in probes.items():
        check_probe_name(name, f"probes.{name}")
        if len(values) != t.size:
            raise InvalidInput(f"probes.{name}", f"{len(values)} values for {t.size} times")
    order = list(probes)
    temps, bad = _values(list(probes.values()), *TEMP_RANGE_C)
    if bad:  # the first in column order, as the columns were sent
        c, i = bad[0]
        raise _temp_error(probes[order[c]][i], f"probes.{order[c]}.{i}")
    flow = None
    if flows is not None:
        if len(flows) != t.size:
            raise InvalidInput("flow_l_min", f"{len(flows)} values for {t.size} times")
        a, bad = _values([flows], *FLOW_RANGE_L_MIN)
        if bad:
            raise _flow_error(flows[bad[0][1]], f"flow_l_min.{bad[0][1]}")
        flow = a[0]
    return SampleBatch(t, dict(zip(order, temps, strict=True)), flow)


# -- outputs (API bodies, stream events, read by the pages' templates too) --------------------


class HipecDrugOut(Out):
    """A drug of the prescription: mg/m2 and the dose in mg on the procedure's BSA."""

    drug: str
    dose_mg_m2: float
    dose_mg: float
    reason: str | None = None


class ProcedureOut(Out):
    """A procedure with its prescription, status and what its perfusion has stored so far
    (``batches``, ``samples``, ``last_t_s`` in s from the start, unacknowledged alarms)."""

    id: int
    case_id: int
    version: int
    event_id: int | None
    surgery_event_id: int | None
    procedure_date: date
    technique: str
    drugs: list[HipecDrugOut]
    height_cm: float
    weight_kg: float
    bsa_m2: float
    carrier_solution: str
    carrier_volume_ml: float
    target_c: list[float]
    planned_duration_min: float
    flow_rate_l_min: float | None
    pci: int | None
    cc_score: str | None
    probes: list[str]
    status: str
    note: str
    batches: int
    samples: int
    last_t_s: float | None
    open_alarms: int


class AlarmOut(Out):
    """A stored alarm (times in s from the start of the perfusion, ``value`` in C or L/min) and
    its acknowledgement; also the ``alarm`` and ``ack`` events of the live stream.

    ``level`` 1-3 (escalation of a persisting condition), ``episode`` (the announcements of one
    occurrence share it), ``limit_value`` (the threshold), ``predicted_crossing_s`` (forecast
    crossing time of a ``*_predicted`` alarm), ``ack_t_s`` (perfusion time of the
    acknowledgement)."""

    id: int
    procedure_id: int
    t_s: float
    onset_s: float
    type: str
    probe: str | None
    value: float
    message: str
    raised_at: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None
    ack_note: str | None
    level: int = 1
    episode: int | None = None
    limit_value: float | None = None
    predicted_crossing_s: float | None = None
    ack_t_s: float | None = None


class SamplesOut(Out):
    """Samples as columns: seconds from the start, C per probe and L/min (null: no reading)."""

    t_s: list[float | None]
    probes: dict[str, list[float | None]]
    flow_l_min: list[float | None] | None


class SnapshotOut(Out):
    """The first event of the live stream: the samples so far (thinned), alarms, status, and
    `n_samples`, the count of stored samples (the analysis counts the same ones)."""

    samples: SamplesOut
    n_samples: int
    alarms: list[AlarmOut]
    status: str
    target_c: list[float]


class IngestOut(Out):
    """A stored batch: the sample count, its first and last times (s), the alarms it raised."""

    accepted: int
    t_first_s: float
    t_last_s: float
    alarms: list[AlarmOut]


class DataQualityOut(Out):
    """A data-quality finding of a CSV parse (gap, value set to missing, ignored column)."""

    t_s: float | None
    issue: str


class ImportResultOut(IngestOut):
    """A stored CSV import: what ingest stored, the probes, the parse's data-quality findings."""

    probes: list[str]
    data_quality: list[DataQualityOut]
    import_id: int | None


class ImportOut(Out):
    """A CSV import kept on the procedure, with its data-quality findings."""

    id: int
    procedure_id: int
    filename: str
    n_samples: int
    t_first_s: float
    t_last_s: float
    probes: list[str]
    data_quality: list[DataQualityOut]
    imported_by: str | None
    imported_at: str | None


class PlateauOut(Out):
    start_s: float | None
    end_s: float | None


class ProbeSummaryOut(Out):
    """One probe over the perfusion: C, minutes in the target range, CEM43 minutes."""

    min_c: float | None
    max_c: float | None
    mean_c: float | None
    time_in_range_min: float | None
    cem43_min: float | None


class EngineAlarmOut(Out):
    """An alarm found by the analysis of the whole record (not a stored one: no id)."""

    t_s: float
    type: str
    probe: str | None
    value: float
    onset_s: float
    message: str
    level: int = 1
    predicted_crossing_s: float | None = None


class AnalysisOut(Out):
    """Plateau, per-probe summaries, alarms and data quality (``rareonco hipec analyse
    --json``), with the sample count and the duration in s."""

    plateau: PlateauOut
    probes: dict[str, ProbeSummaryOut]
    alarms: list[EngineAlarmOut]
    data_quality: list[DataQualityOut]
    target_c: list[float]
    n_samples: int
    duration_s: float


class SimulationOut(Out):
    """A simulated perfusion started: its speed, length in minutes, fault and time offset (s)."""

    running: bool
    speed: float
    minutes: float
    fault: str | None
    t_offset_s: float


class SimulationStopOut(Out):
    stopped: bool
