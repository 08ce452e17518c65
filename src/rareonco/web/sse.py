"""Server-sent-event framing, and the live HIPEC hub of this application (one per process)."""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import Request
from pydantic import BaseModel

from rareonco.records.hipec.live_hub import LiveHub


def sse(kind: str, obj: Any) -> str:
    """One server-sent event: ``event: kind`` and the object (a typed output, e.g.
    :class:`~rareonco.records.hipec.schemas.AlarmOut`, or plain JSON data) as compact JSON."""
    data = obj.model_dump_json() if isinstance(obj, BaseModel) else json.dumps(
        obj, separators=(",", ":"))
    return f"event: {kind}\ndata: {data}\n\n"


_HUB_LOCK = threading.Lock()


def get_hub(request: Request) -> LiveHub:
    """The app's live HIPEC hub, made on first use, framing its events as server-sent events."""
    state = request.app.state
    hub = getattr(state, "hipec_hub", None)
    if hub is None:
        with _HUB_LOCK:
            hub = getattr(state, "hipec_hub", None)
            if hub is None:
                hub = state.hipec_hub = LiveHub(state.db, encode=sse)
    return hub
