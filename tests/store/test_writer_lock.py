"""The inter-process writer lock that queues SQLite group commits."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from rareonco.store.db import Database, _ProcessWriterLock


def _hold(url: str, seconds: float, started) -> None:
    lock = _ProcessWriterLock.for_url(url)
    with lock:
        started.set()
        time.sleep(seconds)


def test_lock_file_only_for_sqlite_files(tmp_path: Path) -> None:
    assert _ProcessWriterLock.for_url(f"sqlite:///{tmp_path / 'a.sqlite3'}")._path == str(
        tmp_path / "a.sqlite3") + "-writer.lock"
    assert _ProcessWriterLock.for_url("sqlite://")._path is None
    assert _ProcessWriterLock.for_url("sqlite:///:memory:")._path is None
    assert _ProcessWriterLock.for_url("postgresql+psycopg://u@h/db")._path is None


def test_a_second_process_waits_for_the_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    ctx = multiprocessing.get_context("spawn")
    started = ctx.Event()
    other = ctx.Process(target=_hold, args=(url, 0.6, started))
    other.start()
    try:
        assert started.wait(30)
        t0 = time.perf_counter()
        with Database(url).writer_lock:
            waited = time.perf_counter() - t0
    finally:
        other.join(30)
    assert 0.2 < waited < 5
