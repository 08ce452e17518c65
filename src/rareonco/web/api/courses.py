"""Chemotherapy courses and response: regimen library and approvals, planning, cycles
(prescribe -> co-sign -> verify / return -> administer, or cancel), weights, labs, adverse events,
imaging timepoints (RECIST) and pathology (Huvos).

Prescribing a cycle answers 409 ``{"error", "findings", "outstanding"}`` on a ``block`` finding
and 422 ``{"error", "field": "overrides", "findings"}`` when an ``override`` finding has no
structured override (``overrides.N.code|text`` when one is not a reason); warnings come back with
the cycle.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from rareonco.records.courses import approvals, cycles, observations, signoff
from rareonco.records.courses import service as courses
from rareonco.records.courses.schemas import (
    AdministerIn,
    AdverseEventIn,
    AdverseEventOut,
    CourseCancelIn,
    CourseEditIn,
    CourseIn,
    CourseOut,
    CourseStopIn,
    CourseSummaryOut,
    CycleIn,
    CycleOut,
    CycleResultOut,
    LabsIn,
    LabsOut,
    ObservationsOut,
    PendingTaskOut,
    PlanIn,
    PlanOut,
    RegimenApprovalOut,
    RegimenDetailOut,
    RegimenOut,
    StepReasonIn,
    WeightIn,
    WeightOut,
)
from rareonco.records.response import assessment as response
from rareonco.records.response.schemas import (
    PathologyCreatedOut,
    PathologyResponseIn,
    ResponseOut,
    TimepointCreatedOut,
    TimepointIn,
)
from rareonco.regimens import all_regimens
from rareonco.store.tables.courses import CourseCycle
from rareonco.web.deps import SessionDep, UserDep

router = APIRouter(tags=["courses"])
CREATED = status.HTTP_201_CREATED


@router.get("/regimens", response_model=list[RegimenOut])
def list_regimens(user: UserDep) -> list[RegimenOut]:
    """The regimen library, as `rareonco course regimens --json`."""
    return [courses.regimen_summary(r) for r in all_regimens()]


@router.get("/regimens/approvals", response_model=list[RegimenApprovalOut])
def regimen_approvals(session: SessionDep, user: UserDep) -> list[RegimenApprovalOut]:
    """Every regimen's current version with its pharmacist's and clinician's approvals."""
    return approvals.approvals(session, user.actor)


@router.post("/regimens/{regimen_id}/approve", response_model=RegimenApprovalOut)
def approve_regimen(regimen_id: str, session: SessionDep, user: UserDep) -> RegimenApprovalOut:
    """Approve the current version in the caller's role (pharmacist or clinician)."""
    return approvals.approve_regimen(session, user.actor, regimen_id)


@router.get("/regimens/{regimen_id}", response_model=RegimenDetailOut)
def read_regimen(regimen_id: str, user: UserDep) -> RegimenDetailOut:
    return courses.regimen_detail(regimen_id)


@router.post("/courses/plan", response_model=PlanOut)
def plan_course(body: PlanIn, user: UserDep) -> PlanOut:
    """Stateless: the dose sheet and calendar, the same JSON as `rareonco course plan --json`."""
    return courses.plan_out(courses.plan(user.actor, body))


@router.post("/cases/{case_id}/courses", status_code=CREATED, response_model=CourseOut)
def create_course(case_id: int, body: CourseIn, session: SessionDep, user: UserDep) -> CourseOut:
    course = courses.create_course(session, user.actor, case_id, body)
    return courses.course_view(session, course)


@router.get("/cases/{case_id}/courses", response_model=list[CourseSummaryOut])
def list_courses(case_id: int, session: SessionDep, user: UserDep) -> list[CourseSummaryOut]:
    return [courses.course_summary(c) for c in courses.list_courses(session, user.actor, case_id)]


@router.get("/courses/{course_id}", response_model=CourseOut)
def read_course(course_id: int, session: SessionDep, user: UserDep) -> CourseOut:
    """Every planned cycle beside what was given."""
    return courses.course_view(session, courses.get_course(session, user.actor, course_id))


@router.post("/courses/{course_id}/stop", response_model=CourseOut)
def stop_course(course_id: int, body: CourseStopIn, session: SessionDep,
                user: UserDep) -> CourseOut:
    """End the course before its last cycle (reason, date, note); no cycle can follow it."""
    course = courses.stop_course(session, user.actor, course_id, body)
    return courses.course_view(session, course)


@router.patch("/courses/{course_id}", response_model=CourseOut)
def edit_course(course_id: int, body: CourseEditIn, session: SessionDep,
                user: UserDep) -> CourseOut:
    """Re-plan a course before its first cycle."""
    return courses.course_view(session, courses.edit_course(session, user.actor, course_id, body))


@router.post("/courses/{course_id}/cancel", response_model=CourseOut)
def cancel_course(course_id: int, body: CourseCancelIn, session: SessionDep,
                  user: UserDep) -> CourseOut:
    """Cancel a planned course before its first cycle (reason kept, audited)."""
    return courses.course_view(session,
                               courses.cancel_course(session, user.actor, course_id, body))


