"""`rareonco serve --workers N`: connections shared evenly, a dead worker replaced, clean stop."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(),
                                reason="reads connection owners from Linux /proc")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _is_worker(pid: int) -> bool:
    """A live serving worker (not multiprocessing's resource tracker, not a zombie)."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _workers(pid: int) -> list[int]:
    return [c for c in _children(pid) if _is_worker(c)]


def _established_inodes(port: int) -> set[str]:
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01":  # ESTABLISHED, server side
            inodes.add(fields[9])
    return inodes


def _connections_of(pid: int, inodes: set[str]) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            count += 1
    return count


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _started(log: list[str]) -> int:
    """Worker start-ups completed so far (uvicorn logs one line per worker)."""
    return sum("Application startup complete" in line for line in list(log))


@pytest.fixture
def server(tmp_path: Path):
    port = _free_port()
    env = dict(os.environ, RAREONCO_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
               RAREONCO_DATA_DIR=str(tmp_path / "data"), RAREONCO_SECRET_KEY="test")
    proc = subprocess.Popen([sys.executable, "-m", "rareonco", "serve", "--port", str(port),
                             "--workers", "2", "--log-level", "info", "--no-access-log"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(proc.stderr), daemon=True).start()
    if not _wait_for(lambda: _started(log) == 2, 60):
        proc.kill()
        pytest.fail("server did not start: " + "".join(log)[-2000:])
    time.sleep(0.2)  # each worker watches the socket right after its start-up
    _warm_up(port)
    yield proc, port, log
    workers = _workers(proc.pid)
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)
    for w in workers:  # none should be left; never leave one serving
        with contextlib.suppress(ProcessLookupError):
            os.kill(w, signal.SIGKILL)


def _warm_up(port: int) -> None:
    """A first request costs a worker tens of milliseconds (imports, first connection), and
    a worker that does not accept within `STEP_BACK_S` is passed over: serve both once."""
    for s in _open_keep_alive(port, 8):
        s.close()
    time.sleep(0.3)


def _open_keep_alive(port: int, n: int) -> list[socket.socket]:
    """`n` clients connecting at once, each making one keep-alive request."""
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    for s in socks:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    for s in socks:
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
    return socks


def test_connections_arriving_together_are_shared_evenly(server) -> None:
    proc, port, _ = server
    socks = _open_keep_alive(port, 24)
    try:
        time.sleep(0.3)  # the counts are published every 50 ms
        inodes = _established_inodes(port)
        per_worker = sorted(_connections_of(w, inodes) for w in _workers(proc.pid))
        assert sum(per_worker) == 24
        # uvicorn's own --workers gave one worker all 32 of a benchmark's connections
        assert per_worker[1] - per_worker[0] <= 2, per_worker
    finally:
        for s in socks:
            s.close()


def test_a_dead_worker_is_replaced_and_sigterm_stops_cleanly(server) -> None:
    proc, port, log = server
    victim = _workers(proc.pid)[0]
    os.kill(victim, signal.SIGKILL)
    assert _wait_for(lambda: _started(log) == 3, 60), "the dead worker was not replaced"
    time.sleep(0.2)
    workers = _workers(proc.pid)
    assert len(workers) == 2 and victim not in workers
    _warm_up(port)
    socks = _open_keep_alive(port, 8)  # shared by both, the new one included
    try:
        time.sleep(0.3)
        inodes = _established_inodes(port)
        per_worker = sorted(_connections_of(w, inodes) for w in workers)
        assert sum(per_worker) == 8 and per_worker[0] >= 2, per_worker  # the new one serves
    finally:
        for s in socks:
            s.close()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert not _workers(proc.pid)


def test_workers_stop_when_the_parent_is_killed(server) -> None:
    """A killed parent (SIGKILL: no clean-up) must not leave workers serving the port."""
    proc, port, _ = server
    workers = _workers(proc.pid)
    proc.kill()
    proc.wait()
    assert _wait_for(lambda: not any(_is_worker(w) for w in workers), 30), \
        "orphaned workers still run"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
