"""The features of RareOnco, declared in one list (in the spirit of Datasette's `hookspecs.py`).

Each `Feature` names, by module path, where its parts live in each layer:

- ``tables``: modules under `rareonco.store.tables` (SQLAlchemy tables; migrations are an
  Alembic branch named ``migrations`` off revision 0001, or the core chain);
- ``services``: the package under `rareonco.records` (functions over a session and an actor);
- ``api`` / ``pages``: modules under `rareonco.web.api` / `rareonco.web.pages` defining
  ``router``;
- ``timeline_kinds``: the timeline event kinds the feature writes, each marked clinical or not
  (clinical kinds are hidden from roles without clinical access);
- ``demo``: a module under `rareonco.demo` with ``load(session, cases) -> str | None``.

This module is data only and imports nothing of RareOnco, so any layer may read it; the
composition roots (`web.app`, `cli`, the Alembic environment, `demo.loader`) import what it
names. It replaces discovery by module name and import-time registration: a part that is not
listed here is not part of the application, and `tests/test_features.py` checks that every
module on disk is listed and that docs/ARCHITECTURE.md's feature table matches this list.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType
from typing import Any


@dataclass(frozen=True)
class Feature:
    """One feature and where each of its parts lives (module names relative to each layer)."""

    name: str
    summary: str
    tables: tuple[str, ...] = ()
    services: str | None = None
    api: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    timeline_kinds: Mapping[str, bool] = field(default_factory=dict)
    demo: str | None = None
    migrations: str | None = None


FEATURES: tuple[Feature, ...] = (
    Feature(
        "patients", "registration, de-identified reads, search in both scripts",
        tables=("patients",), services="patients", api=("patients",), pages=("patients",),
        migrations="core"),
    Feature(
        "cases", "tumour episodes: diagnosis, timeline, pathway state machine, intake",
        tables=("cases",), services="cases", api=("cases",), pages=("cases", "intake"),
        timeline_kinds={
            "referral": False, "status_change": False, "admission": False, "discharge": False,
            "imaging": True, "biopsy": True, "pathology": True, "surgery": True,
            "follow_up_visit": True, "note": True, "death": True},
        migrations="core"),
    Feature(
        "referrals", "referrals from other hospitals with their documents",
        tables=("referrals",), services="referrals", api=("referrals",), migrations="core"),
    Feature(
        "accounts", "users, log-in, bearer tokens, browser sessions, interface language",
        tables=("accounts",), api=("auth",), pages=("login", "locale"), migrations="core"),
    Feature(
        "audit", "the append-only, hash-chained audit log; the auditor's page: filters, export, "
        "chain check", tables=("audit",), services="audit", api=("audit_log",), pages=("audit",),
        migrations="audit"),
    Feature(
        "inbox", "each role's tasks gathered from every feature's provider; count in the menu",
        services="inbox", pages=("inbox",)),
    Feature(
        "calc", "clinical calculators (JSON in, JSON out)", api=("calc",)),
    Feature(
        "board", "tumour board: meetings, attendance, agenda, signed decisions, protocol",
        tables=("board",), services="board", api=("board",), pages=("board",),
        timeline_kinds={"board_decision": True}, demo="board", migrations="board"),
    Feature(
        "courses", "chemotherapy courses, given cycles with safety checks, labs, weights",
        tables=("courses",), services="courses", api=("courses",), pages=("courses",),
        timeline_kinds={"chemotherapy_cycle": True}, demo="courses", migrations="courses"),
    Feature(
        "desk", "international desk: inquiries from abroad, remote review, visits",
        tables=("desk",), services="desk", api=("desk",), pages=("desk",),
        timeline_kinds={"remote_opinion": True}, demo="desk", migrations="desk"),
    Feature(
        "hipec", "HIPEC procedures, perfusion samples, alarms, live monitoring, report",
        tables=("hipec",), services="hipec", api=("hipec",), pages=("hipec",),
        timeline_kinds={"hipec": True}, demo="hipec", migrations="hipec"),
    Feature(
        "imaging", "CT studies and pelvic resection and implant plans",
        tables=("imaging",), services="imaging", api=("imaging",), pages=("imaging",),
        timeline_kinds={"resection_plan": True}, demo="imaging", migrations="imaging"),
    Feature(
        "followup", "follow-up clinic: surveillance and late-effect visits, reminders",
        tables=("followup",), services="followup", api=("followup",), pages=("followup",),
        demo="followup", migrations="followup"),
    Feature(
        "registry", "rare-tumour registry: cohorts, survival curves, de-identified counts",
        tables=("registry",), services="registry", api=("registry",), pages=("registry",),
        demo="registry",
        migrations="registry"),
    Feature(
        "response", "response assessment: RECIST 1.1 timepoints, Huvos grade",
        tables=("response",), services="response", pages=("response",),
        timeline_kinds={"response_assessment": True}, migrations="courses"),
)

#: API routes are tried in order: the most requested first (patient search, the case page).
MOST_REQUESTED_API = ("patients", "cases")


def _unique(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def table_modules() -> tuple[str, ...]:
    """Every table module, dependencies first (accounts, patients and cases before the rest)."""
    first = ["base", "accounts", "audit", "patients", "referrals", "cases"]
    return _unique(first + [t for f in FEATURES for t in f.tables])


def api_modules() -> tuple[str, ...]:
    rest = sorted(m for f in FEATURES for m in f.api if m not in MOST_REQUESTED_API)
    return _unique([*MOST_REQUESTED_API, *rest])


def page_modules() -> tuple[str, ...]:
    return _unique(sorted(m for f in FEATURES for m in f.pages))


def demo_modules() -> tuple[str, ...]:
    """Demo loaders, run in name order after the two defining cases."""
    return tuple(sorted(f.demo for f in FEATURES if f.demo))


def _timeline_kinds() -> Mapping[str, bool]:
    kinds: dict[str, bool] = {}
    for f in FEATURES:
        for kind, clinical in f.timeline_kinds.items():
            if kind in kinds:
                raise ValueError(f"timeline kind {kind!r} declared twice")
            kinds[kind] = clinical
    return MappingProxyType(kinds)


#: Every timeline event kind -> whether it is clinical.
TIMELINE_KINDS: Mapping[str, bool] = _timeline_kinds()


def import_tables() -> None:
    """Import every table module, so that `Base.metadata` knows every table."""
    for name in table_modules():
        importlib.import_module(f"rareonco.store.tables.{name}")


def import_modules(layer: str, names: tuple[str, ...]) -> list[ModuleType]:
    return [importlib.import_module(f"rareonco.{layer}.{n}") for n in names]


def routers(layer: str, names: tuple[str, ...]) -> list[Any]:
    """The ``router`` of each named module of `rareonco.<layer>`."""
    return [m.router for m in import_modules(layer, names)]
