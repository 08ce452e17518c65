"""Demo accounts, one per role, printed by `rareonco serve --demo` and `rareonco demo load`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.security.accounts import create_user
from rareonco.store.tables.accounts import User

DEMO_PASSWORD = "rareonco-demo"
DEMO_USERS = (
    ("admin", "admin", "Demo Administrator"),
    ("demo", "clinician", "Dr. Demo Clinician"),
    ("desk", "coordinator", "International Desk Coordinator"),
    ("research", "researcher", "Registry Researcher"),
    ("auditor", "auditor", "Data Protection Auditor"),
    ("pharmacist", "pharmacist", "Clinical Pharmacist"),
    ("nurse", "nurse", "Oncology Nurse"),
    ("demo2", "clinician", "Dr. Second Clinician"),  # co-signs overrides, second checks
)


def ensure_demo_users(session: Session) -> list[str]:
    """Create the demo accounts that do not exist yet; return the names created."""
    made = []
    for username, role, full_name in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            create_user(session, username, DEMO_PASSWORD, role, full_name)
            made.append(username)
    return made
