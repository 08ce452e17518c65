"""Import every table module so that `Base.metadata` knows all tables.

Core tables live in `tables.py`; each feature keeps its own in `store/<feature>_tables.py`
(found here by name), with its migrations as an Alembic branch off revision 0001.
"""

from __future__ import annotations

import importlib
import pkgutil

import rareonco.store as _store
from rareonco.store.tables import Base


def load_all() -> type[Base]:
    for info in pkgutil.iter_modules(_store.__path__):
        if info.name.endswith("_tables"):
            importlib.import_module(f"rareonco.store.{info.name}")
    return Base
