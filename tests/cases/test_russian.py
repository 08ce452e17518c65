"""Every string of the case screens has its Russian translation (the shared catalogue test
lists the foundation's templates; these are the cases feature's own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from rareonco import i18n
from rareonco.i18n.catalogs import translations
from rareonco.records.cases.diagnosis_terms import GRADES, STAGE_SYSTEMS
from rareonco.records.cases.timeline import MANUAL_KINDS

TEMPLATES = Path(i18n.__file__).parent.parent / "web" / "templates"
OWNED = [TEMPLATES / "case.html", TEMPLATES / "_case_pathway.html",
         TEMPLATES / "courses" / "response.html", *sorted((TEMPLATES / "cases").glob("*.html"))]


def _msgids(path: Path) -> set[str]:
    return {msg[0] if isinstance(msg, tuple | list) else msg
            for _, msg, _, _ in extract_from_file("jinja2", str(path),
                                                  options={"extensions": "jinja2.ext.i18n"})}


@pytest.mark.parametrize("path", OWNED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_templates_are_russian(path: Path) -> None:
    ru = translations("ru")
    missing = sorted(m for m in _msgids(path) if ru.ugettext(m) == m)
    assert not missing, f"untranslated in ru: {missing}"


def test_vocabularies_are_russian() -> None:
    ru = translations("ru")
    labels = [*GRADES.values(), *(label for label, _ in STAGE_SYSTEMS.values()),
              *(k.replace("_", " ") for k in MANUAL_KINDS)]
    assert [x for x in labels if ru.ugettext(x) == x] == []
