"""Typed outputs of the courses and response API: every route documents its 2xx body in the
OpenAPI, and the bodies it answers are what its Out models say (they validate and dump back to
the same JSON)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from rareonco.records.courses.schemas import (
    CourseOut,
    CourseSummaryOut,
    CycleOut,
    CycleResultOut,
    ObservationsOut,
    PendingTaskOut,
    PlanOut,
    RegimenApprovalOut,
    RegimenDetailOut,
    RegimenOut,
)
from rareonco.records.response.schemas import ResponseOut, TimepointCreatedOut
from rareonco.web.api import courses as courses_api

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def documented_bodies(app: Any, router: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path) -> the OpenAPI 2xx response of each route of ``router`` in ``app``."""
    spec = app.openapi()
    out = {}
    for route in router.routes:
        assert isinstance(route, APIRoute)
        for method in route.methods:
            op = spec["paths"]["/api/v1" + route.path][method.lower()]
            ok = [r for code, r in op["responses"].items() if code.startswith("2")]
            assert len(ok) == 1, (method, route.path)
            out[(method, route.path)] = ok[0]
    return out


def assert_every_body_has_a_schema(app: Any, router: Any) -> None:
    for (method, path), response in documented_bodies(app, router).items():
        content = response.get("content") or {}
        assert content, f"{method} {path} documents no body"
        for media, body in content.items():
            schema = body.get("schema") or {}
            assert schema.get("$ref") or schema.get("type") or schema.get("items"), \
                f"{method} {path} ({media}) has an empty schema"


def assert_typed(model: type[BaseModel], body: Any) -> None:
    """``body`` validates against ``model`` and dumps back to the same JSON."""
    assert model.model_validate(body).model_dump(mode="json") == body


@SQLITE
def test_every_courses_route_documents_its_body(app) -> None:
    assert_every_body_has_a_schema(app, courses_api.router)
    spec = app.openapi()
    course = spec["paths"]["/api/v1/courses/{course_id}"]["get"]["responses"]["200"]
    assert course["content"]["application/json"]["schema"]["$ref"].endswith("/CourseOut")
    created = spec["paths"]["/api/v1/courses/{course_id}/cycles"]["post"]["responses"]
    assert created["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CycleResultOut")


@SQLITE
def test_bodies_validate_against_their_out_models(staff, patient_body) -> None:
    clients = staff
    c = clients["clinician"]
    assert_typed(RegimenApprovalOut, clients["pharmacist"].post("/api/v1/regimens/P6/approve").json())
    assert_typed(RegimenApprovalOut, c.post("/api/v1/regimens/P6/approve").json())
    assert_typed(RegimenOut, c.get("/api/v1/regimens").json()[0])
    assert_typed(RegimenDetailOut, c.get("/api/v1/regimens/P6").json())
    plan = {"regimen": "P6", "start": "2026-01-05", "height_cm": 168, "weight_kg": 55}
    assert_typed(PlanOut, c.post("/api/v1/courses/plan", json=plan).json())

    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    case_id = c.post(f"/api/v1/patients/{pid}/cases", json={
        "morphology_code": "8806/3", "topography_code": "C48.1",
        "molecular_findings": []}).json()["id"]
    course = c.post(f"/api/v1/cases/{case_id}/courses",
                    json={**plan, "weight_measured_on": "2026-01-02"}).json()
    assert_typed(CourseOut, course)
    assert_typed(CourseSummaryOut, c.get(f"/api/v1/cases/{case_id}/courses").json()[0])
    c.post(f"/api/v1/cases/{case_id}/labs", json={"taken_on": "2026-01-04", "values": {
        "anc_10e9_l": 2.1, "platelets_10e9_l": 210, "lvef_pct": 62, "crcl_ml_min": 110,
        "bilirubin_x_uln": 0.6}})
    cycle = c.post(f"/api/v1/courses/{course['id']}/cycles",
                   json={"number": 1, "start_date": "2026-01-05"})
    assert cycle.status_code == 201, cycle.text
    assert_typed(CycleResultOut, cycle.json())
    assert_typed(PendingTaskOut, clients["pharmacist"].get("/api/v1/cycle-tasks").json()[0])
    verified = clients["pharmacist"].post(f"/api/v1/courses/{course['id']}/cycles/1/verify")
    assert verified.status_code == 200, verified.text
    assert_typed(CycleOut, verified.json())
    assert_typed(CourseOut, c.get(f"/api/v1/courses/{course['id']}").json())
    assert_typed(ObservationsOut, c.get(f"/api/v1/cases/{case_id}/observations").json())

    tp = c.post(f"/api/v1/cases/{case_id}/timepoints", json={
        "assessed_on": "2026-01-03", "baseline": True,
        "lesions": [{"id": "T1", "organ": "lung", "mm": 40}]})
    assert tp.status_code == 201, tp.text
    assert_typed(TimepointCreatedOut, tp.json())
    assert_typed(ResponseOut, c.get(f"/api/v1/cases/{case_id}/response").json())
