"""Synthetic registry rows at scale (``rareonco demo synth --registry-only``) for the registry
benchmark and demos: the subtype and country mix of :mod:`rareonco.demo.synth`, outcomes from
:func:`rareonco.outcomes.synthetic.synth_outcomes`. Generated column-wise with NumPy and written
with PostgreSQL's COPY (batched inserts on SQLite)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session

from rareonco.demo.synth import COUNTRIES, SUBTYPES
from rareonco.errors import InvalidInput
from rareonco.outcomes.registry_record import site_group
from rareonco.outcomes.synthetic import histology_group, synth_outcomes
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.store.tables.registry import RegistryEntry

__all__ = ["COLUMNS", "load_synthetic_registry", "synth_registry_columns"]

COLUMNS = ("source", "pseudonym", "morphology", "topography", "site_group", "age_years", "sex",
           "country", "stage", "metastatic", "molecular", "chemotherapy", "surgery", "radiotherapy",
           "hipec", "margin", "huvos_grade", "best_response", "diagnosis_year", "diagnosis_date",
           "os_days", "os_event", "efs_days", "efs_event", "first_event", "updated_at")
#: characteristic fusion per histology group (RareOnco clinical reference section 7)
FUSIONS = {"ewing": "EWSR1-FLI1", "dsrct": "EWSR1-WT1"}
EXTRA_TOPOGRAPHY = {"9180/3": ["C40.2", "C41.4", "C40.0"], "9364/3": ["C41.4", "C40.2", "C41.2"]}


def synth_registry_columns(n: int, seed: int, today: date, start: int = 0
                           ) -> dict[str, list[object]]:
    """``n`` registry rows as columns (plain Python values), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    shares = np.array([s[2] for s in SUBTYPES])
    sub = rng.choice(len(SUBTYPES), size=n, p=shares / shares.sum())
    cw = np.array([c[2] for c in COUNTRIES])
    cty = rng.choice(len(COUNTRIES), size=n, p=cw / cw.sum())
    morph = [SUBTYPES[i][0] for i in sub]
    topo = [str(rng.choice(EXTRA_TOPOGRAPHY[m])) if m in EXTRA_TOPOGRAPHY and rng.random() < 0.4
            else SUBTYPES[i][1] for m, i in zip(morph, sub, strict=True)]
    median_age = np.array([SUBTYPES[i][3] for i in sub], dtype=float)
    age = np.clip(rng.normal(median_age, median_age * 0.35 + 3), 1, 95).astype(int)
    groups = [histology_group(m) for m in morph]
    metastatic = rng.random(n) < np.where(np.array(groups) == "dsrct", 0.8, 0.2)
    dx_days = rng.integers(30, 15 * 365, size=n)
    outcomes = synth_outcomes(rng, groups, metastatic, dx_days.astype(np.int64))
    dx = [today - timedelta(days=int(d)) for d in dx_days]
    surgery = rng.random(n) < 0.85
    margin = np.where(surgery, rng.choice(["R0", "R1", "R2"], size=n, p=[0.75, 0.2, 0.05]), "")
    bone = np.array([g in ("osteosarcoma", "ewing") for g in groups])
    huvos = np.where(bone & surgery, rng.choice([1, 2, 3, 4], size=n, p=[0.15, 0.3, 0.35, 0.2]), 0)
    response = rng.choice(["CR", "PR", "SD", "PD"], size=n, p=[0.1, 0.45, 0.3, 0.15])
    return {
        "source": ["synthetic"] * n,
        "pseudonym": [f"R-{seed}-{start + i:08d}" for i in range(n)],
        "morphology": morph, "topography": topo, "site_group": [site_group(t) for t in topo],
        "age_years": age.tolist(), "sex": rng.choice(["male", "female"], size=n, p=[0.55, 0.45]).tolist(),
        "country": [COUNTRIES[i][0] for i in cty],
        "stage": np.where(metastatic, "IV", rng.choice(["I", "II", "III"], size=n)).tolist(),
        "metastatic": metastatic.tolist(),
        "molecular": [FUSIONS.get(g, "") for g in groups],
        "chemotherapy": (rng.random(n) < 0.8).tolist(), "surgery": surgery.tolist(),
        "radiotherapy": (rng.random(n) < 0.3).tolist(),
        "hipec": [g == "dsrct" and bool(rng.random() < 0.5) for g in groups],
        "margin": margin.tolist(),
        "huvos_grade": [int(h) or None for h in huvos],
        "best_response": response.tolist(),
        "diagnosis_year": [d.year for d in dx], "diagnosis_date": dx,
        "os_days": outcomes.os_days.tolist(), "os_event": outcomes.os_event.tolist(),
        "efs_days": outcomes.efs_days.tolist(), "efs_event": outcomes.efs_event.tolist(),
        "first_event": outcomes.first_event.tolist(),
    }


def load_synthetic_registry(session: Session, actor: Actor, n: int, seed: int = 0,
                            today: date | None = None, batch: int = 100_000,
                            progress: Callable[[int], None] | None = None) -> int:
    """Write ``n`` synthetic registry rows; one audit entry per batch."""
    if n < 1:
        raise InvalidInput("patients", "must be 1 or more")
    today = today or date.today()
    done = 0
    while done < n:
        k = min(batch, n - done)
        cols = synth_registry_columns(k, seed + done, today, start=done)
        now = date.today().isoformat()
        cols["updated_at"] = [now] * k
        if session.get_bind().dialect.name == "postgresql":
            _copy(session, cols, k)
        else:
            session.execute(insert(RegistryEntry), [
                {c: cols[c][i] for c in COLUMNS if c != "updated_at"}
                for i in range(k)])
        audit.record(session, actor, "bulk_create", "registry", f"{k} synthetic registry rows")
        session.commit()
        done += k
        if progress:
            progress(k)
    return done


def _copy(session: Session, cols: dict[str, list[object]], k: int) -> None:
    """COPY the rows in through the session's own psycopg connection (same transaction)."""
    buf = io.StringIO()
    for i in range(k):
        buf.write("\t".join(r"\N" if cols[c][i] is None else _text(cols[c][i]) for c in COLUMNS))
        buf.write("\n")
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(  # type: ignore[union-attr]
            f"COPY registry_entries ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        copy.write(buf.getvalue())


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


DEMO_ROWS = 3000


def load(session: Session, cases: object) -> str | None:
    """Demo: a synthetic registry of :data:`DEMO_ROWS` rows for the researcher's cohorts (once)."""
    from sqlalchemy import func, select

    if session.scalar(select(func.count()).select_from(RegistryEntry)):
        return None
    actor = Actor(None, "demo", "admin", "local")
    load_synthetic_registry(session, actor, DEMO_ROWS, seed=2026)
    return f"registry: {DEMO_ROWS} synthetic rows"
