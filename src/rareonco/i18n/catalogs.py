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


def ensure_compiled(locale: str, locale_dir: Path = LOCALE_DIR, domain: str = DOMAIN
                    ) -> bytes | None:
    """The compiled catalogue `domain` of `locale`, (re)writing the `.mo` beside the `.po` if
    stale."""
    po = locale_dir / locale / "LC_MESSAGES" / f"{domain}.po"
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


def feature_domains(locale: str, locale_dir: Path = LOCALE_DIR) -> list[str]:
    """The feature catalogues of `locale` beside ``messages.po`` (``courses.po``,
    ``audit.po``...): each feature keeps its own strings, so features translate independently."""
    folder = locale_dir / locale / "LC_MESSAGES"
    names = {p.stem for p in folder.glob("*.po")} | {p.stem for p in folder.glob("*.mo")}
    return sorted(names - {DOMAIN})


@lru_cache
def translations(locale: str) -> NullTranslations:
    """The catalogue of `locale` (cached)."""
    return load_translations(locale, LOCALE_DIR)


def load_translations(locale: str, locale_dir: Path) -> NullTranslations:
    """``messages`` of `locale` merged with each feature catalogue (a feature's entry wins)."""
    data = ensure_compiled(locale, locale_dir)
    if data is None:
        return NullTranslations()
    merged = Translations(io.BytesIO(data), domain=DOMAIN)
    for domain in feature_domains(locale, locale_dir):
        extra = ensure_compiled(locale, locale_dir, domain)
        if extra is not None:
            merged.merge(Translations(io.BytesIO(extra), domain=domain))
    return merged
