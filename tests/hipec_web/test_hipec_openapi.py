"""Typed outputs of the HIPEC API: every route documents its 2xx body in the OpenAPI (JSON
models, the PDF and HTML report, the server-sent-event stream), and the bodies it answers are
what its Out models say."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from rareonco.records.hipec.schemas import (
    AlarmOut,
    AnalysisOut,
    IngestOut,
    ProcedureOut,
    SamplesOut,
)
from rareonco.web.api import hipec as hipec_api

from .conftest import rows

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
def test_every_hipec_route_documents_its_body(app) -> None:
    assert_every_body_has_a_schema(app, hipec_api.router)
    bodies = documented_bodies(app, hipec_api.router)
    base = "/cases/{case_id}/hipec/{procedure_id}"
    assert set(bodies[("GET", base + "/stream")]["content"]) == {"text/event-stream"}
    assert bodies[("GET", base + "/report.pdf")]["content"]["application/pdf"]["schema"] == {
        "type": "string", "format": "binary"}
    samples = bodies[("POST", base + "/samples")]["content"]["application/json"]["schema"]
    assert samples["$ref"].endswith("/IngestOut")


@SQLITE
def test_bodies_validate_against_their_out_models(clients, procedure) -> None:
    c = clients["clinician"]
    assert_typed(ProcedureOut, procedure)
    api = f"/api/v1/cases/{procedure['case_id']}/hipec/{procedure['id']}"
    hot = rows(0.0, 30, temp_c=46.0)  # above the target: an alarm
    posted = c.post(api + "/samples", json=hot)
    assert posted.status_code == 200, posted.text
    assert_typed(IngestOut, posted.json())
    assert_typed(SamplesOut, c.get(api + "/samples").json())
    alarms = c.get(api + "/alarms").json()
    for alarm in alarms:
        assert_typed(AlarmOut, alarm)
    assert_typed(AnalysisOut, c.get(api + "/analysis").json())
    assert_typed(ProcedureOut, c.get(api).json())
