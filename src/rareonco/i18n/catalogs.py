"""Message catalogues: `.po` (source, in git) compiled to `.mo` when missing or stale.

Compiling at first use means a clean checkout or an sdist without `.mo` files still speaks
Russian; when the package directory is read-only the catalogue is compiled in memory instead.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
log = logging.getLogger("rareonco.i18n")


def compile_catalog(po_path: Path) -> bytes:
    """The `.mo` bytes of one `.po` file (fuzzy entries are left out, as msgfmt does)."""
    with po_path.open("rb") as f:
        catalog = read_po(f)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def ensure_compiled(locale: str, locale_dir: Path = LOCALE_DIR) -> bytes | None:
    """The compiled catalogue of `locale`, (re)writing the `.mo` beside the `.po` if stale."""
    po = locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if not po.exists():
        return mo.read_bytes() if mo.exists() else None
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo.read_bytes()
    data = compile_catalog(po)
    try:
        mo.write_bytes(data)
    except OSError as exc:  # read-only install: keep the compiled catalogue in memory
        log.info("cannot write %s (%s); using the catalogue compiled in memory", mo, exc)
    return data


@lru_cache
def translations(locale: str) -> NullTranslations:
    data = ensure_compiled(locale)
    if data is None:
        return NullTranslations()
    return Translations(io.BytesIO(data), domain=DOMAIN)
