"""Load the demo accounts and cases into a database (used by the CLI and `serve --demo`)."""

from __future__ import annotations

from dataclasses import dataclass

from rareonco.demo.cases import load_demo_cases
from rareonco.demo.users import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users
from rareonco.store.db import Database


@dataclass(frozen=True)
class DemoSummary:
    users_created: list[str]
    cases_created: list[int]

    def describe(self) -> str:
        lines = [f"demo: {len(self.users_created)} accounts and "
                 f"{len(self.cases_created)} cases added (existing ones kept)",
                 f"demo login: user 'demo' (clinician), password '{DEMO_PASSWORD}'",
                 "other demo accounts, same password: "
                 + ", ".join(f"{u} ({r})" for u, r, _ in DEMO_USERS if u != "demo")]
        return "\n".join(lines)


def load_demo(db: Database) -> DemoSummary:
    with db.session() as session:
        users = ensure_demo_users(session)
        cases = load_demo_cases(session)
    return DemoSummary(users, cases)
