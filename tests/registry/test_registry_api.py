"""Registry cohorts through the API, on SQLite and PostgreSQL: counts, Kaplan-Meier, log-rank,
small cells, roles, bad filters, audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from rareonco.demo.registry import load_synthetic_registry
from rareonco.outcomes.survival import kaplan_meier
from rareonco.security.audit import Actor
from rareonco.store.tables.audit import AuditEntry
from rareonco.store.tables.registry import RegistryEntry

PELVIS = {"morphology": ["9180/3"], "site_group": ["pelvis"], "age_min": 15, "age_max": 25}
LIMBS = {"morphology": ["9180/3"], "site_group": ["limb"], "age_min": 15, "age_max": 25}


@pytest.fixture
def registry(db):  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    with db.session() as session:
        load_synthetic_registry(session, Actor(None, "test", "admin", "local"), 4000, seed=7,
                                today=date(2026, 12, 1), batch=1500)
    return db


def test_count_and_the_issue_cohorts(clients, registry) -> None:  # type: ignore[no-untyped-def]
    r = clients["researcher"].post("/api/v1/registry/count", json={})
    assert r.status_code == 200 and r.json() == {"n": 4000}
    pelvis = clients["researcher"].post("/api/v1/registry/count", json=PELVIS).json()["n"]
    with registry.session() as s:
        expected = s.scalar(select(func.count()).select_from(RegistryEntry).where(
            RegistryEntry.morphology == "9180/3", RegistryEntry.site_group == "pelvis",
            RegistryEntry.age_years.between(15, 25)))
    assert pelvis == expected and pelvis >= 5


def test_survival_matches_the_estimate_over_the_rows(clients, registry) -> None:  # type: ignore[no-untyped-def]
    body = {"endpoint": "os", "cohort": LIMBS, "times_days": [0, 365, 1826]}
    r = clients["researcher"].post("/api/v1/registry/survival", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    with registry.session() as s:
        rows = s.execute(select(RegistryEntry.os_days, RegistryEntry.os_event).where(
            RegistryEntry.morphology == "9180/3", RegistryEntry.site_group == "limb",
            RegistryEntry.age_years.between(15, 25))).all()
    km = kaplan_meier([d for d, _ in rows], [int(e) for _, e in rows])
    assert out["n"] == len(rows) and not out["suppressed"]
    last = max((p for p in out["points"] if p["days"] <= 1826), key=lambda p: p["days"])
    assert last["estimate"] == pytest.approx(km.at(last["days"]))
    assert out["at_risk"][0] == len(rows)
    assert all(a is None or a >= 5 for a in out["at_risk"])


def test_compare_gives_a_log_rank(clients, registry) -> None:  # type: ignore[no-untyped-def]
    body = {"endpoint": "efs", "groups": {"pelvis": PELVIS, "limbs": LIMBS}}
    out = clients["researcher"].post("/api/v1/registry/compare", json=body).json()
    assert [c["label"] for c in out["curves"]] == ["pelvis", "limbs"]
    assert out["degrees_of_freedom"] == 1 and 0 <= out["p_value"] <= 1


def test_small_cells_are_never_shown(clients, registry) -> None:  # type: ignore[no-untyped-def]
    with registry.session() as s:
        rows = s.execute(select(RegistryEntry.country, func.count()).group_by(
            RegistryEntry.country)).all()
    small = next((c for c, n in rows if n < 5), None)
    tiny = {"country": [small]} if small else {"age_min": 94, "age_max": 95, "sex": "female",
                                                 "morphology": ["8806/3"]}
    r = clients["researcher"].post("/api/v1/registry/survival", json={"cohort": tiny}).json()
    assert r["suppressed"] and r["points"] == [] and r["n"] in (None, 0)
    n = clients["researcher"].post("/api/v1/registry/count", json=tiny).json()["n"]
    assert n is None or n == 0


def test_roles_bad_filters_and_audit(clients, registry) -> None:  # type: ignore[no-untyped-def]
    assert clients["coordinator"].post("/api/v1/registry/count", json={}).status_code == 403
    assert clients["researcher"].post("/api/v1/registry/count", json=PELVIS).status_code == 200
    bad = clients["researcher"].post("/api/v1/registry/count", json={"morphology": ["9999/9"]})
    assert bad.status_code == 422 and "morphology" in bad.text and "9999/9" in bad.text
    bad = clients["researcher"].post("/api/v1/registry/count", json={"age_min": 30, "age_max": 20})
    assert bad.status_code == 422
    bad = clients["researcher"].post("/api/v1/registry/count", json={"country": ["XX"]})
    assert bad.status_code == 422 and "country" in bad.text
    bad = clients["researcher"].post("/api/v1/registry/survival", json={"endpoint": "pfs2"})
    assert bad.status_code == 422 and "endpoint" in bad.text
    with registry.session() as s:
        rows = s.execute(select(AuditEntry.action, AuditEntry.detail).where(
            AuditEntry.resource == "registry", AuditEntry.action == "cohort_count")).all()
    assert len(rows) == 1 and "pelvis" in rows[0][1]
