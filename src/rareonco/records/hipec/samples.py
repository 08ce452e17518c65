"""Perfusion samples of a HIPEC procedure: ingest, alarms, acknowledgement, CSV import,
analysis and report (issue 6, items 2-6).

Ingest is called under the live hub's per-procedure lock (:mod:`rareonco.records.hipec.live_hub`), which
keeps one :class:`~rareonco.hipec.alarms.AlarmMonitor` per procedure in memory; this module is
the storage side: it checks a batch against what is stored, feeds the monitor, writes the batch
and the alarms it raised in the caller's transaction, and audits. The monitor is rebuilt from
the stored batches (:func:`rebuild_monitor`) after a restart or a failed write, so its state is
always that of the stored samples.

Audit: one entry per ingested batch (or per CSV import), not per sample: at 10 probes x 10 Hz a
per-value entry would be 100 audit rows a second per perfusion and say nothing more. The live
hub goes one step further for a live feed: batches from the same user to the same procedure
within a second of its last entry are covered by that entry (see :mod:`rareonco.records.hipec.live_hub`);
a batch that raises an alarm always has its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from rareonco.errors import Conflict, InvalidInput, NotFound
from rareonco.hipec import (
    Acknowledge,
    Alarm,
    AlarmConfig,
    AlarmMonitor,
    AlarmType,
    Analysis,
    PerfusionLog,
    Prescription,
    analyse,
)
from rareonco.hipec.logfile import parse_csv
from rareonco.hipec.perfusion import SampleBatch
from rareonco.records.hipec import procedures as hipec
from rareonco.records.hipec.schemas import AlarmOut, AnalysisOut, SamplesOut, SnapshotOut
from rareonco.records.schemas import iso
from rareonco.reports import hipec_report
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.hipec import HipecAlarm, HipecProcedure, HipecSampleBatch

IMPORT_CHUNK_SAMPLES = 600
#: A live feed's batches from one user to one procedure within this many seconds of its last
#: audit entry are covered by that entry (the live hub applies it).
AUDIT_WINDOW_S = 1.0
_ALARM_TYPES = frozenset(t.value for t in AlarmType)


# -- encoding ---------------------------------------------------------------------------------

def _column(values: np.ndarray, digits: int) -> list[float | None]:
    return [None if v != v else round(v, digits) for v in values.tolist()]


def batch_columns(batch: SampleBatch) -> dict[str, Any]:
    """The columnar JSON shape of a batch (NaN as null)."""
    return {"t_s": _column(batch.t_s, 4),
            "probes": {name: _column(v, 3) for name, v in batch.probes_c.items()},
            "flow_l_min": None if batch.flow_l_min is None else _column(batch.flow_l_min, 3)}


def decode_batch(data: str) -> SampleBatch:
    obj = json.loads(data)
    flow = obj.get("flow_l_min")
    return SampleBatch(np.array(obj["t_s"], dtype=float),
                       {k: np.array(v, dtype=float) for k, v in obj["probes"].items()},
                       None if flow is None else np.array(flow, dtype=float))


def _stored(session: Session, procedure_id: int) -> Iterator[SampleBatch]:
    rows = session.scalars(select(HipecSampleBatch.data)
                           .where(HipecSampleBatch.procedure_id == procedure_id)
                           .order_by(HipecSampleBatch.t_first_s)
                           .execution_options(yield_per=500))
    for data in rows:
        yield decode_batch(data)


def concat(batches: Sequence[SampleBatch]) -> PerfusionLog:
    """One log from batches in time order; a probe absent from a batch reads NaN there."""
    if not batches:
        return PerfusionLog(np.empty(0), {}, None)
    names: dict[str, None] = {}
    for b in batches:
        names.update(dict.fromkeys(b.probes_c))
    t = np.concatenate([b.t_s for b in batches])

    def col(b: SampleBatch, name: str) -> np.ndarray:
        v = b.probes_c.get(name)
        return v if v is not None else np.full(len(b), math.nan)

    probes = {n: np.concatenate([col(b, n) for b in batches]) for n in names}
    has_flow = any(b.flow_l_min is not None for b in batches)
    flow = np.concatenate([b.flow_l_min if b.flow_l_min is not None else np.full(len(b), math.nan)
                           for b in batches]) if has_flow else None
    return PerfusionLog(t, probes, flow)


def load_log(session: Session, procedure_id: int) -> PerfusionLog:
    return concat(list(_stored(session, procedure_id)))


# -- the monitor and ingest -------------------------------------------------------------------

def prescription(proc: HipecProcedure) -> Prescription:
    """The perfusion's prescription from the procedure record: its target range and planned
    duration; every other limit is :class:`Prescription`'s default (relative to the target)."""
    low, high = float(proc.target_low_c), float(proc.target_high_c)
    return Prescription(target_low_c=low, target_high_c=max(high, low + 1e-6),
                        duration_min=float(proc.planned_duration_min))


