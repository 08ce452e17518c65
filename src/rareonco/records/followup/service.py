"""Planning the follow-up of a case, recording its visits, and the visits due.

The plan joins two sources: the surveillance schedule by histology
(:func:`rareonco.clinical.followup.followup_schedule`, ESMO-EURACAN-GENTURIS 2021) and the
late-effect tests driven by exposure (:func:`rareonco.clinical.late_effects.late_effect_plan`,
IGHG 2015 / COG v5), with the exposure read from the case's recorded chemotherapy when the
clinician does not give it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rareonco.clinical.anthracyclines import IGHG_EQUIVALENCE
from rareonco.clinical.followup import followup_schedule
from rareonco.clinical.late_effects import late_effect_plan
from rareonco.errors import Conflict, InvalidInput, NotFound
from rareonco.records.cases.service import get as get_case
from rareonco.records.followup.schemas import DueOut, PlanIn, VisitIn, VisitOut
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.cases import Case, TimelineEvent
from rareonco.store.tables.courses import Course, CourseCycle, CycleDose
from rareonco.store.tables.followup import FollowupVisit

__all__ = ["due_visits", "exposure", "plan_followup", "record_visit", "visit_view", "visits"]

BONE_TOPOGRAPHY = ("C40", "C41")
DUE_NOTICE_DAYS = 30


def exposure(session: Session, case_id: int) -> tuple[float, bool, bool]:
    """(doxorubicin-equivalent mg/m2, ifosfamide given, platinum given) from the case's cycles,
    with the IGHG/Feijen 2019 equivalence factors."""
    rows = session.execute(select(CycleDose.drug, CycleDose.dose_mg_m2).join(
        CourseCycle, CourseCycle.id == CycleDose.cycle_id).join(
        Course, Course.id == CourseCycle.course_id).where(Course.case_id == case_id)).all()
    dox = sum(mg * IGHG_EQUIVALENCE[drug] for drug, mg in rows if drug in IGHG_EQUIVALENCE)
    drugs = {drug for drug, _ in rows}
    return dox, "ifosfamide" in drugs, bool(drugs & {"cisplatin", "carboplatin"})


def plan_followup(session: Session, actor: Actor, case_id: int, data: PlanIn) -> list[FollowupVisit]:
    """Plan the visits of a case in follow-up; refused while the case is not in follow-up, when
    a plan exists, or when the end of treatment is before the diagnosis or in the future."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    case = get_case(session, actor, case_id)
    if case.status != "follow_up":
        raise Conflict(f"case {case_id} is {case.status}, not in follow-up")
    if session.scalar(select(FollowupVisit.id).where(FollowupVisit.case_id == case_id).limit(1)):
        raise Conflict(f"case {case_id} already has a follow-up plan")
    if data.end_of_treatment > date.today():
        raise InvalidInput("end_of_treatment", "is in the future")
    diagnosis = case.diagnosis_date or data.end_of_treatment
    if data.end_of_treatment < diagnosis:
        raise InvalidInput("end_of_treatment", f"is before the diagnosis ({diagnosis})")
    dox, ifo, plat = exposure(session, case_id)
    dox = data.doxorubicin_equivalent_mg_m2 if data.doxorubicin_equivalent_mg_m2 is not None else dox
    kind = "bone" if (case.topography_code or "").upper().startswith(BONE_TOPOGRAPHY) else "soft_tissue"
    end = data.end_of_treatment
    visits = [FollowupVisit(case_id=case_id, end_of_treatment=end, due_on=v.date, kind="surveillance",
                            months_after_treatment=v.months_after_treatment,
                            tests=list(v.imaging), reason=f"ESMO 2021 {kind.replace('_', '-')} sarcoma")
              for v in followup_schedule(data.end_of_treatment, kind, years=data.years,
                                         late_interval_months=data.late_interval_months)]
    visits += [FollowupVisit(case_id=case_id, end_of_treatment=end, due_on=s.due, kind="late_effect",
                             tests=[s.test],
                             reason=f"{s.exposure} ({s.source})")
               for s in late_effect_plan(
                   diagnosis=diagnosis, end_of_treatment=data.end_of_treatment,
                   doxorubicin_equivalent_mg_m2=round(dox, 1),
                   chest_radiation_gy=data.chest_radiation_gy,
                   ifosfamide=ifo if data.ifosfamide is None else data.ifosfamide,
                   platinum=plat if data.platinum is None else data.platinum, years=data.years)]
    session.add_all(visits)
    session.flush()
    audit.record(session, actor, "create", f"case/{case_id}/followup",
                 f"{len(visits)} visits from {data.end_of_treatment}")
    return sorted(visits, key=lambda v: (v.due_on, v.id))


