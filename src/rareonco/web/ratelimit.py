"""A sliding-window rate limit per client address, kept in memory.

Enough for one server process behind one proxy: each worker process counts on its own and the
counts are lost on restart, so with N workers a client gets up to N times the limit. A
deployment with several processes or hosts should move this to the proxy or a shared store.
The client address is the socket peer (`request.client.host`); behind a reverse proxy, run
uvicorn with `--proxy-headers --forwarded-allow-ips` so that it is the visitor's.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import FastAPI


class RateLimiter:
    def __init__(self, max_events: int, window_s: float) -> None:
        self.max_events = max_events
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> tuple[bool, int]:
        """Count one event for `key`; return (allowed, seconds until the next is allowed)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.max_events:
                return False, max(1, int(hits[0] + self.window_s - now) + 1)
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients so memory stays bounded
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]
            return True, 0


#: public inquiry form: 5 submissions per hour per address
INQUIRY_LIMIT = (5, 3600.0)


def inquiry_limiter(app: FastAPI) -> RateLimiter:
    """The app's limiter for the public inquiry form (made on first use)."""
    limiter = getattr(app.state, "inquiry_limiter", None)
    if limiter is None:
        limiter = app.state.inquiry_limiter = RateLimiter(*INQUIRY_LIMIT)
    return limiter
