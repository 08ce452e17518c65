"""Load the demo accounts and cases into a database (used by the CLI and `serve --demo`).

After the two defining cases, every demo module the feature list names (`rareonco.features`) is
run (in name order) through its `load(session, cases: DemoCases) -> str | None`, so each feature
adds its own demo records (courses, perfusions, plans, board meetings) to the same cases. Each
must be idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.demo.cases import DSRCT_MRN, OSTEO_MRN, load_demo_cases
from rareonco.demo.users import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users
from rareonco.features import demo_modules, import_modules
from rareonco.store.db import Database
from rareonco.store.tables.cases import Case
from rareonco.store.tables.patients import Patient


@dataclass(frozen=True)
class DemoCases:
    """Ids of the two defining cases, for the feature demo loaders."""

    osteosarcoma_case_id: int
    dsrct_case_id: int


@dataclass(frozen=True)
class DemoSummary:
    users_created: list[str]
    cases_created: list[int]
    features: list[str]

    def describe(self) -> str:
        lines = [f"demo: {len(self.users_created)} accounts and "
                 f"{len(self.cases_created)} cases added (existing ones kept)",
                 *self.features,
                 f"demo login: user 'demo' (clinician), password '{DEMO_PASSWORD}'",
                 "other demo accounts, same password: "
                 + ", ".join(f"{u} ({r})" for u, r, _ in DEMO_USERS if u != "demo")]
        return "\n".join(lines)


def demo_cases(session: Session) -> DemoCases:
    def first_case(mrn: str) -> int:
        case_id = session.scalar(select(Case.id).join(Patient).where(Patient.mrn == mrn)
                                 .order_by(Case.id).limit(1))
        if case_id is None:
            raise RuntimeError(f"demo case of {mrn} missing: load the demo cases first")
        return case_id

    return DemoCases(first_case(OSTEO_MRN), first_case(DSRCT_MRN))


def load_demo(db: Database) -> DemoSummary:
    with db.session() as session:
        users = ensure_demo_users(session)
        cases = load_demo_cases(session)
    features: list[str] = []
    for module in import_modules("demo", demo_modules()):
        with db.session() as session:
            note = module.load(session, demo_cases(session))
        if note:
            features.append(note)
    return DemoSummary(users, cases, features)
