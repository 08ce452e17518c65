"""The imaging API documents every answer: each route has a 2xx body schema in the OpenAPI, and
what the routes answer validates against their `*Out` models."""

from __future__ import annotations

from fastapi.routing import APIRoute

from rareonco.records.imaging.schemas import CtStudyOut, PlanJobOut
from rareonco.web.api import imaging as imaging_api

from .conftest import LEFT_BOX


def _imaging_operations(app) -> list[tuple[str, str]]:
    routes = [r for r in imaging_api.router.routes if isinstance(r, APIRoute)]
    assert routes
    return [("/api/v1" + r.path, m.lower()) for r in routes for m in r.methods]


def test_every_imaging_route_documents_a_2xx_body(app) -> None:
    spec = app.openapi()
    for path, method in _imaging_operations(app):
        responses = spec["paths"][path][method]["responses"]
        ok = {code: r for code, r in responses.items() if code.startswith("2")}
        assert ok, (method, path)
        for code, response in ok.items():
            content = response.get("content", {})
            assert content, (method, path, code)
            for media, body in content.items():
                schema = body.get("schema", {})
                assert schema.get("$ref") or schema.get("type"), (method, path, code, media)
    files = spec["paths"]["/api/v1/plans/{job_id}/files/{name}"]["get"]["responses"]["200"]["content"]
    assert files["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert {"model/stl", "image/png", "application/json"} <= set(files)


def test_answers_validate_against_their_out_models(clients, case_id, ct_id, db) -> None:
    from rareonco.store.tables.imaging import PlanJob

    c = clients["clinician"]
    (study,) = c.get(f"/api/v1/cases/{case_id}/ct").json()
    assert CtStudyOut.model_validate(study).model_dump(mode="json") == study
    with db.session() as session:
        job = PlanJob(case_id=case_id, ct_id=ct_id, side="left", status="running", stage="segment",
                      progress=0.5, tumour_box_mm=[float(v) for v in LEFT_BOX], cuts=[])
        session.add(job)
        session.flush()
        job_id = job.id
    body = c.get(f"/api/v1/plans/{job_id}").json()
    assert PlanJobOut.model_validate(body).model_dump(mode="json") == body
    assert body["result"] is None and body["files"] == []
    assert [j["id"] for j in c.get(f"/api/v1/cases/{case_id}/plans").json()] == [job_id]
