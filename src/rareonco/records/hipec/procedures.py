"""HIPEC procedures on a case: record, read, update (issue 6, item 1).

A procedure is a timeline event of kind ``hipec`` (linked to the case's ``surgery`` event when
given) plus a row of its own with the prescription: technique, drugs with dose per m2 and the
resulting mg, carrier solution, target range, planned duration, flow, PCI and CC score.

Doses: BSA by Mosteller from the height and weight given with the request, each dose
``dose_mg_m2 x BSA`` rounded to 1 mg (:func:`rareonco.clinical.dosing.dose_mg`). PCI is 0-39
and CC one of CC-0..CC-3 (Jacquet and Sugarbaker 1996, :mod:`rareonco.clinical.peritoneal`);
a PCI may also be given as the 13 regional scores (``pci_regions``), summed by
:func:`rareonco.clinical.peritoneal.pci`.

Samples, alarms, analysis and the report are in :mod:`rareonco.records.hipec.samples`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rareonco import i18n
from rareonco.clinical import peritoneal
from rareonco.clinical._checks import choice, in_range, integer
from rareonco.clinical.dosing import bsa_m2, dose_mg
from rareonco.errors import Conflict, InvalidInput, NotFound
from rareonco.hipec.perfusion_drugs import check_perfusion_dose
from rareonco.i18n import N_
from rareonco.records.hipec.schemas import (
    CC_SCORES,
    HipecDrugOut,
    ProcedureIn,
    ProcedureOut,
    ProcedureUpdate,
    check_probe_name,
)
from rareonco.records.versions import require_version
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.cases import Case, TimelineEvent
from rareonco.store.tables.hipec import HipecAlarm, HipecProcedure, HipecSampleBatch

STATUSES = ("planned", "running", "finished")


def check_pci(value: object) -> int:
    """Peritoneal Cancer Index, 0-39 (13 regions x lesion-size score 0-3)."""
    return integer(value, "pci", 0, 39)


def check_cc(value: object) -> str:
    """Completeness of cytoreduction, CC-0 to CC-3."""
    return choice(value, "cc_score", CC_SCORES)


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def load(session: Session, case_id: int, procedure_id: int) -> HipecProcedure:
    """The procedure, checking it belongs to the case (no permission check, no audit)."""
    proc = session.get(HipecProcedure, procedure_id)
    if proc is None or proc.case_id != case_id:
        raise NotFound(f"HIPEC procedure {procedure_id} not found on case {case_id}")
    return proc


#: a reason for a dose beyond the protocol must say something: at least this many letters/digits
MIN_REASON_CHARS = 10


#: The refusals of this module (English, as the API answers; pages show them translated)
MESSAGES: dict[str, str] = {
    "dose_reason": N_("%(findings)s: give the clinical reason for this dose"),
    "target_order": N_("must be above the target's low end (%(low)s °C)"),
    "pci_sum": N_("%(pci)s differs from the regional scores' sum %(sum)s"),
    "probes_unique": N_("probe names must be unique"),
    "not_surgery": N_("event %(event)s is not a surgery on this case"),
}


def _doses(data: ProcedureIn) -> tuple[float, list[dict[str, Any]]]:
    """Each drug's dose in mg on the BSA, checked against the perfusion protocol's range
    (`rareonco.hipec.perfusion_drugs`): a dose far beyond it (or a drug with no known range) is
    refused; one beyond it needs a clinical reason; one below it is only shown."""
    area = bsa_m2(data.height_cm, data.weight_kg)
    drugs = []
    for i, d in enumerate(data.drugs):
        try:
            mg = dose_mg(per_m2_mg=d.dose_mg_m2, bsa_m2=area, rounding_mg=1.0).dose_mg
        except InvalidInput as exc:
            raise InvalidInput(f"drugs.{i}.{exc.field}", exc.reason) from None
        findings = check_perfusion_dose(d.drug, d.dose_mg_m2, area,
                                        data.carrier_volume_ml / 1000.0)
        locale = i18n.current_locale()
        for f in findings:
            if f.severity == "block":
                raise InvalidInput(f"drugs.{i}.dose_mg_m2", f.message(locale))
        needs_reason = [f for f in findings if f.severity == "needs_reason"]
        reason = (d.reason or "").strip()
        if needs_reason and sum(ch.isalnum() for ch in reason) < MIN_REASON_CHARS:
            raise InvalidInput(f"drugs.{i}.reason", MESSAGES["dose_reason"] % {
                "findings": "; ".join(f.message(locale) for f in needs_reason)})
        drug = {"drug": d.drug, "dose_mg_m2": d.dose_mg_m2, "dose_mg": mg}
        if needs_reason:
            drug["reason"] = reason
        drugs.append(drug)
    return area, drugs


def _summary(proc: HipecProcedure) -> str:
    drugs = ", ".join(f"{d['drug']} {d['dose_mg_m2']:g} mg/m2 ({d['dose_mg']:g} mg)"
                      for d in proc.drugs)
    return (f"HIPEC, {proc.technique} technique: {drugs}; {proc.carrier_solution} "
            f"{proc.carrier_volume_ml:g} ml, {proc.target_low_c:g}-{proc.target_high_c:g} C, "
            f"{proc.planned_duration_min:g} min")


def create(session: Session, actor: Actor, case_id: int, data: ProcedureIn,
           event: TimelineEvent | None = None) -> HipecProcedure:
    """Record a procedure and its ``hipec`` timeline event (or adopt ``event``, for the demo)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    _case(session, case_id)
    low = in_range(data.target_low_c, "target_low_c", 37.0, 45.0, "C")
    high = in_range(data.target_high_c, "target_high_c", 37.0, 45.0, "C")
    if low >= high:
        raise InvalidInput("target_high_c", MESSAGES["target_order"] % {"low": f"{low:g}"})
    pci = check_pci(data.pci) if data.pci is not None else None
    if data.pci_regions is not None:
        try:
            regions: dict[int | str, int] = {k: v for k, v in data.pci_regions.items()}
            from_regions = peritoneal.pci(regions)
        except InvalidInput as exc:
            raise InvalidInput(f"pci_{exc.field}", exc.reason) from None
        if pci is not None and pci != from_regions:
            raise InvalidInput("pci", MESSAGES["pci_sum"] % {"pci": pci, "sum": from_regions})
        pci = from_regions
    cc = check_cc(data.cc_score) if data.cc_score is not None else None
    for i, name in enumerate(data.probes):
        check_probe_name(name, f"probes.{i}")
    if len(set(data.probes)) != len(data.probes):
        raise InvalidInput("probes", MESSAGES["probes_unique"])
    if data.surgery_event_id is not None:
        surgery = session.get(TimelineEvent, data.surgery_event_id)
        if surgery is None or surgery.case_id != case_id or surgery.kind != "surgery":
            raise InvalidInput("surgery_event_id",
                               MESSAGES["not_surgery"] % {"event": data.surgery_event_id})
    area, drugs = _doses(data)
    proc = HipecProcedure(
        case_id=case_id, surgery_event_id=data.surgery_event_id,
        procedure_date=data.procedure_date, technique=data.technique, drugs=drugs,
        height_cm=data.height_cm, weight_kg=data.weight_kg, bsa_m2=round(area, 3),
        carrier_solution=data.carrier_solution, carrier_volume_ml=data.carrier_volume_ml,
        target_low_c=low, target_high_c=high, planned_duration_min=data.planned_duration_min,
        flow_rate_l_min=data.flow_rate_l_min, pci=pci, cc_score=cc, probes=list(data.probes),
        status="planned", note=data.note, created_by=actor.user_id)
    session.add(proc)
    session.flush()
    payload = {"procedure_id": proc.id, "technique": proc.technique,
               "target_c": [low, high], "minutes": proc.planned_duration_min,
               "drugs": drugs, "pci": pci, "cc": cc}
    if event is None:
        event = TimelineEvent(case_id=case_id, kind="hipec", event_date=data.procedure_date,
                              summary=_summary(proc), payload=payload,
                              author_id=actor.user_id)
        session.add(event)
    else:
        event.payload = {**(event.payload or {}), **payload}
    session.flush()
    proc.event_id = event.id
    session.flush()
    audit.record(session, actor, "create", f"case/{case_id}/hipec/{proc.id}",
                 f"event/{event.id}")
    return proc