def new_monitor(proc: HipecProcedure) -> AlarmMonitor:
    return AlarmMonitor(AlarmConfig(), probes=list(proc.probes or ()),
                        prescription=prescription(proc))


def apply_ack(monitor: AlarmMonitor, alarm_type: str, probe: str | None, episode: int | None,
              by: str, t_s: float | None) -> bool:
    """Pass a stored acknowledgement to the monitor: it silences the alarm's episode while that
    episode is still the active one of its condition (an acknowledgement of an alarm whose
    episode has cleared, or been followed by a new one, silences nothing). True if applied."""
    try:
        kind = AlarmType(alarm_type)
    except ValueError:
        return False
    cond = monitor.existing(kind, probe)
    if cond is None or not cond.active or (episode is not None and cond.episode != episode):
        return False
    return monitor.acknowledge(kind, probe, by=by or "?", t_s=t_s) is not None


def _stored_acks(session: Session, procedure_id: int) -> list[HipecAlarm]:
    return list(session.scalars(
        select(HipecAlarm).where(HipecAlarm.procedure_id == procedure_id,
                                 HipecAlarm.acknowledged_at.is_not(None))
        .order_by(HipecAlarm.ack_t_s, HipecAlarm.acknowledged_at, HipecAlarm.id)).all())


def _ack_time(a: HipecAlarm) -> float:
    return math.inf if a.ack_t_s is None else a.ack_t_s


def _ack_by(a: HipecAlarm) -> str:
    return a.ack_user.username if a.ack_user is not None else "?"


def rebuild_monitor(session: Session, proc: HipecProcedure) -> tuple[AlarmMonitor, float | None]:
    """A monitor in the state of the stored samples and acknowledgements (each re-applied at
    its perfusion time ``ack_t_s``), and the last stored time (s) or None.

    The alarms it raises on the way were stored when those samples arrived."""
    monitor = new_monitor(proc)
    last_t = None
    stored = _stored_acks(session, proc.id)
    acks = [a for a in stored if a.ack_t_s is not None]
    # acknowledged before ack_t_s was kept (hipec_0003): applied at the last stored sample
    acks += [a for a in stored if a.ack_t_s is None]
    i = 0

    def ack_until(t: float) -> None:
        nonlocal i
        while i < len(acks) and _ack_time(acks[i]) <= t:
            a = acks[i]
            apply_ack(monitor, a.type, a.probe, a.episode, _ack_by(a), a.ack_t_s)
            i += 1

    for batch in _stored(session, proc.id):
        t = batch.t_s.tolist()
        start = 0
        for a in acks[i:]:
            if a.ack_t_s is None or a.ack_t_s > t[-1]:
                break
            stop = int(np.searchsorted(batch.t_s, a.ack_t_s, side="right"))
            if stop > start:
                monitor.feed_batch(_slice(batch, start, stop))
                start = stop
            ack_until(a.ack_t_s)
        if start < len(t):
            monitor.feed_batch(_slice(batch, start, len(t)))
        last_t = float(t[-1])
    ack_until(math.inf)
    return monitor, last_t


def _slice(b: SampleBatch, start: int, stop: int) -> SampleBatch:
    return SampleBatch(b.t_s[start:stop], {k: v[start:stop] for k, v in b.probes_c.items()},
                       None if b.flow_l_min is None else b.flow_l_min[start:stop])


@dataclass(frozen=True)
class Ingested:
    """What one ingest stored: sample count, time span, the alarms raised (as views), and each
    stored batch's columnar JSON (the live stream sends it as is)."""

    n_samples: int
    t_first_s: float
    t_last_s: float
    alarms: list[AlarmOut]
    payloads: list[str]