def visits(session: Session, actor: Actor, case_id: int) -> list[FollowupVisit]:
    require(actor.role, Permission.CASE_READ_CLINICAL)
    get_case(session, actor, case_id)
    return list(session.scalars(select(FollowupVisit).where(FollowupVisit.case_id == case_id)
                                .order_by(FollowupVisit.due_on, FollowupVisit.id)))


def record_visit(session: Session, actor: Actor, visit_id: int, data: VisitIn) -> FollowupVisit:
    """Record what a planned visit found; the case's timeline gets a ``follow_up_visit`` event
    (and a ``death`` event when the patient died)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    visit = session.get(FollowupVisit, visit_id)
    if visit is None:
        raise NotFound(f"follow-up visit {visit_id} not found")
    if visit.version != data.version:
        raise Conflict(f"follow-up visit {visit_id} was changed by someone else; reload")
    if visit.status != "planned":
        raise Conflict(f"follow-up visit {visit_id} is already {visit.status}")
    if data.done_on > date.today():
        raise InvalidInput("done_on", "is in the future")
    if data.done_on < visit.end_of_treatment:
        raise InvalidInput("done_on", f"is before the end of treatment ({visit.end_of_treatment})")
    death = session.scalar(select(TimelineEvent.event_date).where(
        TimelineEvent.case_id == visit.case_id, TimelineEvent.kind == "death"))
    if death is not None and data.done_on > death:
        raise InvalidInput("done_on", f"is after the patient's death ({death})")
    visit.status = data.status
    visit.done_on = data.done_on
    visit.remote = data.remote
    visit.disease_status = data.disease_status
    visit.findings = {k: v for k, v in {"msts_total": data.msts_total,
                                        "mobility": data.mobility}.items() if v is not None}
    visit.note = data.note
    visit.recorded_by = actor.user_id
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"follow-up visit {visit_id} was changed concurrently; reload") from exc
    if data.status == "done":
        session.add(TimelineEvent(case_id=visit.case_id, kind="follow_up_visit",
                                  event_date=data.done_on, summary=data.note[:500],
                                  payload={"visit_id": visit.id, "status": data.disease_status,
                                           **visit.findings}, author_id=actor.user_id))
        if data.disease_status == "dead":
            session.add(TimelineEvent(case_id=visit.case_id, kind="death", event_date=data.done_on,
                                      summary="", payload={"visit_id": visit.id},
                                      author_id=actor.user_id))
    audit.record(session, actor, "update", f"case/{visit.case_id}/followup/{visit.id}", data.status)
    return visit


def visit_view(v: FollowupVisit, today: date | None = None) -> VisitOut:
    out = VisitOut.model_validate(v)
    out.overdue = v.status == "planned" and v.due_on < (today or date.today())
    return out


def due_visits(session: Session, actor: Actor, today: date) -> list[DueOut]:
    """Planned visits due within :data:`DUE_NOTICE_DAYS` or overdue, oldest first."""
    require(actor.role, Permission.CASE_READ_CLINICAL)
    rows = session.execute(select(FollowupVisit, Case).join(Case, Case.id == FollowupVisit.case_id)
                           .where(FollowupVisit.status == "planned",
                                  FollowupVisit.due_on <= today + timedelta(days=DUE_NOTICE_DAYS))
                           .order_by(FollowupVisit.due_on, FollowupVisit.id).limit(500)).all()
    audit.record(session, actor, "read", "followup/due", f"{len(rows)} visits")
    return [DueOut(visit=visit_view(v, today), patient=f"{c.patient.family_name} {c.patient.given_names}",
                   preferred_language=c.patient.preferred_language,
                   days_overdue=max(0, (today - v.due_on).days)) for v, c in rows]
