"""A simulated perfusion driven on the server, for demos and tests: the circuit simulator's
batches go through the live hub's ingest like a perfusion machine's."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from rareonco.errors import RareOncoError
from rareonco.hipec import PerfusionSimulator, SampleBatch
from rareonco.records.hipec.schemas import SimulationIn
from rareonco.security.audit import Actor

if TYPE_CHECKING:
    from rareonco.records.hipec.live_hub import LiveHub

log = logging.getLogger("rareonco.hipec.live")


class Simulation(threading.Thread):
    """Drives :class:`PerfusionSimulator` through :meth:`LiveHub.ingest`, ``speed`` times
    faster than real time, one simulated second per batch."""

    def __init__(self, hub: LiveHub, actor: Actor, case_id: int, procedure_id: int,
                 sim: PerfusionSimulator, params: SimulationIn, offset_s: float) -> None:
        super().__init__(name=f"hipec-sim-{procedure_id}", daemon=True)
        self.hub, self.actor, self.case_id, self.procedure_id = hub, actor, case_id, procedure_id
        self.sim, self.params, self.offset_s = sim, params, offset_s
        self.stop = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        step_s = max(1.0, 1.0 / self.params.rate_hz)
        end_s = self.params.minutes * 60.0
        next_wall = time.monotonic()
        while not self.stop.is_set() and self.sim.t_s < end_s - 1e-9:
            batch = self.sim.advance(min(step_s, end_s - self.sim.t_s))
            if len(batch) == 0:
                continue
            shifted = SampleBatch(batch.t_s + self.offset_s, batch.probes_c, batch.flow_l_min)
            try:
                self.hub.ingest(self.actor, self.case_id, self.procedure_id, [shifted],
                                source="simulator")
            except RareOncoError as exc:
                self.error = exc.message
                log.warning("simulated perfusion %s stopped: %s", self.procedure_id, exc)
                return
            except Exception:  # a background thread must not die silently
                log.exception("simulated perfusion %s failed", self.procedure_id)
                self.error = "internal error"
                return
            next_wall += step_s / self.params.speed
            self.stop.wait(max(0.0, next_wall - time.monotonic()))
