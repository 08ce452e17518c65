"""Benchmark of the registry at scale (issue 23): synthesise N registry rows into PostgreSQL,
then answer random cohort filters (count, and Kaplan-Meier of overall survival) and report
p50/p95 latency; the same at a tenth of the size in the same run shows how cost grows.
The naive way (read every row of the cohort, estimate in Python) is timed on the smaller
registry as the baseline. Goal (issue 23): p95 < 2 s at 1,000,000.

Run: PYTHONPATH=src .venv/bin/python benchmarks/registry.py [--rows 1000000] [--filters 50]
     [--pg postgresql://postgres@127.0.0.1:5432/test]

Each size uses its own database ``rareonco_bench_registry_<rows>`` (dropped and re-created),
migrated to every head; rows come from :func:`rareonco.demo.registry.load_synthetic_registry`
(COPY). Peak memory is the Python heap (tracemalloc) of one Kaplan-Meier answer.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from datetime import date

from sqlalchemy import create_engine, select, text

from rareonco.demo.registry import load_synthetic_registry
from rareonco.demo.synth import COUNTRIES, SUBTYPES
from rareonco.outcomes.survival import kaplan_meier
from rareonco.records.registry import cohorts
from rareonco.records.registry.schemas import CohortIn, SurvivalIn
from rareonco.security.audit import Actor
from rareonco.store.db import Database, normalise_url
from rareonco.store.migrate import upgrade
from rareonco.store.tables.registry import RegistryEntry as R

RESEARCHER = Actor(None, "bench-researcher", "researcher", "local")
TODAY = date(2026, 12, 1)


def fresh_database(base_url: str, rows: int) -> str:
    name = f"rareonco_bench_registry_{rows}"
    eng = create_engine(normalise_url(base_url), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    eng.dispose()
    return base_url.rsplit("/", 1)[0] + f"/{name}"


def random_filter(rng: random.Random) -> CohortIn:
    """1-4 criteria drawn from what researchers filter on."""
    morphs = sorted({s[0] for s in SUBTYPES})
    picks: dict[str, object] = {}
    for key in rng.sample(["morphology", "site_group", "age", "sex", "country", "metastatic",
                           "margin", "surgery"], rng.randint(1, 4)):
        if key == "morphology":
            picks["morphology"] = rng.sample(morphs, rng.randint(1, 2))
        elif key == "site_group":
            picks["site_group"] = [rng.choice(["limb", "pelvis", "trunk", "retroperitoneum"])]
        elif key == "age":
            lo = rng.randint(0, 60)
            picks["age_min"], picks["age_max"] = lo, lo + rng.randint(5, 30)
        elif key == "sex":
            picks["sex"] = rng.choice(["female", "male"])
        elif key == "country":
            picks["country"] = [rng.choice(COUNTRIES)[0]]
        elif key == "metastatic":
            picks["metastatic"] = rng.random() < 0.5
        elif key == "margin":
            picks["margin"] = [rng.choice(["R0", "R1"])]
        else:
            picks["surgery"] = True
    return CohortIn.model_validate(picks)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def naive_km(db: Database, f: CohortIn) -> None:
    with db.session(read=True) as s:
        rows = s.execute(select(R.os_days, R.os_event).where(cohorts.where(f))).all()
    if rows:
        kaplan_meier([r[0] for r in rows], [int(r[1]) for r in rows])


def run_size(base_url: str, rows: int, n_filters: int, baseline: bool) -> dict[str, float]:
    url = fresh_database(base_url, rows)
    upgrade(url)
    db = Database(url)
    t0 = time.perf_counter()
    with db.session() as s:
        load_synthetic_registry(s, Actor(None, "bench", "admin", "local"), rows, seed=1, today=TODAY)
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE registry_entries"))
        conn.commit()
    synth_s = time.perf_counter() - t0
    rng = random.Random(42)
    filters = [random_filter(rng) for _ in range(n_filters)]
    with db.session() as s:  # warm-up: imports (lifelines, pandas) and the connection pool
        cohorts.cohort_survival(s, RESEARCHER, SurvivalIn(cohort=filters[0]))
    count_ms, km_ms, naive_ms, sizes = [], [], [], []
    for f in filters:
        t = time.perf_counter()
        with db.session() as s:
            n = cohorts.cohort_count(s, RESEARCHER, f).n
        count_ms.append((time.perf_counter() - t) * 1000)
        sizes.append(n or 0)
        t = time.perf_counter()
        with db.session() as s:
            cohorts.cohort_survival(s, RESEARCHER, SurvivalIn(cohort=f))
        km_ms.append((time.perf_counter() - t) * 1000)
    if baseline:
        for f in filters[:10]:
            t = time.perf_counter()
            naive_km(db, f)
            naive_ms.append((time.perf_counter() - t) * 1000)
    tracemalloc.start()
    with db.session() as s:
        cohorts.cohort_survival(s, RESEARCHER, SurvivalIn())
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    db.engine.dispose()
    out = {"rows": rows, "synth_s": synth_s, "rows_per_s": rows / synth_s,
           "count_p50": pct(count_ms, 0.5), "count_p95": pct(count_ms, 0.95),
           "km_p50": pct(km_ms, 0.5), "km_p95": pct(km_ms, 0.95), "km_peak_mb": peak_mb,
           "median_cohort": statistics.median(sizes)}
    if naive_ms:
        out |= {"naive_p50": pct(naive_ms, 0.5), "naive_p95": pct(naive_ms, 0.95)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--filters", type=int, default=50)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    results = [run_size(args.pg, max(1000, args.rows // 10), args.filters, baseline=True),
               run_size(args.pg, args.rows, args.filters, baseline=True)]
    print(f"{'rows':>10} {'synth s':>8} {'rows/s':>9} {'count p50/p95 ms':>18} "
          f"{'KM p50/p95 ms':>16} {'naive KM p50/p95 ms':>20} {'KM peak MB':>10} {'median n':>9}")
    for r in results:
        naive = (f"{r['naive_p50']:.0f}/{r['naive_p95']:.0f}" if "naive_p50" in r else "-")
        print(f"{r['rows']:>10,.0f} {r['synth_s']:>8.1f} {r['rows_per_s']:>9,.0f} "
              f"{r['count_p50']:>8.0f}/{r['count_p95']:<9.0f} {r['km_p50']:>7.0f}/{r['km_p95']:<8.0f} "
              f"{naive:>20} {r['km_peak_mb']:>10.2f} {r['median_cohort']:>9,.0f}")
    big = results[-1]
    verdict = "met" if big["km_p95"] < 2000 and big["count_p95"] < 2000 else "NOT met"
    print(f"goal p95 < 2000 ms at {big['rows']:,.0f} rows: {verdict} "
          f"(count {big['count_p95']:.0f} ms, Kaplan-Meier {big['km_p95']:.0f} ms)")


if __name__ == "__main__":
    main()