def check_batch(proc: HipecProcedure, batch: SampleBatch, last_t_s: float | None) -> None:
    """Refuse a batch that does not fit the procedure or overlaps what is stored."""
    if proc.status == "finished":
        raise Conflict(f"HIPEC procedure {proc.id} is finished; it takes no more samples")
    if proc.probes:
        for name in batch.probes_c:
            if name not in proc.probes:
                raise InvalidInput(f"probes.{name}", f"not a probe of this procedure "
                                   f"({', '.join(proc.probes)})")
    if last_t_s is not None and float(batch.t_s[0]) <= last_t_s:
        raise Conflict(f"samples from {float(batch.t_s[0]):g} s overlap the stored ones "
                       f"(up to {last_t_s:g} s); send only later samples", last_t_s=last_t_s)


def last_time(session: Session, procedure_id: int) -> float | None:
    return session.scalar(select(func.max(HipecSampleBatch.t_last_s))
                          .where(HipecSampleBatch.procedure_id == procedure_id))


def ingest(session: Session, actor: Actor, proc: HipecProcedure,
           batches: Sequence[SampleBatch], monitor: AlarmMonitor, last_t_s: float | None,
           source: str = "api", what: str = "ingest", audited: bool = True) -> Ingested:
    """Store ``batches`` (in time order) and the alarms they raise, with one audit entry
    (``audited=False``: the caller's earlier entry covers them; see the live hub).

    Feeds ``monitor``: if this raises or the transaction fails, the caller must rebuild it.
    """
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    alarms: list[Alarm] = []
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for batch in batches:
        check_batch(proc, batch, last_t_s)
        alarms.extend(monitor.feed_batch(batch))
        rows.append({"procedure_id": proc.id, "t_first_s": float(batch.t_s[0]),
                     "t_last_s": float(batch.t_s[-1]), "n_samples": len(batch),
                     "data": json.dumps(batch_columns(batch), separators=(",", ":")),
                     "source": source, "received_at": now})
        last_t_s = float(batch.t_s[-1])
    # Core executemany: the ORM's bulk path costs several times more per row.
    session.connection().execute(insert(cast(Table, HipecSampleBatch.__table__)), rows)
    stored = [_alarm_row(proc.id, a, now) for a in alarms]
    session.add_all(stored)
    if proc.status == "planned":
        proc.status = "running"
    session.flush()
    n = sum(r["n_samples"] for r in rows)
    t0, t1 = rows[0]["t_first_s"], rows[-1]["t_last_s"]
    if audited or stored:
        audit.record(session, actor, what, f"case/{proc.case_id}/hipec/{proc.id}/samples",
                     f"{n} samples {t0:g}-{t1:g} s; {len(stored)} alarms; {source}"
                     + (f"; covers this user's batches of the next {AUDIT_WINDOW_S:g} s"
                        if source == "api" else ""))
    return Ingested(n, t0, t1, [alarm_view(a) for a in stored], [r["data"] for r in rows])


def _alarm_row(procedure_id: int, a: Alarm, now: datetime) -> HipecAlarm:
    return HipecAlarm(procedure_id=procedure_id, t_s=a.t_s, onset_s=a.onset_s,
                      type=a.type.value, probe=a.probe, value=a.value, message=a.message,
                      level=a.level, episode=a.episode, limit_value=a.limit,
                      predicted_crossing_s=a.predicted_crossing_s, raised_at=now)


def store_alarms(session: Session, actor: Actor, proc: HipecProcedure,
                 alarms: Sequence[Alarm]) -> list[HipecAlarm]:
    """Alarms raised without new samples (the live hub's dead-feed watchdog)."""
    rows = [_alarm_row(proc.id, a, datetime.now(UTC)) for a in alarms]
    session.add_all(rows)
    session.flush()
    audit.record(session, actor, "alarm", f"case/{proc.case_id}/hipec/{proc.id}/alarms",
                 f"{len(rows)} alarms without samples (feed silent)")
    return rows


