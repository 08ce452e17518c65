"""Benchmark of the auditor's filtered page at 1M audit entries, with and without the indexes
of migration audit_0001, in the same run.

Run: PYTHONPATH=src .venv/bin/python benchmarks/audit_query.py [--rows 1000000] [--pg URL]

A fresh database (SQLite in a temporary folder, or the PostgreSQL database at ``--pg``, whose
tables are dropped first) is migrated to the core chain only (0005: the audit log with its
resource index, the baseline), filled with ``--rows`` synthetic entries (40 users, one of them
rare; the usual mix of actions with a rare ``export``; one entry a second, so a day is 86,400
entries; hashes are not computed: the query does not read them), and each filter's first
page (50 newest entries, `records.audit.queries.page`) is timed: median of 5 runs, and peak
traced memory (tracemalloc) in a separate pass. Then the database is upgraded to every head
(audit_0001 adds the indexes) and the same queries run again.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text, update

from rareonco.records.audit import queries
from rareonco.records.audit.schemas import AuditFilterIn
from rareonco.security.audit import Actor
from rareonco.store.db import Database
from rareonco.store.migrate import upgrade
from rareonco.store.tables.audit import AuditEntry, AuditHead

START = datetime(2026, 1, 1, tzinfo=UTC)
ACTIONS = ("read",) * 12 + ("search",) * 4 + ("update",) * 2 + ("create", "login", "logout",
                                                                 "transition")
AUDITOR = Actor(None, "bench-auditor", "auditor", "local")
FILTERS = {
    "rare user (0.1%)": AuditFilterIn(username="rare"),
    "action export (0.1%)": AuditFilterIn(action="export"),
    "user + action": AuditFilterIn(username="user7", action="update"),
    "one day in the middle": None,  # set from --rows
    "rare user, one day": None,
}


def fill(db: Database, rows: int) -> None:
    batch = []
    with db.session() as s:
        for seq in range(1, rows + 1):
            user = "rare" if seq % 1000 == 0 else f"user{seq % 40}"
            action = "export" if seq % 1000 == 500 else ACTIONS[seq % len(ACTIONS)]
            batch.append({"seq": seq, "at": START + timedelta(seconds=seq), "user_id": None,
                          "username": user, "action": action,
                          "resource": f"patient/{seq % 50_000}", "client": "10.0.0.1",
                          "detail": "", "prev_hash": "0" * 64, "hash": "0" * 64})
            if len(batch) == 20_000:
                s.execute(insert(AuditEntry), batch)
                batch = []
        if batch:
            s.execute(insert(AuditEntry), batch)
        s.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=rows, hash="0" * 64))


def measure(db: Database, f: AuditFilterIn) -> tuple[float, float, int]:
    def run() -> int:
        with db.session(read=True) as s:
            return len(queries.page(s, AUDITOR, f).items)

    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        found = run()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times) * 1000, peak / 1e6, found


def report(db: Database, label: str) -> dict[str, float]:
    out = {}
    print(f"\n{label}")
    print(f"{'filter':<26}{'median ms':>12}{'peak MB':>10}{'rows':>6}")
    for name, f in FILTERS.items():
        assert f is not None
        ms, mb, n = measure(db, f)
        out[name] = ms
        print(f"{name:<26}{ms:>12.1f}{mb:>10.2f}{n:>6}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pg", help="a PostgreSQL URL whose tables may be dropped")
    args = ap.parse_args()
    middle = (START + timedelta(seconds=args.rows // 2)).date()
    FILTERS["one day in the middle"] = AuditFilterIn(since=middle, until=middle)
    FILTERS["rare user, one day"] = AuditFilterIn(username="rare", since=middle, until=middle)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg or f"sqlite:///{Path(tmp) / 'audit.sqlite3'}"
        if args.pg:
            with Database(url).engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(url, "0005")
        db = Database(url)
        t0 = time.perf_counter()
        fill(db, args.rows)
        print(f"{args.rows:,} entries on {db.engine.dialect.name} in "
              f"{time.perf_counter() - t0:.1f} s (filled {date.today()})")
        base = report(db, "baseline: core chain only (resource index)")
        t0 = time.perf_counter()
        upgrade(url)
        print(f"\nmigration audit_0001 (indexes) in {time.perf_counter() - t0:.1f} s")
        indexed = report(db, "with audit_0001")
        print("\nspeed-up: " + ", ".join(f"{k} x{base[k] / max(indexed[k], 1e-3):.0f}"
                                       for k in base))
        db.dispose()


if __name__ == "__main__":
    main()
