"""Every board API route documents its answer, and the answers are exactly their `*Out` models."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from rareonco.records.board.schemas import CaseBoardOut, DecisionOut, ItemOut, MeetingOut, TaskOut
from rareonco.records.schemas import Out
from rareonco.web.api import board as board_api

from .conftest import DECISION, add_quorum

API = "/api/v1"


def documented_2xx(openapi: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    """The media types of the first 2xx answer the OpenAPI documents for `method path`."""
    answers = openapi["paths"][API + path][method.lower()]["responses"]
    code = next(c for c in answers if c.startswith("2"))
    content: dict[str, Any] = answers[code].get("content", {})
    return content


def test_every_board_route_documents_its_answer(app: FastAPI) -> None:
    openapi = app.openapi()
    routes = [r for r in board_api.router.routes if isinstance(r, APIRoute)]
    assert len(routes) == 14  # 13 + addenda (board_0002)
    for route in routes:
        for method in route.methods or ():
            content = documented_2xx(openapi, route.path, method)
            assert content, (method, route.path)
            for media, body in content.items():
                assert body.get("schema"), (method, route.path, media)
    pdf = documented_2xx(openapi, "/board/meetings/{meeting_id}/protocol.pdf", "GET")
    assert pdf == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    meeting = documented_2xx(openapi, "/board/meetings/{meeting_id}", "GET")
    assert meeting["application/json"]["schema"] == {"$ref": "#/components/schemas/MeetingOut"}


def _same(model: type[Out], body: Any) -> None:
    """`body` validates against `model` and is exactly what the model writes back."""
    assert model.model_validate(body).model_dump(mode="json") == body


def test_answers_are_their_out_models(clients: dict[str, TestClient], meeting: dict[str, Any],
                                      case_id: int) -> None:
    c = clients["clinician"]
    add_quorum(c, meeting["id"])
    _same(MeetingOut, meeting)
    item = c.post(f"{API}/board/meetings/{meeting['id']}/agenda",
                  json={"case_id": case_id, "question": "Resectable?"}).json()
    _same(ItemOut, item)
    dec = c.post(f"{API}/board/items/{item['id']}/decision", json=DECISION).json()
    _same(DecisionOut, dec)
    _same(DecisionOut, c.post(f"{API}/board/decisions/{dec['id']}/sign").json())
    m = c.get(f"{API}/board/meetings/{meeting['id']}").json()
    _same(MeetingOut, m)
    assert m["items"][0]["current"]["id"] == dec["id"] and m["items"][0]["draft"] is None
    history = c.get(f"{API}/cases/{case_id}/board").json()
    _same(CaseBoardOut, history)
    task = history["tasks"][0]
    _same(TaskOut, c.put(f"{API}/tasks/{task['id']}", json={"status": "done"}).json())
    rows = c.get(f"{API}/board/meetings").json()
    assert rows == [{"id": meeting["id"], "title": meeting["title"],
                     "starts_at": m["starts_at"], "place": "Room 4", "video_link": None,
                     "items": 1}]
