"""Run Alembic migrations programmatically (used by `rareonco db upgrade`, the app and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from rareonco.store.db import normalise_url

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Upgrade to every head: each feature's migrations are a branch of their own."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