def split(log: PerfusionLog, size: int = IMPORT_CHUNK_SAMPLES) -> list[SampleBatch]:
    out = []
    for start in range(0, len(log), size):
        sl = slice(start, start + size)
        out.append(SampleBatch(log.t_s[sl], {k: v[sl] for k, v in log.probes_c.items()},
                               None if log.flow_l_min is None else log.flow_l_min[sl]))
    return out


def parse_import(text: str) -> PerfusionLog:
    """A perfusion CSV export (see :mod:`rareonco.hipec.logfile`), with no empty probe."""
    log = parse_csv(text)
    if not len(log):
        raise InvalidInput("file", "the log has no samples")
    return log


def overview(log: PerfusionLog, max_points: int) -> SamplesOut:
    """The log as columns, thinned by a stride to at most about ``max_points`` samples (a
    live-page overview; the analysis and the report use every sample)."""
    step = max(1, math.ceil(len(log) / max(1, max_points)))
    idx = np.arange(0, len(log), step)
    if len(log) and idx[-1] != len(log) - 1:
        idx = np.append(idx, len(log) - 1)
    # Built from values of the right types already: no second pass over every sample.
    return SamplesOut.model_construct(**batch_columns(SampleBatch(
        log.t_s[idx], {k: v[idx] for k, v in log.probes_c.items()},
        None if log.flow_l_min is None else log.flow_l_min[idx])))


def snapshot(session: Session, proc: HipecProcedure, max_points: int = 3000) -> SnapshotOut:
    """What a live page starts from: the samples so far (thinned), alarms, status, target."""
    alarms = session.scalars(select(HipecAlarm).where(HipecAlarm.procedure_id == proc.id)
                             .order_by(HipecAlarm.t_s, HipecAlarm.id)).all()
    log = load_log(session, proc.id)
    return SnapshotOut(samples=overview(log, max_points), n_samples=len(log),
                       alarms=[alarm_view(a) for a in alarms], status=proc.status,
                       target_c=[proc.target_low_c, proc.target_high_c])


# -- alarms -----------------------------------------------------------------------------------

def alarm_view(a: HipecAlarm) -> AlarmOut:
    ack_user = a.ack_user if a.acknowledged_by is not None else None
    return AlarmOut(id=a.id, procedure_id=a.procedure_id, t_s=round(a.t_s, 3),
                    onset_s=round(a.onset_s, 3), type=a.type, probe=a.probe,
                    value=round(a.value, 3), message=a.message, raised_at=iso(a.raised_at),
                    acknowledged_by=ack_user.username if ack_user else None,
                    acknowledged_at=iso(a.acknowledged_at), ack_note=a.ack_note,
                    level=a.level if a.level is not None else 1, episode=a.episode,
                    limit_value=_round(a.limit_value, 3),
                    predicted_crossing_s=_round(a.predicted_crossing_s, 1),
                    ack_t_s=_round(a.ack_t_s, 3))


def _round(v: float | None, digits: int) -> float | None:
    return None if v is None else round(v, digits)


def list_alarms(session: Session, actor: Actor, case_id: int,
                procedure_id: int) -> list[HipecAlarm]:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    hipec.load(session, case_id, procedure_id)
    rows = session.scalars(select(HipecAlarm).where(HipecAlarm.procedure_id == procedure_id)
                           .order_by(HipecAlarm.t_s, HipecAlarm.id)).all()
    audit.record(session, actor, "read", f"case/{case_id}/hipec/{procedure_id}/alarms")
    return list(rows)


def acknowledge(session: Session, actor: Actor, case_id: int, procedure_id: int,
                alarm_id: int, note: str = "") -> HipecAlarm:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    hipec.load(session, case_id, procedure_id)
    alarm = session.get(HipecAlarm, alarm_id)
    if alarm is None or alarm.procedure_id != procedure_id:
        raise NotFound(f"alarm {alarm_id} not found on HIPEC procedure {procedure_id}")
    # The perfusion time of the acknowledgement: the last stored sample's (a rebuilt monitor
    # re-applies it there).
    done = session.execute(
        update(HipecAlarm).where(HipecAlarm.id == alarm_id,
                                 HipecAlarm.acknowledged_at.is_(None))
        .values(acknowledged_by=actor.user_id, acknowledged_at=datetime.now(UTC),
                ack_note=note, ack_t_s=last_time(session, procedure_id)))
    if done.rowcount == 0:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        session.refresh(alarm)
        raise Conflict(f"alarm {alarm_id} was already acknowledged by "
                       f"{alarm.ack_user.username if alarm.ack_user else 'someone'} at "
                       f"{iso(alarm.acknowledged_at)}")
    session.refresh(alarm)
    audit.record(session, actor, "acknowledge",
                 f"case/{case_id}/hipec/{procedure_id}/alarms/{alarm_id}", alarm.type)
    return alarm


