"""One watcher of a live HIPEC stream: events queued by publisher threads, drained by its event
loop (the web layer frames the events; see `rareonco.web.sse`)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Sequence

SUBSCRIBER_MAX_EVENTS = 20_000  # a subscriber this far behind is cut off (it reconnects)
KEEPALIVE_S = 15.0


class Subscriber:
    """One live stream: events queued by publisher threads, drained by its event loop.

    Wake-ups are coalesced: a publisher schedules one only when none is pending, and the stream
    sends everything queued in one chunk, so a burst of events costs one loop wake-up."""

    def __init__(self) -> None:
        self.items: deque[str] = deque()
        self.closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._wake_pending = False

    def put(self, events: Sequence[str]) -> None:
        if self.closed:
            return
        if len(self.items) + len(events) > SUBSCRIBER_MAX_EVENTS:
            self.closed = True  # too slow: end its stream rather than grow without bound
        else:
            self.items.extend(events)
        loop = self._loop
        if loop is not None and not self._wake_pending:
            self._wake_pending = True
            try:
                loop.call_soon_threadsafe(self._set)
            except RuntimeError:  # its loop has closed
                self.closed = True

    def _set(self) -> None:
        self._wake_pending = False
        if self._wake is not None:
            self._wake.set()

    async def events(self) -> AsyncIterator[str]:
        """Chunks of one or more events (or a keep-alive comment)."""
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            chunk = []
            while self.items:
                chunk.append(self.items.popleft())
            if chunk:
                yield "".join(chunk)
            if self.closed:
                return
            try:
                await asyncio.wait_for(self._wake.wait(), KEEPALIVE_S)
            except TimeoutError:
                yield ": keepalive\n\n"
