"""The live HIPEC hub (I/O edge): one writer thread that owns the per-procedure alarm monitors,
the live-stream subscribers, the dead-feed watchdog and server-side simulated perfusions.

Ingest is single-writer with group commit. A request validates its batch and queues it; the
writer thread takes everything queued, and in one transaction checks each batch against what
is stored, feeds the procedure's :class:`~rareonco.hipec.alarms.AlarmMonitor` (kept in memory,
so a batch costs O(samples x probes) however long the perfusion has run), writes the batch, its
alarms and its audit entry (one per user, procedure and second of a live feed: the entry is
written with the first batch and covers that user's batches of the next second; an alarm always
gets its own); after the commit it publishes the events and answers the requests.
So an event is published only once stored, subscribers see events in stored order, no lock is
contended per request (SQLite has one writer anyway: queueing here replaces the busy handler's
sleep-polling), and the per-transaction cost is shared by every batch that arrived meanwhile.
A monitor is rebuilt from the stored batches after a restart or a failed commit.

Subscribers are the server-sent-event streams (:mod:`rareonco.web.api.hipec`): the writer hands
each event to every subscriber's event loop with ``call_soon_threadsafe``, so nothing polls
between a stored alarm and the browser.

Why an alarm is published after the commit and not as soon as the monitor raises it: the
commit is not where its delay is. Measured with ``benchmarks/hipec_stream.py`` (20 perfusions
posting ten times a second each), a batch that raised an alarm spent p50 3-9 ms and p95 7-15
ms between queueing and publishing (the higher figures when all 20 post at the same instant),
of which the commit took 0.1 ms (WAL checkpoints reach 25 ms now and then). Publishing before
the commit would save at most those milliseconds and give up two safety properties. An alarm on
the screen is in the record: if the commit fails, the request fails, the monitor is rebuilt from
the stored samples and the machine's retry raises the alarm again, so an early copy would be shown
twice, once under an id that no longer exists. And the id the page acknowledges an alarm by is
the stored one: an id handed out before a commit that then fails can be reused by another alarm,
and an acknowledgement would land on the wrong one. What did delay alarms was the client's
posting interval and CPU, and pauses of the whole server process (see :func:`freeze_heap`).

The hub lives in one process: run one server process per database for live monitoring (several
processes would each hold a monitor and the stream would only see its own process's batches).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.errors import Conflict, RareOncoError
from rareonco.heap import freeze_heap
from rareonco.hipec import AlarmMonitor, PerfusionSimulator, SampleBatch, parse_fault
from rareonco.hipec.simulator import DEFAULT_PROBES
from rareonco.records.hipec import procedures as hipec
from rareonco.records.hipec import samples as hipec_samples
from rareonco.records.hipec.live_simulation import Simulation
from rareonco.records.hipec.schemas import SimulationIn
from rareonco.records.hipec.subscribers import Subscriber
from rareonco.security.audit import SYSTEM, Actor
from rareonco.security.roles import Permission, require
from rareonco.store.db import Database
from rareonco.store.tables.hipec import HipecProcedure

log = logging.getLogger("rareonco.hipec.live")

WATCH_INTERVAL_S = 1.0
FORGET_AFTER_S = 600.0  # a feed idle this long is no longer watched
MAX_GROUP = 500  # batches per group commit
INGEST_TIMEOUT_S = 60.0


@dataclass(eq=False)
class _Live:
    """A procedure's live state; monitor fields are touched by the writer thread only."""

    monitor: AlarmMonitor | None = None
    last_t_s: float | None = None
    last_wall: float | None = None
    dead_alarmed: bool = False
    audited: tuple[int | None, float] | None = None  # (user id, monotonic time) of last entry
    subscribers: set[Subscriber] = field(default_factory=set)
    simulation: Simulation | None = None