# -- analysis and report ----------------------------------------------------------------------

def analysis(session: Session, actor: Actor, case_id: int,
             procedure_id: int) -> tuple[HipecProcedure, PerfusionLog, Analysis]:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    proc = hipec.load(session, case_id, procedure_id)
    log = load_log(session, procedure_id)
    acks = tuple(Acknowledge(a.ack_t_s, AlarmType(a.type), a.probe, _ack_by(a))
                 for a in _stored_acks(session, procedure_id)
                 if a.ack_t_s is not None and a.type in _ALARM_TYPES)
    result = analyse(log, prescription=prescription(proc), acknowledgements=acks)
    audit.record(session, actor, "read", f"case/{case_id}/hipec/{procedure_id}/analysis",
                 f"{len(log)} samples")
    return proc, log, result


def analysis_view(session: Session, actor: Actor, case_id: int, procedure_id: int) -> AnalysisOut:
    """The analysis as the API returns it, with the sample count and the duration (s)."""
    _, log, result = analysis(session, actor, case_id, procedure_id)
    return AnalysisOut.model_validate(
        {**result.to_dict(), "n_samples": len(log), "duration_s": log.duration_s})


def report_metadata(proc: HipecProcedure) -> dict[str, str]:
    patient = proc.case.patient
    drugs = "; ".join(f"{d['drug']} {d['dose_mg_m2']:g} mg/m2 = {d['dose_mg']:g} mg"
                      for d in proc.drugs)
    meta = {"Patient": f"{patient.family_name} {patient.given_names} (MRN {patient.mrn})",
            "Case": str(proc.case_id), "Procedure": f"HIPEC {proc.id}, {proc.technique} "
            f"technique, {iso(proc.procedure_date)}",
            "Drugs": f"{drugs} (BSA {proc.bsa_m2:.2f} m2)",
            "Carrier": f"{proc.carrier_solution}, {proc.carrier_volume_ml:g} ml",
            "Planned": f"{proc.target_low_c:g}-{proc.target_high_c:g} C, "
                       f"{proc.planned_duration_min:g} min"}
    if proc.flow_rate_l_min is not None:
        meta["Flow"] = f"{proc.flow_rate_l_min:g} L/min"
    if proc.pci is not None or proc.cc_score:
        meta["Cytoreduction"] = f"PCI {proc.pci if proc.pci is not None else '-'}, " \
                                f"{proc.cc_score or 'CC -'}"
    return meta


def _report_inputs(session: Session, actor: Actor, case_id: int, procedure_id: int,
                   fmt: str) -> tuple[Analysis, PerfusionLog, str, dict[str, str]]:
    """What the perfusion report shows (analysis, log, title, metadata); audited as an export."""
    proc, log, result = analysis(session, actor, case_id, procedure_id)
    if not len(log):
        raise NotFound(f"HIPEC procedure {procedure_id} has no perfusion samples yet")
    meta = report_metadata(proc)
    title = f"HIPEC perfusion report, case {case_id}"
    audit.record(session, actor, "export", f"case/{case_id}/hipec/{procedure_id}/report", fmt)
    return result, log, title, meta


def report_html(session: Session, actor: Actor, case_id: int, procedure_id: int) -> str:
    """The perfusion report as HTML."""
    result, log, title, meta = _report_inputs(session, actor, case_id, procedure_id, "html")
    return hipec_report.render_html(result, log, title=title, metadata=meta)


def report_pdf(session: Session, actor: Actor, case_id: int, procedure_id: int) -> bytes:
    """The perfusion report as PDF."""
    result, log, title, meta = _report_inputs(session, actor, case_id, procedure_id, "pdf")
    return hipec_report.render_pdf(result, log, title=title, metadata=meta)
