"""`rareonco db`, `rareonco user` and `rareonco audit`: administration."""

from __future__ import annotations

import getpass

import typer
from rich.console import Console

from rareonco.errors import InvalidInput

from .failures import ReportingGroup

db_app = typer.Typer(cls=ReportingGroup, help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(cls=ReportingGroup, help="User accounts.", no_args_is_help=True)
audit_app = typer.Typer(cls=ReportingGroup, help="The audit log.", no_args_is_help=True)
console = Console()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database (RAREONCO_DATABASE_URL, else SQLite in the data folder)."""
    from rareonco.cli._common import open_database

    _, db = open_database()
    console.print(f"database is at the newest schema: {db.url.split('@')[-1]}")


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="login name: lower-case letters, digits, . _ -"),
    role: str = typer.Option(..., help="admin, clinician, coordinator, researcher or auditor"),
    full_name: str = typer.Option("", help="name shown in the interface"),
    password: str = typer.Option(None, help="password (asked for when omitted)",
                                 envvar="RAREONCO_NEW_PASSWORD"),
) -> None:
    """Create a user account."""
    from rareonco.cli._common import open_database
    from rareonco.security.accounts import create_user

    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat: "):
            raise InvalidInput("password", "the two entries differ")
    _, db = open_database()
    with db.session() as session:
        user = create_user(session, username, password, role, full_name)
    console.print(f"created user {user.username} ({user.role})")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the audit log; exit 1 and name the first broken link if any."""
    from rareonco.cli._common import open_database
    from rareonco.security.audit import verify

    _, db = open_database(migrate=False)
    with db.session() as session:
        result = verify(session)
    if result.ok:
        console.print(f"audit log intact: {result.entries} entries")
        return
    console.print(f"[red]audit log broken at entry {result.first_broken_seq}[/red]: "
                  f"{result.reason} ({result.entries} entries verified before it)")
    raise typer.Exit(1)
