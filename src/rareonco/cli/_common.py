"""Helpers shared by the CLI command groups."""

from __future__ import annotations

from rareonco.config import Settings, get_settings
from rareonco.store.db import Database
from rareonco.store.migrate import upgrade


def open_database(migrate: bool = True) -> tuple[Settings, Database]:
    """The configured database, migrated to the newest schema unless told not to."""
    settings = get_settings()
    settings.ensure_data_dir()
    url = settings.effective_database_url
    if migrate:
        upgrade(url)
    return settings, Database(url)
