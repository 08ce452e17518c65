"""Every desk API route documents its answer, and the answers are exactly their `*Out` models."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from rareonco.records.desk.schemas import DashboardOut, InquiryOut
from rareonco.records.schemas import Out
from rareonco.web.api import desk as desk_api

API = "/api/v1"


def documented_2xx(openapi: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    answers = openapi["paths"][API + path][method.lower()]["responses"]
    code = next(c for c in answers if c.startswith("2"))
    content: dict[str, Any] = answers[code].get("content", {})
    return content


def test_every_desk_route_documents_its_answer(app: FastAPI) -> None:
    openapi = app.openapi()
    routes = [r for r in desk_api.router.routes if isinstance(r, APIRoute)]
    assert len(routes) == 15  # with identity and relink (issue 18)
    for route in routes:
        for method in route.methods or ():
            content = documented_2xx(openapi, route.path, method)
            assert content, (method, route.path)
            for media, body in content.items():
                assert body.get("schema"), (method, route.path, media)
    letter = documented_2xx(openapi, "/desk/inquiries/{inquiry_id}/invitation.pdf", "GET")
    assert letter == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    public = openapi["paths"][API + "/public/inquiries"]["post"]["responses"]
    assert public["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InquiryReceiptOut"}


def _same(model: type[Out], body: Any) -> None:
    """`body` validates against `model` and is exactly what the model writes back."""
    assert model.model_validate(body).model_dump(mode="json") == body


def test_answers_are_their_out_models(inquiry: dict[str, Any], clients: dict[str, TestClient],
                                      users: dict[str, int]) -> None:
    desk, doc = clients["coordinator"], clients["clinician"]
    _same(InquiryOut, inquiry)
    iid = inquiry["id"]
    desk.post(f"{API}/desk/inquiries/{iid}/assign", json={"reviewer_id": users["clinician"]})
    doc.post(f"{API}/desk/inquiries/{iid}/opinion", json={
        "outcome": "more_data", "missing_items": ["Chest CT"], "text": "Needs staging"})
    for client, has_text in ((desk, False), (doc, True)):
        body = client.get(f"{API}/desk/inquiries/{iid}").json()
        _same(InquiryOut, body)
        assert ("text" in body["opinions"][0]) is has_text
    _same(DashboardOut, desk.get(f"{API}/desk/dashboard").json())