@dataclass(eq=False)
class _Job:
    """Batches to store. ``actor`` is None when the writer authenticates the request itself
    (``authenticate``, in its own transaction); ``parse_error`` is raised after that, so an
    unauthenticated caller learns nothing about the body's validity."""

    actor: Actor | None
    case_id: int
    procedure_id: int
    batches: Sequence[SampleBatch]
    source: str
    what: str
    notify: Callable[[], None]
    authenticate: Callable[[Session], Actor] | None = None
    parse_error: BaseException | None = None
    #: stores what goes with the samples (an import's record), in their savepoint
    after: Callable[[Session, Actor, HipecProcedure], object] | None = None
    result: hipec_samples.Ingested | None = None
    error: BaseException | None = None


#: Frames one event for the subscribers' streams: (kind, JSON-able object) -> text. The web layer
#: hands in its server-sent-event framing; events are framed once, for every subscriber.
Encode = Callable[[str, Any], str]


class LiveHub:
    def __init__(self, db: Database, encode: Encode) -> None:
        self.db = db
        self.encode = encode
        self._lock = threading.Lock()
        self._procs: dict[int, _Live] = {}
        self._queue: queue.SimpleQueue[_Job | Callable[[], None]] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._last_watch = 0.0

    def _live(self, procedure_id: int) -> _Live:
        with self._lock:
            live = self._procs.get(procedure_id)
            if live is None:
                live = self._procs[procedure_id] = _Live()
            return live

    # -- subscribers ----------------------------------------------------------------------------

    def subscribe(self, procedure_id: int) -> Subscriber:
        sub = Subscriber()
        live = self._live(procedure_id)
        with self._lock:
            live.subscribers.add(sub)
        return sub

    def unsubscribe(self, procedure_id: int, sub: Subscriber) -> None:
        with self._lock:
            live = self._procs.get(procedure_id)
            if live is not None:
                live.subscribers.discard(sub)

    def publish(self, procedure_id: int, events: Sequence[str]) -> None:
        live = self._live(procedure_id)
        with self._lock:
            subs = list(live.subscribers)
        for sub in subs:
            sub.put(events)

    # -- ingest ---------------------------------------------------------------------------------

    def ingest(self, actor: Actor, case_id: int, procedure_id: int,
               batches: Sequence[SampleBatch], source: str = "api",
               what: str = "ingest") -> hipec_samples.Ingested:
        """Queue batches for the writer and wait until they are stored (from a thread)."""
        require(actor.role, Permission.CASE_WRITE_CLINICAL)
        done = threading.Event()
        job = _Job(actor, case_id, procedure_id, batches, source, what, done.set)
        self._submit(job)
        if not done.wait(INGEST_TIMEOUT_S):
            raise TimeoutError("the HIPEC writer did not answer in time")
        return _outcome(job)

    async def ingest_async(self, authenticate: Callable[[Session], Actor], case_id: int,
                           procedure_id: int, batches: Sequence[SampleBatch],
                           parse_error: BaseException | None = None, source: str = "api",
                           what: str = "ingest",
                           after: Callable[[Session, Actor, HipecProcedure], object] | None = None,
                           ) -> hipec_samples.Ingested:
        """As :meth:`ingest` for a request: awaited on the event loop (no thread held), the
        caller authenticated by the writer in its transaction (no session of the request's
        own: one transaction per group instead of two per request)."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def settle() -> None:
            if not done.done():
                done.set_result(None)

        def notify() -> None:
            loop.call_soon_threadsafe(settle)

        job = _Job(None, case_id, procedure_id, batches, source, what, notify, authenticate,
                   parse_error, after)
        self._submit(job)
        await asyncio.wait_for(done, INGEST_TIMEOUT_S)
        return _outcome(job)

    def finished(self, procedure_id: int, status: str) -> None:
        """The procedure's status changed (finished: stop watching its feed)."""
        def control() -> None:
            live = self._live(procedure_id)
            if status == "finished":
                live.monitor, live.last_t_s, live.last_wall = None, None, None
            self.publish(procedure_id, [self.encode("status", {"status": status})])

        self._submit(control)

    def acknowledged(self, procedure_id: int, alarm_type: str, probe: str | None,
                     episode: int | None, by: str) -> None:
        """A stored alarm was acknowledged (after the commit): the writer passes it to the
        procedure's monitor at the last sample's time, so the episode stays quiet until it
        worsens. A monitor not in memory picks it up from the store when rebuilt."""
        def control() -> None:
            live = self._live(procedure_id)
            if live.monitor is not None:
                hipec_samples.apply_ack(live.monitor, alarm_type, probe, episode, by,
                                        live.last_t_s)

        self._submit(control)

    def _submit(self, item: _Job | Callable[[], None]) -> None:
        self._queue.put(item)
        with self._lock:
            if self._writer is None:
                self._writer = threading.Thread(target=self._run, name="hipec-writer",
                                                 daemon=True)
                self._writer.start()

    def _run(self) -> None:
        freeze_heap()
        idle_since = time.monotonic()
        while True:
            try:
                items = [self._queue.get(timeout=WATCH_INTERVAL_S)]
            except queue.Empty:
                items = []
            while items and len(items) < MAX_GROUP:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            jobs = []
            for item in items:
                if isinstance(item, _Job):
                    jobs.append(item)
                else:
                    _safely(item)
            if jobs:
                self._write(jobs)
            now = time.monotonic()
            if now - self._last_watch >= WATCH_INTERVAL_S:
                self._last_watch = now
                if self._watch() or items:
                    idle_since = now
            if now - idle_since > FORGET_AFTER_S:
                with self._lock:
                    if self._queue.empty():
                        self._writer = None
                        return

    def _write(self, jobs: list[_Job]) -> None:
        """One transaction for every queued batch; publish and answer after the commit."""
        accepted: list[tuple[_Job, _Live, list[str]]] = []
        try:
            with self.db.session() as session:
                # One query for the group's procedures: each job's load is then an identity-map
                # lookup (the list keeps them alive; the map holds weak references).
                ids = {job.procedure_id for job in jobs}
                session.info["hipec_auth"] = {}  # credential -> actor, for this group only
                procs = session.scalars(select(HipecProcedure)
                                        .where(HipecProcedure.id.in_(ids))).all()
                for job in jobs:
                    events = self._write_job(session, job)
                    if events is not None:
                        accepted.append((job, self._live(job.procedure_id), events))
                del procs
        except Exception as exc:  # every waiting request gets the error
            log.exception("HIPEC group commit of %d batches failed", len(jobs))
            for job, live, _ in accepted:
                live.monitor, live.last_t_s = None, None  # fed but not stored: rebuild
                live.audited = None
                job.result, job.error = None, exc
        else:
            now = time.monotonic()
            for job, live, events in accepted:
                live.last_wall, live.dead_alarmed = now, False
                self.publish(job.procedure_id, events)
        finally:
            for job in jobs:
                job.notify()

    def _write_job(self, session: Session, job: _Job) -> list[str] | None:
        live = self._live(job.procedure_id)
        try:
            if job.actor is None:
                assert job.authenticate is not None
                job.actor = job.authenticate(session)
            require(job.actor.role, Permission.CASE_WRITE_CLINICAL)
            if job.parse_error is not None:
                raise job.parse_error
            proc = hipec.load(session, job.case_id, job.procedure_id)
            if live.monitor is None:
                live.monitor, live.last_t_s = hipec_samples.rebuild_monitor(session, proc)
            hipec_samples.check_batch(proc, job.batches[0], live.last_t_s)
        except RareOncoError as exc:
            job.error = exc
            return None
        before = proc.status
        now = time.monotonic()
        audited = (live.audited is None or live.audited[0] != job.actor.user_id
                   or now - live.audited[1] >= hipec_samples.AUDIT_WINDOW_S or job.source != "api")
        try:
            # A job of several batches (an import) could fail half-way: a savepoint makes it
            # leave nothing behind. A single batch was fully checked above.
            with session.begin_nested() if len(job.batches) > 1 or job.after else nullcontext():
                result = hipec_samples.ingest(session, job.actor, proc, job.batches,
                                              live.monitor, live.last_t_s, job.source,
                                              job.what, audited)
                if job.after is not None:
                    job.after(session, job.actor, proc)
        except RareOncoError as exc:
            live.monitor, live.last_t_s = None, None
            job.error = exc
            return None
        live.last_t_s = result.t_last_s
        if audited:
            live.audited = (job.actor.user_id, now)
        job.result = result
        events = [f"event: samples\ndata: {p}\n\n" for p in result.payloads]
        events += [self.encode("alarm", a) for a in result.alarms]
        if proc.status != before:
            events.append(self.encode("status", {"status": proc.status}))
        return events

    # -- dead-feed watchdog (in the writer thread) ----------------------------------------------

    def _watch(self) -> bool:
        """Raise probe_silent for feeds quiet for silent_after_s; True while any is watched."""
        now = time.monotonic()
        watching = False
        with self._lock:
            items = list(self._procs.items())
        for pid, live in items:
            if live.monitor is None or live.last_wall is None or live.dead_alarmed:
                continue
            idle = now - live.last_wall
            if idle > FORGET_AFTER_S:
                continue
            watching = True
            if idle >= live.monitor.config.silent_after_s:
                live.dead_alarmed = True
                try:
                    self._dead_feed(pid, live, idle)
                except Exception:  # the watchdog must keep running
                    log.exception("dead-feed check of HIPEC procedure %s failed", pid)
        return watching

    def _dead_feed(self, procedure_id: int, live: _Live, idle_s: float) -> None:
        """No batch for silent_after_s: every probe is overdue. AlarmMonitor.check runs on a
        copy, so that late samples can still be fed to the real monitor in time order."""
        assert live.monitor is not None and live.last_t_s is not None
        with self.db.session() as session:
            proc = session.get(HipecProcedure, procedure_id)
            if proc is None or proc.status == "finished":
                return
            alarms = copy.deepcopy(live.monitor).check(live.last_t_s + idle_s)
            if not alarms:
                return
            rows = hipec_samples.store_alarms(session, SYSTEM, proc, alarms)
            events = [self.encode("alarm", hipec_samples.alarm_view(a)) for a in rows]
        self.publish(procedure_id, events)

    # -- simulated perfusions -------------------------------------------------------------------

    def start_simulation(self, session: Session, actor: Actor, case_id: int,
                         procedure_id: int, params: SimulationIn) -> dict[str, Any]:
        require(actor.role, Permission.CASE_WRITE_CLINICAL)
        proc = hipec.load(session, case_id, procedure_id)
        if proc.status == "finished":
            raise Conflict(f"HIPEC procedure {procedure_id} is finished")
        faults = [parse_fault(params.fault)] if params.fault else []
        probes = tuple(proc.probes) or DEFAULT_PROBES
        sim = PerfusionSimulator(seed=params.seed, rate_hz=params.rate_hz, probes=probes,
                                 faults=faults)  # raises InvalidInput on a bad fault
        last_t = hipec_samples.last_time(session, procedure_id)
        offset = 0.0 if last_t is None else last_t + 1.0 / params.rate_hz
        live = self._live(procedure_id)
        with self._lock:
            if live.simulation is not None and live.simulation.is_alive():
                raise Conflict(f"a simulated perfusion is already running on procedure "
                               f"{procedure_id}")
            live.simulation = Simulation(self, actor, case_id, procedure_id, sim, params,
                                         offset)
            live.simulation.start()
        return {"running": True, "speed": params.speed, "minutes": params.minutes,
                "fault": params.fault, "t_offset_s": offset}

    def stop_simulation(self, procedure_id: int) -> bool:
        sim = self._live(procedure_id).simulation
        if sim is None or not sim.is_alive():
            return False
        sim.stop.set()
        sim.join(timeout=5)
        return True

    def simulation_running(self, procedure_id: int) -> bool:
        sim = self._live(procedure_id).simulation
        return sim is not None and sim.is_alive()


def _outcome(job: _Job) -> hipec_samples.Ingested:
    if job.error is not None:
        raise job.error
    assert job.result is not None
    return job.result


def _safely(control: Callable[[], None]) -> None:
    try:
        control()
    except Exception:  # a control message must not stop the writer
        log.exception("HIPEC hub control failed")



