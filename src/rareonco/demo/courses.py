"""Demo chemotherapy courses and response for the two defining cases (issue 4).

Everything goes through the services (``records.courses``, ``records.cycles``,
``records.observations``, ``records.response``), so the demo data passed the same safety checks a
clinician's entry would. Dates are taken from the timeline events that ``demo/cases.py`` already
wrote, and each recorded cycle, timepoint and pathology result *links* to its existing event
(``timeline_event_id``) instead of adding a second one: the case timeline keeps one line per cycle.
Only the interim DSRCT CT after course 3, which has no event in the case data, gets a new
``response_assessment`` event.

Osteosarcoma. The board decided "MAP x 4 cycles" before surgery and the timeline has four
preoperative cycles four weeks apart. The regimen file models MAP as EURAMOS-1 5-week blocks (AP on
days 1-2, high-dose methotrexate on days 22 and 29; two blocks before surgery). The demo maps each
of the centre's cycles onto one block: the course is planned with ``n_cycles=4`` (blocks 1-4) and
each block is recorded as given at the timeline's date. In the 4-week rhythm the day-29
methotrexate of blocks 1-3 falls on the next block's day 1, so it is recorded as omitted (0 mg)
with that reason; block 4 gives both. Methotrexate 12 g/m2 is capped at 20 g per dose. Cumulative
doxorubicin after the four blocks: 300 mg/m2 (limit 450). Restaging: 92 -> 74 mm (RECIST SD);
resection specimen 92 % necrosis: Huvos III.

DSRCT. Seven P6 courses, each starting 2 days after its nominal 21-day date (count recovery),
height 168 cm, about 55 kg; the fourth doxorubicin course (course 6) reaches the P6 limit of
300 mg/m2 and carries the warning. Three target lesions: 186 mm at baseline, 146 mm after
course 3 (-21.5 %, SD), 102 mm after course 7 (-45.2 %, PR).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.demo.users import DEMO_PASSWORD
from rareonco.records.courses import approvals, checking, cycles, observations, signoff
from rareonco.records.courses import service as courses
from rareonco.records.courses.schemas import (
    AdministerIn,
    AdverseEventIn,
    CourseIn,
    CycleIn,
    DoseIn,
    LabsIn,
    OverrideIn,
    WeightIn,
)
from rareonco.records.response import assessment as response
from rareonco.records.response.schemas import LesionIn, PathologyResponseIn, TimepointIn
from rareonco.regimens import plan_course
from rareonco.security.audit import Actor
from rareonco.store.tables.accounts import User
from rareonco.store.tables.cases import TimelineEvent
from rareonco.store.tables.courses import Course

if TYPE_CHECKING:
    from rareonco.demo.loader import DemoCases

OSTEO_HEIGHT_CM = 176.0
OSTEO_WEIGHTS_KG = (63.0, 62.0, 60.5, 61.0)
DSRCT_HEIGHT_CM = 168.0
DSRCT_WEIGHTS_KG = (55.0, 54.5, 54.0, 53.0, 52.5, 53.0, 53.5)
#: DSRCT target lesions (id, organ, baseline mm, after course 3, after course 7).
DSRCT_TARGETS = (("T1", "omentum", 78, 62, 44), ("T2", "mesentery", 64, 50, 36),
                 ("T3", "pelvic peritoneum", 44, 34, 22))


def _events(session: Session, case_id: int, kind: str) -> list[TimelineEvent]:
    return list(session.scalars(
        select(TimelineEvent).where(TimelineEvent.case_id == case_id, TimelineEvent.kind == kind)
        .order_by(TimelineEvent.event_date, TimelineEvent.id)).all())


def _has_course(session: Session, case_id: int) -> bool:
    return session.scalar(select(Course.id).where(Course.case_id == case_id).limit(1)) is not None


def _before_cycle(session: Session, actor: Actor, case_id: int, day: date, weight_kg: float,
                  height_cm: float, labs: dict[str, float]) -> None:
    observations.add_weight(session, actor, case_id, WeightIn(
        measured_on=day - timedelta(days=1), weight_kg=weight_kg, height_cm=height_cm))
    observations.add_labs(session, actor, case_id, LabsIn(taken_on=day - timedelta(days=1),
                                                          values=labs))


def _osteosarcoma(session: Session, actor: Actor, case_id: int) -> str:
    preop = [e for e in _events(session, case_id, "chemotherapy_cycle")
             if (e.payload or {}).get("phase") == "preoperative"]
    starts = [e.event_date for e in preop]
    course = courses.create_course(session, actor, case_id, CourseIn(
        regimen="MAP", start=starts[0], height_cm=OSTEO_HEIGHT_CM, weight_kg=OSTEO_WEIGHTS_KG[0],
        n_cycles=len(starts), weight_measured_on=starts[0] - timedelta(days=1),
        note="Neoadjuvant MAP x 4 (tumour board); each cycle recorded as one MAP block"))
    labs = {"anc_10e9_l": 2.4, "platelets_10e9_l": 240, "crcl_ml_min": 118, "lvef_pct": 64,
            "bilirubin_x_uln": 0.6, "creatinine_umol_l": 74}
    for i, (event, start) in enumerate(zip(preop, starts, strict=True)):
        number = i + 1
        if number > 1:
            _before_cycle(session, actor, case_id, start, OSTEO_WEIGHTS_KG[i], OSTEO_HEIGHT_CM,
                          labs)
        else:
            observations.add_labs(session, actor, case_id, LabsIn(
                taken_on=start - timedelta(days=1), values=labs))
        doses = _map_doses(course, number, OSTEO_WEIGHTS_KG[i], last=number == len(starts))
        _give(session, course, CycleIn(
            number=number, start_date=start, doses=doses,
            note="Preoperative cycle (centre's 4-week rhythm)"), event.id,
            "Tumour board: preoperative MAP in the centre's 4-week rhythm")
    observations.add_adverse_event(session, actor, case_id, AdverseEventIn(
        term="Mucositis oral", grade=2, onset=starts[0] + timedelta(days=25), course_id=course.id,
        cycle_number=1, note="After the first high-dose methotrexate; resolved in 6 days"))

    imaging = [e for e in _events(session, case_id, "imaging")
               if "longest_diameter_mm" in (e.payload or {})]
    (base, restage) = imaging[:2]
    response.add_timepoint(session, actor, case_id, TimepointIn(
        assessed_on=base.event_date, baseline=True, modality="CT+MRI", lesions=[LesionIn(
            id="T1", organ="left ilium (soft-tissue component)",
            mm=base.payload["longest_diameter_mm"])]), timeline_event_id=base.id)
    response.add_timepoint(session, actor, case_id, TimepointIn(
        assessed_on=restage.event_date, modality="CT+MRI", lesions=[LesionIn(
            id="T1", mm=restage.payload["longest_diameter_mm"])]), timeline_event_id=restage.id)
    pathology = next(e for e in _events(session, case_id, "pathology")
                     if "necrosis_pct" in (e.payload or {}))
    response.add_pathology_response(session, actor, case_id, PathologyResponseIn(
        specimen_date=pathology.event_date, necrosis_pct=pathology.payload["necrosis_pct"],
        note="Resection specimen, margins free"), timeline_event_id=pathology.id)
    return f"MAP x {len(starts)} preoperative cycles, RECIST SD, Huvos III"


def _map_doses(course: Course, number: int, weight_kg: float, last: bool) -> list[DoseIn]:
    """The doses of MAP block ``number`` at the current weight; the day-29 methotrexate omitted
    (0 mg, with the reason) unless ``last``."""
    now = plan_course(course.regimen_id, course.start_date, course.height_cm, weight_kg,
                      n_cycles=course.n_cycles).cycles[number - 1]
    out = []
    for d in now.drugs:
        for day in d.days:
            mg, reason = d.mg_per_day, None
            if d.drug == "methotrexate" and day == 29 and not last:
                mg, reason = 0.0, ("omitted: the centre's next cycle started on this day "
                                   "(4-week preoperative rhythm decided by the tumour board)")
            out.append(DoseIn(drug=d.drug, day=day, dose_mg=round(mg, 2), reason=reason))
    return out


def _dsrct(session: Session, actor: Actor, case_id: int) -> str:
    p6 = [e for e in _events(session, case_id, "chemotherapy_cycle")
          if (e.payload or {}).get("regimen") == "P6"]
    starts = [e.event_date for e in p6]
    course = courses.create_course(session, actor, case_id, CourseIn(
        regimen="P6", start=starts[0], height_cm=DSRCT_HEIGHT_CM, weight_kg=DSRCT_WEIGHTS_KG[0],
        weight_measured_on=starts[0] - timedelta(days=1),
        note="P6 x 7 (tumour board), then cytoreductive surgery with HIPEC if resectable"))
    labs: dict[str, Any] = {"anc_10e9_l": 1.6, "platelets_10e9_l": 150, "lvef_pct": 61,
                            "crcl_ml_min": 105, "creatinine_umol_l": 78, "bilirubin_x_uln": 0.5}
    for i, (event, start) in enumerate(zip(p6, starts, strict=True)):
        if i:
            _before_cycle(session, actor, case_id, start, DSRCT_WEIGHTS_KG[i], DSRCT_HEIGHT_CM,
                          labs)
        else:
            observations.add_labs(session, actor, case_id, LabsIn(
                taken_on=start - timedelta(days=1), values=labs))
        _give(session, course, CycleIn(
            number=i + 1, start_date=start,
            delay_reason="waited for count recovery (ANC >= 1.0, platelets >= 100)" if i else None,
        ), event.id, "Tumour board: P6 x 7 as decided, counts recovered before each course")
    observations.add_adverse_event(session, actor, case_id, AdverseEventIn(
        term="Febrile neutropenia", grade=3, onset=starts[1] + timedelta(days=9),
        course_id=course.id, cycle_number=2, note="Admitted; IV antibiotics; resolved"))

    baseline = next(e for e in _events(session, case_id, "imaging")
                    if (e.payload or {}).get("sum_mm") == 186)
    response.add_timepoint(session, actor, case_id, TimepointIn(
        assessed_on=baseline.event_date, baseline=True, lesions=[
            *(LesionIn(id=t, organ=organ, mm=mm) for t, organ, mm, _, _ in DSRCT_TARGETS),
            LesionIn(id="NT1", kind="non_target", organ="peritoneum")]),
        timeline_event_id=baseline.id)
    response.add_timepoint(session, actor, case_id, TimepointIn(
        assessed_on=starts[3] - timedelta(days=3), non_target="present",
        note="Interim CT after course 3",
        lesions=[LesionIn(id=t, mm=mid) for t, _, _, mid, _ in DSRCT_TARGETS]))
    final = next(e for e in _events(session, case_id, "response_assessment")
                 if (e.payload or {}).get("sum_mm") == 102)
    response.add_timepoint(session, actor, case_id, TimepointIn(
        assessed_on=final.event_date, non_target="present", note="CT after 7 courses",
        lesions=[LesionIn(id=t, mm=end) for t, _, _, _, end in DSRCT_TARGETS]),
        timeline_event_id=final.id)
    return f"P6 x {len(starts)} courses, RECIST PR (186 -> 102 mm)"


class _Staff:
    """The demo accounts that sign each cycle: the clinician prescribes, the pharmacist co-signs
    the overrides and verifies, the nurse administers with the clinician as second check."""

    def __init__(self, session: Session) -> None:
        ids = dict(session.execute(select(User.username, User.id)).all())
        self.clinician = Actor(ids.get("demo"), "demo", "clinician", "local")
        self.pharmacist = Actor(ids.get("pharmacist"), "pharmacist", "pharmacist", "local")
        self.nurse = Actor(ids.get("nurse"), "nurse", "nurse", "local")


def _give(session: Session, course: Course, data: CycleIn, event_id: int, why: str) -> None:
    """Prescribe (every ``override`` finding of the historical cycle overridden with ``why``),
    co-sign, verify and administer the cycle as the demo staff did on its start day."""
    staff = _Staff(session)
    checked = checking.check_cycle(session, course, data.number, data.start_date, data.doses, [])
    overrides = [OverrideIn(finding=f.code, drug=f.drug, reason_code="tumour_board_decision",
                            text=why) for f in checked.result.findings if f.severity == "override"]
    cycle, _ = cycles.record_cycle(session, staff.clinician, course.id,
                                   data.model_copy(update={"overrides": overrides}),
                                   timeline_event_id=event_id)
    if cycle.overrides:
        signoff.cosign(session, staff.pharmacist, course.id, data.number)
    signoff.verify(session, staff.pharmacist, course.id, data.number)
    at = datetime.combine(data.start_date, time(9, 0), UTC)
    signoff.administer(session, staff.nurse, course.id, data.number, AdministerIn.model_validate({
        "doses": [{"drug": d.drug, "day": d.day, "dose_mg": d.dose_mg,
                   "given_at": at + timedelta(days=d.day - 1)} for d in cycle.doses],
        "second_check": {"username": "demo", "password": DEMO_PASSWORD}}))


def _approve_demo_regimens(session: Session) -> None:
    staff = _Staff(session)
    for regimen in ("P6", "MAP"):
        view = approvals.approval_view(session, regimen)
        if view.pharmacist is None:
            approvals.approve_regimen(session, staff.pharmacist, regimen)
        if view.clinician is None:
            approvals.approve_regimen(session, staff.clinician, regimen)


def load(session: Session, cases: DemoCases) -> str | None:
    """Add the demo courses and response to the two cases; nothing if they already have courses.
    P6 and MAP are approved by the demo pharmacist and clinician first."""
    author = session.scalar(select(User.id).where(User.username == "demo"))
    actor = Actor(author, "demo-loader", "admin", "local")
    _approve_demo_regimens(session)
    notes = []
    if cases.osteosarcoma_case_id and not _has_course(session, cases.osteosarcoma_case_id):
        notes.append(f"case {cases.osteosarcoma_case_id}: "
                     + _osteosarcoma(session, actor, cases.osteosarcoma_case_id))
    if cases.dsrct_case_id and not _has_course(session, cases.dsrct_case_id):
        notes.append(f"case {cases.dsrct_case_id}: " + _dsrct(session, actor, cases.dsrct_case_id))
    return ("courses: " + "; ".join(notes)) if notes else None
