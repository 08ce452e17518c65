"""De-identified export: no identifiers or exact ages, k-anonymous rows, dictionary, report,
purpose required and audited; CSV and Parquet."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from rareonco.demo.registry import load_synthetic_registry
from rareonco.security.audit import Actor
from rareonco.store.tables.audit import AuditEntry
from rareonco.store.tables.registry import RegistryEntry

PURPOSE = "Pelvic osteosarcoma outcomes study, ethics approval 2026/117"


@pytest.fixture
def registry(db):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    with db.session() as session:
        load_synthetic_registry(session, Actor(None, "test", "admin", "local"), 2500, seed=11,
                                today=date(2026, 12, 1))
    return db


def _unzip(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_csv_export_is_de_identified_and_k_anonymous(clients, registry) -> None:  # type: ignore[no-untyped-def]
    r = clients["researcher"].post("/api/v1/registry/export", json={
        "cohort": {"morphology": ["9180/3", "9364/3"]}, "purpose": PURPOSE})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    files = _unzip(r.content)
    assert set(files) == {"data.csv", "dictionary.csv", "report.json"}
    rows = list(csv.DictReader(io.StringIO(files["data.csv"].decode())))
    report = json.loads(files["report.json"])
    assert report["rows"] == len(rows) and report["purpose"] == PURPOSE
    with registry.session() as s:
        pseudonyms = set(s.scalars(select(RegistryEntry.pseudonym)))
    assert not pseudonyms & {row["export_id"] for row in rows}
    assert all(row["diagnosis"].isdigit() and len(row["diagnosis"]) == 4 for row in rows)
    assert all(row["age_group"] == "*" or "-" in row["age_group"] or row["age_group"] == "90+"
               for row in rows)
    classes = Counter((r["age_group"], r["sex"], r["country"], r["morphology"]) for r in rows)
    assert min(classes.values()) >= 5
    assert report["smallest_class"] >= 5 and report["suppressed_rows"] <= 0.05 * 2500
    dictionary = files["dictionary.csv"].decode().splitlines()
    assert dictionary[0] == "column,type,meaning"
    assert {line.split(",")[0] for line in dictionary[1:]} == set(rows[0])
    with registry.session() as s:
        detail = s.scalar(select(AuditEntry.detail).where(AuditEntry.action == "registry_export"))
    assert detail and PURPOSE in detail


def test_parquet_and_shifted_dates(clients, registry) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    r = clients["researcher"].post("/api/v1/registry/export", json={
        "purpose": PURPOSE, "format": "parquet", "dates": "shifted"})
    assert r.status_code == 200, r.text
    table = pq.read_table(io.BytesIO(_unzip(r.content)["data.parquet"]))
    assert table.num_rows > 2000
    assert all(len(d) == 10 for d in table.column("diagnosis").to_pylist()[:50])


def test_refusals(clients, registry) -> None:  # type: ignore[no-untyped-def]
    bad = clients["researcher"].post("/api/v1/registry/export", json={"purpose": "x"})
    assert bad.status_code == 422 and "purpose" in bad.text
    bad = clients["researcher"].post("/api/v1/registry/export", json={
        "purpose": "x" * 9 + " !!!!!!!!"})
    assert bad.status_code == 422 and "purpose" in bad.text
    tiny = clients["researcher"].post("/api/v1/registry/export", json={
        "purpose": PURPOSE, "cohort": {"age_min": 95, "age_max": 95, "morphology": ["8806/3"]}})
    assert tiny.status_code == 422 and "cohort" in tiny.text
    assert clients["coordinator"].post("/api/v1/registry/export",
                                       json={"purpose": PURPOSE}).status_code == 403
