"""Chemotherapy courses and response: regimen library, planning, given cycles with their safety
checks, weights, labs, adverse events, imaging timepoints (RECIST) and pathology (Huvos).

Recording a cycle answers 409 ``{"error", "findings", "outstanding"}`` when a block (cumulative
anthracycline) is not overridden, and 422 ``{"error", "field": "doses.<drug>" |
"precheck_reason", "findings"}`` when a finding needs a reason; warnings come back with the cycle.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from rareonco.records.courses import cycles, observations
from rareonco.records.courses import service as courses
from rareonco.records.courses.schemas import (
    AdverseEventIn,
    CourseIn,
    CourseStopIn,
    CycleIn,
    LabsIn,
    PlanIn,
    WeightIn,
)
from rareonco.records.response import assessment as response
from rareonco.records.response.schemas import PathologyResponseIn, TimepointIn
from rareonco.records.schemas import iso
from rareonco.regimens import all_regimens
from rareonco.web.deps import SessionDep, UserDep

router = APIRouter(tags=["courses"])
CREATED = status.HTTP_201_CREATED


@router.get("/regimens")
def list_regimens(user: UserDep) -> list[dict[str, Any]]:
    """The regimen library, as `rareonco course regimens --json`."""
    return [courses.regimen_summary(r) for r in all_regimens()]


@router.get("/regimens/{regimen_id}")
def read_regimen(regimen_id: str, user: UserDep) -> dict[str, Any]:
    return courses.regimen_detail(regimen_id)


@router.post("/courses/plan")
def plan_course(body: PlanIn, user: UserDep) -> dict[str, Any]:
    """Stateless: the dose sheet and calendar, the same JSON as `rareonco course plan --json`."""
    return courses.plan(user.actor, body).to_dict()


@router.post("/cases/{case_id}/courses", status_code=CREATED)
def create_course(case_id: int, body: CourseIn, session: SessionDep,
                  user: UserDep) -> dict[str, Any]:
    course = courses.create_course(session, user.actor, case_id, body)
    return courses.course_view(session, course)


@router.get("/cases/{case_id}/courses")
def list_courses(case_id: int, session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    return [courses.course_summary(c) for c in courses.list_courses(session, user.actor, case_id)]


@router.get("/courses/{course_id}")
def read_course(course_id: int, session: SessionDep, user: UserDep) -> dict[str, Any]:
    """Every planned cycle beside what was given."""
    return courses.course_view(session, courses.get_course(session, user.actor, course_id))


@router.post("/courses/{course_id}/stop")
def stop_course(course_id: int, body: CourseStopIn, session: SessionDep,
                user: UserDep) -> dict[str, Any]:
    """End the course before its last cycle (reason, date, note); no cycle can follow it."""
    course = courses.stop_course(session, user.actor, course_id, body)
    return courses.course_view(session, course)


@router.post("/courses/{course_id}/cycles", status_code=CREATED)
def record_cycle(course_id: int, body: CycleIn, session: SessionDep,
                 user: UserDep) -> dict[str, Any]:
    cycle, findings = cycles.record_cycle(session, user.actor, course_id, body)
    return cycles.result_view(cycle, findings, user.actor)


@router.post("/cases/{case_id}/weights", status_code=CREATED)
def add_weight(case_id: int, body: WeightIn, session: SessionDep,
               user: UserDep) -> dict[str, Any]:
    w = observations.add_weight(session, user.actor, case_id, body)
    return {"id": w.id, "measured_on": iso(w.measured_on), "weight_kg": w.weight_kg,
            "height_cm": w.height_cm}


@router.post("/cases/{case_id}/labs", status_code=CREATED)
def add_labs(case_id: int, body: LabsIn, session: SessionDep, user: UserDep) -> dict[str, Any]:
    rows = observations.add_labs(session, user.actor, case_id, body)
    return {"taken_on": iso(body.taken_on),
            "results": [{"id": r.id, "test": r.test, "value": r.value} for r in rows]}


@router.post("/cases/{case_id}/adverse-events", status_code=CREATED)
def add_adverse_event(case_id: int, body: AdverseEventIn, session: SessionDep,
                      user: UserDep) -> dict[str, Any]:
    return observations.ae_view(observations.add_adverse_event(session, user.actor, case_id, body))


@router.get("/cases/{case_id}/observations")
def read_observations(case_id: int, session: SessionDep, user: UserDep) -> dict[str, Any]:
    """Weights, laboratory values and adverse events of the case."""
    return observations.observations_view(session, user.actor, case_id)


@router.post("/cases/{case_id}/timepoints", status_code=CREATED)
def add_timepoint(case_id: int, body: TimepointIn, session: SessionDep,
                  user: UserDep) -> dict[str, Any]:
    tp = response.add_timepoint(session, user.actor, case_id, body)
    view = response.response_view(session, user.actor, case_id)
    return {"id": tp.id, "timeline_event_id": tp.timeline_event_id,
            "timepoint": next(t for t in view["timepoints"] if t["id"] == tp.id),
            "best_overall_response": view["best_overall_response"]}


@router.get("/cases/{case_id}/response")
def read_response(case_id: int, session: SessionDep, user: UserDep) -> dict[str, Any]:
    """RECIST 1.1 table, best overall response, chart data (sums, PR and PD thresholds), Huvos."""
    return response.response_view(session, user.actor, case_id)


@router.post("/cases/{case_id}/pathology-response", status_code=CREATED)
def add_pathology_response(case_id: int, body: PathologyResponseIn, session: SessionDep,
                           user: UserDep) -> dict[str, Any]:
    row = response.add_pathology_response(session, user.actor, case_id, body)
    return {"id": row.id, "specimen_date": iso(row.specimen_date),
            "necrosis_pct": row.necrosis_pct, "huvos_grade": row.huvos_grade,
            "good_responder": row.good_responder, "timeline_event_id": row.timeline_event_id}
