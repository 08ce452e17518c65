"""Demo HIPEC procedure for the DSRCT case (issue 6).

The case's timeline already has the surgery (PCI 14, CC-1) and the ``hipec`` event (closed
technique, 42-43 C, 60 min), written by ``demo/cases.py``. The procedure record adopts that
event (no second timeline line) and links the surgery. Cisplatin 100 mg/m2 (the drug reported
for DSRCT HIPEC, Hayes-Jordan et al., Ann Surg Oncol 2010; clinical reference section 3) on the
height and weight of the course demo at the end of chemotherapy (168 cm, 53.5 kg: BSA 1.58 m2,
158 mg). Carrier 0.9 % NaCl 4.5 L, flow 1.2 L/min. The perfusion is the circuit simulator's
60-minute run at 1 Hz (seed 6) with the four standard probes, stored through the same ingest
path as a live feed, so the analysis and the report work; the procedure is then finished.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.hipec import simulate
from rareonco.records.hipec import procedures as hipec
from rareonco.records.hipec import samples as hipec_samples
from rareonco.records.hipec.schemas import DrugIn, ProcedureIn
from rareonco.security.audit import Actor
from rareonco.store.tables.accounts import User
from rareonco.store.tables.cases import TimelineEvent
from rareonco.store.tables.hipec import HipecProcedure

if TYPE_CHECKING:
    from rareonco.demo.loader import DemoCases

HEIGHT_CM = 168.0
WEIGHT_KG = 53.5
SEED = 6


def _event(session: Session, case_id: int, kind: str) -> TimelineEvent | None:
    return session.scalar(select(TimelineEvent).where(TimelineEvent.case_id == case_id,
                                                      TimelineEvent.kind == kind)
                          .order_by(TimelineEvent.id).limit(1))


def load(session: Session, cases: DemoCases) -> str | None:
    case_id = cases.dsrct_case_id
    if case_id is None or session.scalar(
            select(HipecProcedure.id).where(HipecProcedure.case_id == case_id)) is not None:
        return None
    author = session.scalar(select(User.id).where(User.username == "demo"))
    actor = Actor(author, "demo-loader", "admin", "local")
    event, surgery = _event(session, case_id, "hipec"), _event(session, case_id, "surgery")
    if event is None:
        return None
    proc = hipec.create(session, actor, case_id, ProcedureIn(
        procedure_date=event.event_date, technique="closed",
        drugs=[DrugIn(drug="cisplatin", dose_mg_m2=100)], height_cm=HEIGHT_CM,
        weight_kg=WEIGHT_KG, carrier_solution="0.9% NaCl", carrier_volume_ml=4500,
        target_low_c=42.0, target_high_c=43.0, planned_duration_min=60, flow_rate_l_min=1.2,
        pci=14, cc_score="CC-1", surgery_event_id=surgery.id if surgery else None,
        probes=["inflow", "outflow", "ip_upper", "ip_pelvis"],
        note="Demo: simulated 60-minute closed perfusion"), event=event)
    log = simulate(60, seed=SEED, rate_hz=1.0)
    result = hipec_samples.ingest(session, actor, proc, hipec_samples.split(log),
                                  hipec_samples.new_monitor(proc), None, source="demo",
                                  what="import")
    proc.status = "finished"
    session.flush()
    dose = proc.drugs[0]["dose_mg"]
    return (f"hipec: DSRCT case {case_id}, closed HIPEC cisplatin {dose:g} mg, "
            f"{result.n_samples} samples over 60 min, {len(result.alarms)} alarms")