def list_for_case(session: Session, actor: Actor, case_id: int) -> list[HipecProcedure]:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    _case(session, case_id)
    rows = session.scalars(select(HipecProcedure).where(HipecProcedure.case_id == case_id)
                           .order_by(HipecProcedure.procedure_date, HipecProcedure.id)).all()
    audit.record(session, actor, "read", f"case/{case_id}/hipec", f"{len(rows)} procedures")
    return list(rows)


def get(session: Session, actor: Actor, case_id: int, procedure_id: int) -> HipecProcedure:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    proc = load(session, case_id, procedure_id)
    audit.record(session, actor, "read", f"case/{case_id}/hipec/{procedure_id}")
    return proc


def update(session: Session, actor: Actor, case_id: int, procedure_id: int,
           data: ProcedureUpdate) -> HipecProcedure:
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    proc = load(session, case_id, procedure_id)
    require_version(f"HIPEC procedure {procedure_id}", proc.version, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if changes.get("pci") is not None:
        check_pci(changes["pci"])
    if changes.get("cc_score") is not None:
        check_cc(changes["cc_score"])
    for key, value in changes.items():
        setattr(proc, key, value)
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"HIPEC procedure {procedure_id} was changed concurrently; reload") \
            from exc
    audit.record(session, actor, "update", f"case/{case_id}/hipec/{procedure_id}",
                 ",".join(sorted(changes)))
    return proc


def set_status(session: Session, proc: HipecProcedure, status: str) -> None:
    """Status moves made by the system (first sample: running); no audit of their own."""
    if proc.status != status:
        proc.status = status
        session.flush()


def view(session: Session, proc: HipecProcedure) -> ProcedureOut:
    counts = session.execute(
        select(func.count(HipecSampleBatch.id), func.coalesce(func.sum(
            HipecSampleBatch.n_samples), 0), func.max(HipecSampleBatch.t_last_s))
        .where(HipecSampleBatch.procedure_id == proc.id)).one()
    open_alarms = session.scalar(select(func.count(HipecAlarm.id)).where(
        HipecAlarm.procedure_id == proc.id, HipecAlarm.acknowledged_at.is_(None)))
    return ProcedureOut(
        id=proc.id, case_id=proc.case_id, version=proc.version, event_id=proc.event_id,
        surgery_event_id=proc.surgery_event_id, procedure_date=proc.procedure_date,
        technique=proc.technique, drugs=[HipecDrugOut.model_validate(d) for d in proc.drugs],
        height_cm=proc.height_cm, weight_kg=proc.weight_kg, bsa_m2=proc.bsa_m2,
        carrier_solution=proc.carrier_solution, carrier_volume_ml=proc.carrier_volume_ml,
        target_c=[proc.target_low_c, proc.target_high_c],
        planned_duration_min=proc.planned_duration_min, flow_rate_l_min=proc.flow_rate_l_min,
        pci=proc.pci, cc_score=proc.cc_score, probes=list(proc.probes or ()),
        status=proc.status, note=proc.note, batches=counts[0], samples=int(counts[1]),
        last_t_s=counts[2], open_alarms=open_alarms or 0)
