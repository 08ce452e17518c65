"""Catalogues: compiled from .po when needed, complete in Russian for the pages we own,
dates and numbers in the locale's format."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from rareonco import i18n
from rareonco.i18n.catalogs import LOCALE_DIR, ensure_compiled, translations

TEMPLATES = Path(i18n.__file__).parent.parent / "web" / "templates"
REPORTS = Path(i18n.__file__).parent.parent / "reports" / "templates"
#: the pages this catalogue must cover completely (other features bring their own strings)
OWNED = [*(TEMPLATES / n for n in ("base.html", "login.html", "patients.html",
                                   "_patient_rows.html", "patient.html", "case.html",
                                   "_case_pathway.html", "intake.html", "error.html")),
         *(p for feature in ("board", "desk", "courses", "hipec", "imaging")
           for p in sorted((TEMPLATES / feature).glob("*.html"))),
         REPORTS / "board_protocol.html", REPORTS / "invitation_letter.html"]


def _msgids(path: Path) -> set[str]:
    out = set()
    for _, msg, _, _ in extract_from_file("jinja2", str(path),
                                          options={"extensions": "jinja2.ext.i18n"}):
        out.add(msg[0] if isinstance(msg, (tuple, list)) else msg)
    return out


@pytest.mark.parametrize("path", [p for p in OWNED if p.exists()], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_russian_is_complete(path: Path) -> None:
    ru = translations("ru")
    missing = sorted(m for m in _msgids(path) if ru.ugettext(m) == m and m not in {"HIPEC"})
    assert not missing, f"untranslated in ru: {missing}"


def test_labels_are_translated() -> None:
    from rareonco.i18n import labels
    from rareonco.records.board import schemas as board_schemas
    from rareonco.records.desk import schemas as desk_schemas

    ru = translations("ru")
    for group in (labels.PATHWAY_STATUSES, labels.EVENT_KINDS[:-1], labels.ROLES,
                  labels.REGIMEN_STATUSES, labels.COURSE_STATUSES, labels.FINDING_SEVERITIES,
                  labels.NON_TARGET_STATUSES, labels.HIPEC_STATUSES, labels.PLAN_JOB_STATUSES,
                  labels.PATIENT_SIDES, labels.PLAN_MESHES,
                  tuple(desk_schemas.CLOSE_REASONS.values()),
                  tuple(board_schemas.SPECIALTIES.values()),
                  tuple(board_schemas.RECOMMENDATIONS.values())):
        for label in group:
            if label != "hipec":
                assert ru.ugettext(label) != label, label


def test_compiles_when_the_mo_is_missing_or_stale(tmp_path: Path) -> None:
    shutil.copytree(LOCALE_DIR / "ru", tmp_path / "ru")
    mo = tmp_path / "ru" / "LC_MESSAGES" / "messages.mo"
    mo.unlink(missing_ok=True)
    data = ensure_compiled("ru", tmp_path)
    assert data and mo.read_bytes() == data
    po = mo.with_suffix(".po")
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Пациенты"',
                                                          'msgstr "Больные"'), encoding="utf-8")
    import os
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    assert "Больные".encode() in ensure_compiled("ru", tmp_path)
    assert ensure_compiled("fr", tmp_path) is None


def test_use_locale_and_plurals() -> None:
    with i18n.use_locale("ru"):
        assert i18n.gettext("Patients") == "Пациенты"
        assert i18n.ngettext("%(num)d patient", "%(num)d patients", 3) == "%(num)d пациента"
        assert i18n.ngettext("%(num)d patient", "%(num)d patients", 5) == "%(num)d пациентов"
        with i18n.use_locale("en"):
            assert i18n.gettext("Patients") == "Patients"
        assert i18n.current_locale() == "ru"
    assert i18n.current_locale() == "en"


def test_dates_and_numbers_follow_the_locale() -> None:
    d = date(2026, 3, 12)
    with i18n.use_locale("en"):
        assert i18n.format_date(d) == "12 Mar 2026" or i18n.format_date(d) == "Mar 12, 2026"
        assert i18n.format_number(1234.5, 1) == "1,234.5"
    with i18n.use_locale("ru"):
        assert i18n.format_date(d).replace("\u202f", " ") == "12 мар. 2026 г."
        assert i18n.format_date("2026-03-12", "long").replace("\u202f", " ") == "12 марта 2026 г."
        assert i18n.format_number(1234.5, 1) == "1\xa0234,5"
        assert "12.03.2026" in i18n.format_datetime(datetime(2026, 3, 12, 15, tzinfo=UTC),
                                                    "short") or "12.03.26" in i18n.format_datetime(
            datetime(2026, 3, 12, 15, tzinfo=UTC), "short")
    assert i18n.format_date(None) == ""


def test_negotiation() -> None:
    assert i18n.negotiate("ru-RU,ru;q=0.9,en;q=0.8") == "ru"
    assert i18n.negotiate("de-DE,en;q=0.5,ru;q=0.9") == "ru"
    assert i18n.negotiate("de") == "en"
    assert i18n.negotiate(None) == "en"
    assert i18n.normalise("ru_RU") == "ru" and i18n.normalise("fr") is None


def test_feature_catalogues_merge_into_messages(tmp_path: Path) -> None:
    from rareonco.i18n.catalogs import feature_domains, load_translations

    shutil.copytree(LOCALE_DIR / "ru", tmp_path / "ru")
    folder = tmp_path / "ru" / "LC_MESSAGES"
    for extra in [*folder.glob("*.po"), *folder.glob("*.mo")]:  # the compiled ones too
        if extra.stem != "messages":
            extra.unlink()
    (folder / "zz_feature.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Verify cycle"\nmsgstr "Проверить цикл"\n', encoding="utf-8")
    assert feature_domains("ru", tmp_path) == ["zz_feature"]
    ru = load_translations("ru", tmp_path)
    assert ru.ugettext("Verify cycle") == "Проверить цикл"
    assert ru.ugettext("Patients") == "Пациенты"
