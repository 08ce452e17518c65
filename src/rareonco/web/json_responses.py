"""JSON responses for the most read endpoints."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from pydantic_core import to_json


def json_response(payload: Any, status_code: int = 200) -> Response:
    """`payload` (plain dicts and lists, as the record views build them) as a JSON response,
    serialised by pydantic-core.

    A handler that returns a dict has FastAPI validate it against the declared type in a
    worker thread (one more thread hop) and then serialise it; the patient search and the case
    page run on most requests and gain nothing from that check."""
    return Response(to_json(payload), status_code=status_code, media_type="application/json")