@router.post("/courses/{course_id}/cycles", status_code=CREATED, response_model=CycleResultOut)
def record_cycle(course_id: int, body: CycleIn, session: SessionDep,
                 user: UserDep) -> CycleResultOut:
    """Prescribe a cycle (clinician): the gate of `rareonco course check` on the stored data."""
    cycle, findings = cycles.record_cycle(session, user.actor, course_id, body)
    return cycles.result_view(session, cycle, findings)


def _cycle_out(session: SessionDep, cycle: CourseCycle) -> CycleOut:
    return courses.cycle_view(cycle, courses.usernames(session, cycles.cycle_user_ids(cycle)))


@router.post("/courses/{course_id}/cycles/{number}/cosign", response_model=CycleOut)
def cosign_cycle(course_id: int, number: int, session: SessionDep, user: UserDep) -> CycleOut:
    """A second person (clinician or pharmacist) co-signs a prescription with overrides."""
    return _cycle_out(session, signoff.cosign(session, user.actor, course_id, number))


@router.post("/courses/{course_id}/cycles/{number}/verify", response_model=CycleOut)
def verify_cycle(course_id: int, number: int, session: SessionDep, user: UserDep) -> CycleOut:
    """The pharmacist verifies (gate re-run on today's data; 409 naming changed findings)."""
    return _cycle_out(session, signoff.verify(session, user.actor, course_id, number))


@router.post("/courses/{course_id}/cycles/{number}/return", response_model=CycleOut)
def return_cycle(course_id: int, number: int, body: StepReasonIn, session: SessionDep,
                 user: UserDep) -> CycleOut:
    """The pharmacist returns the prescription to the clinician with a reason."""
    return _cycle_out(session, signoff.return_cycle(session, user.actor, course_id, number, body))


@router.post("/courses/{course_id}/cycles/{number}/cancel", response_model=CycleOut)
def cancel_cycle(course_id: int, number: int, body: StepReasonIn, session: SessionDep,
                 user: UserDep) -> CycleOut:
    """The clinician cancels a prescription not yet administered."""
    return _cycle_out(session, signoff.cancel_cycle(session, user.actor, course_id, number, body))


@router.post("/courses/{course_id}/cycles/{number}/administer", response_model=CycleOut)
def administer_cycle(course_id: int, number: int, body: AdministerIn, session: SessionDep,
                     user: UserDep) -> CycleOut:
    """The nurse records doses as given; vesicants and intrathecal routes need `second_check`."""
    return _cycle_out(session, signoff.administer(session, user.actor, course_id, number, body))


@router.get("/cycle-tasks", response_model=list[PendingTaskOut])
def cycle_tasks(session: SessionDep, user: UserDep) -> list[PendingTaskOut]:
    """Cycles waiting for the caller: to co-sign, to verify or to administer."""
    return signoff.pending_tasks(session, user.actor)


@router.post("/cases/{case_id}/weights", status_code=CREATED, response_model=WeightOut)
def add_weight(case_id: int, body: WeightIn, session: SessionDep, user: UserDep) -> WeightOut:
    return observations.weight_view(observations.add_weight(session, user.actor, case_id, body))


@router.post("/cases/{case_id}/labs", status_code=CREATED, response_model=LabsOut)
def add_labs(case_id: int, body: LabsIn, session: SessionDep, user: UserDep) -> LabsOut:
    rows = observations.add_labs(session, user.actor, case_id, body)
    return observations.labs_view(body.taken_on, rows)


@router.post("/cases/{case_id}/adverse-events", status_code=CREATED,
             response_model=AdverseEventOut)
def add_adverse_event(case_id: int, body: AdverseEventIn, session: SessionDep,
                      user: UserDep) -> AdverseEventOut:
    return observations.ae_view(observations.add_adverse_event(session, user.actor, case_id, body))


@router.get("/cases/{case_id}/observations", response_model=ObservationsOut)
def read_observations(case_id: int, session: SessionDep, user: UserDep) -> ObservationsOut:
    """Weights, laboratory values and adverse events of the case."""
    return observations.observations_view(session, user.actor, case_id)


@router.post("/cases/{case_id}/timepoints", status_code=CREATED,
             response_model=TimepointCreatedOut)
def add_timepoint(case_id: int, body: TimepointIn, session: SessionDep,
                  user: UserDep) -> TimepointCreatedOut:
    tp = response.add_timepoint(session, user.actor, case_id, body)
    return response.timepoint_created(session, user.actor, tp)


@router.get("/cases/{case_id}/response", response_model=ResponseOut)
def read_response(case_id: int, session: SessionDep, user: UserDep) -> ResponseOut:
    """RECIST 1.1 table, best overall response, chart data (sums, PR and PD thresholds), Huvos."""
    return response.response_view(session, user.actor, case_id)


@router.post("/cases/{case_id}/pathology-response", status_code=CREATED,
             response_model=PathologyCreatedOut)
def add_pathology_response(case_id: int, body: PathologyResponseIn, session: SessionDep,
                           user: UserDep) -> PathologyCreatedOut:
    return response.pathology_created(
        response.add_pathology_response(session, user.actor, case_id, body))
