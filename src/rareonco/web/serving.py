"""Serving the app with several worker processes that share the connections evenly.

uvicorn's own `--workers` lets every worker accept from one shared listening socket, and the
first worker to wake takes every connection waiting: 32 keep-alive clients that connect at
once were all seen on one of two workers, which then did all the work on one core while the
other idled. Here each worker accepts one connection at a time, and only while it holds no
more open connections than any other worker (counts shared in memory); a worker with more
steps back for a few milliseconds and then accepts anyway, so a stuck peer never leaves a
client waiting. The parent process binds the socket, starts the workers and replaces one
that dies.

uvicorn serves each connection as usual (`uvicorn.Server` with its configured HTTP protocol);
only accepting is replaced.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import socket
import threading
from multiprocessing.sharedctypes import RawArray
from typing import Any

import uvicorn
from uvicorn.server import Server

logger = logging.getLogger("uvicorn.error")

#: How long a worker with more connections than another leaves a waiting connection to it.
STEP_BACK_S = 0.005
#: How often a worker publishes its connection count while nothing is accepted.
PUBLISH_EVERY_S = 0.05
STARTUP_FAILURE = 3  # uvicorn's exit code when the app or its lifespan fails to start

_spawn = multiprocessing.get_context("spawn")


NOT_ACCEPTING = -1


class _Board:
    """Open connections per worker, in memory the worker processes share (one slot each)."""

    def __init__(self, counts: Any, slot: int) -> None:
        self._counts = counts
        self.slot = slot

    def publish(self, open_connections: int) -> None:
        self._counts[self.slot] = open_connections

    def fewest_elsewhere(self) -> int:
        """The fewest open connections of another worker that accepts (a worker still
        starting, or being replaced, holds NOT_ACCEPTING and is not waited for)."""
        others = [c for i, c in enumerate(self._counts) if i != self.slot and c >= 0]
        return min(others) if others else 1 << 30


class BalancedServer(Server):
    """A uvicorn server that accepts from a shared socket only while it is among the least
    busy workers (see the module docstring)."""

    def __init__(self, config: uvicorn.Config, board: _Board) -> None:
        super().__init__(config)
        self.board = board
        self._listener: socket.socket | None = None
        self._connecting = 0  # accepted, not yet handed to the protocol
        self._handing_over: set[asyncio.Task[None]] = set()
        self._stepped_back_at = -1.0
        self._publisher: asyncio.TimerHandle | None = None
        self._parent = os.getppid()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the lifespan, and no listener of uvicorn's own
        if self.should_exit or not sockets:
            return
        self._listener = sockets[0]
        self._listener.setblocking(False)
        loop = asyncio.get_running_loop()
        loop.add_reader(self._listener.fileno(), self._on_waiting_connection)
        self._publish_periodically()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.board.publish(NOT_ACCEPTING)
        if self._listener is not None:
            asyncio.get_running_loop().remove_reader(self._listener.fileno())
            self._listener.close()
            self._listener = None
        if self._publisher is not None:
            self._publisher.cancel()
        await super().shutdown(sockets=None)

    def open_connections(self) -> int:
        return len(self.server_state.connections) + self._connecting

    def _publish_periodically(self) -> None:
        if self._listener is None:
            return
        if os.getppid() != self._parent:  # the parent was killed: stop rather than serve on
            logger.warning("the serving parent process is gone; stopping")
            self.should_exit = True
            return
        self.board.publish(self.open_connections())
        self._publisher = asyncio.get_running_loop().call_later(
            PUBLISH_EVERY_S, self._publish_periodically)

    def _on_waiting_connection(self) -> None:
        if self._listener is None:
            return
        loop = asyncio.get_running_loop()
        mine = self.open_connections()
        self.board.publish(mine)
        just_stepped_back = loop.time() - self._stepped_back_at < 3 * STEP_BACK_S
        if mine > self.board.fewest_elsewhere() and not just_stepped_back:
            self._step_back()
            return
        self._stepped_back_at = -1.0  # one connection taken after stepping back; check again
        try:
            conn, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return  # another worker took it
        except OSError as exc:  # e.g. too many open files: serve the others, try again later
            logger.error("accept failed: %s", exc)
            self._step_back()
            return
        conn.setblocking(False)
        self._connecting += 1
        self.board.publish(mine + 1)
        task = loop.create_task(self._serve_connection(conn))
        self._handing_over.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._handing_over.discard)

    def _step_back(self) -> None:
        """Stop watching the socket for `STEP_BACK_S`; a less busy worker may take what waits."""
        loop = asyncio.get_running_loop()
        assert self._listener is not None
        loop.remove_reader(self._listener.fileno())
        self._stepped_back_at = loop.time()

        def resume() -> None:
            if self._listener is not None:
                loop.add_reader(self._listener.fileno(), self._on_waiting_connection)

        loop.call_later(STEP_BACK_S, resume)

    async def _serve_connection(self, conn: socket.socket) -> None:
        config, loop = self.config, asyncio.get_running_loop()
        try:
            await loop.connect_accepted_socket(
                lambda: config.http_protocol_class(  # type: ignore[call-arg]  # uvicorn types it loosely
                    config=config, server_state=self.server_state,
                    app_state=self.lifespan.state, _loop=loop),
                conn, ssl=config.ssl)
        except OSError as exc:  # the client went away before it was served
            logger.debug("connection dropped before serving: %s", exc)
            conn.close()
        finally:
            self._connecting -= 1


def _worker_main(config: uvicorn.Config, listener: socket.socket, counts: Any,
                 slot: int) -> None:
    config.configure_logging()
    BalancedServer(config, _Board(counts, slot)).run(sockets=[listener])


def run_workers(config: uvicorn.Config) -> None:
    """Serve `config` (its app given as an import string) with `config.workers` balanced
    worker processes until SIGINT or SIGTERM; a worker that dies is replaced, unless it failed
    while starting (then everything stops, as it would fail again)."""
    listener = config.bind_socket()
    listener.listen(config.backlog)
    counts = RawArray("q", config.workers)
    stop = threading.Event()

    def start(slot: int) -> multiprocessing.process.BaseProcess:
        counts[slot] = NOT_ACCEPTING  # until the new worker watches the socket
        proc = _spawn.Process(target=_worker_main, args=(config, listener, counts, slot),
                              name=f"rareonco-worker-{slot}")
        proc.start()
        return proc

    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    procs = [start(slot) for slot in range(config.workers)]
    logger.info("Started %d balanced worker processes", len(procs))
    try:
        while not stop.wait(0.5):
            for slot, proc in enumerate(procs):
                if proc.is_alive():
                    continue
                counts[slot] = NOT_ACCEPTING
                if proc.exitcode == STARTUP_FAILURE:
                    logger.error("worker %d failed to start; stopping", slot)
                    stop.set()
                    break
                logger.warning("worker %d (pid %s) died with code %s; replacing it", slot,
                               proc.pid, proc.exitcode)
                procs[slot] = start(slot)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: uvicorn shuts the worker down gracefully
        for proc in procs:
            proc.join(timeout=config.timeout_graceful_shutdown or 30)
            if proc.is_alive():
                proc.kill()
        listener.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        logger.info("Stopped")
    if any(p.exitcode == STARTUP_FAILURE for p in procs):
        raise SystemExit(STARTUP_FAILURE)
