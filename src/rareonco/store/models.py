"""The metadata of every table, for Alembic and for tests that build a schema."""

from __future__ import annotations

from rareonco.features import import_tables
from rareonco.store.tables.base import Base


def load_all() -> type[Base]:
    """Import every table module the feature list names; return the declarative base."""
    import_tables()
    return Base
