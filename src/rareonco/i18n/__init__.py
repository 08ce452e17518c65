"""Interface languages: Russian and English (Uzbek for the public inquiry form).

The locale of a request lives in a context variable, set by `render` (pages) or `use_locale`
(documents), so `gettext` and the formatting filters need no request object. Catalogues are
`locale/<lang>/LC_MESSAGES/messages.po` plus one `<feature>.po` per feature that brings its own
strings (merged at load, see `catalogs.py`); the `.mo` files are compiled from them when missing or
older than the `.po` (see `catalogs.py`), so a clean checkout works without a build step.

Updating the catalogues after changing templates::

    pybabel extract -F src/rareonco/i18n/babel.cfg -k N_ -o /tmp/messages.pot src/rareonco
    pybabel update -i /tmp/messages.pot -d src/rareonco/i18n/locale --no-fuzzy-matching
    # translate the new msgids in the ru (and uz) messages.po; tests/i18n checks ru is complete
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from babel import Locale, UnknownLocaleError
from babel import dates as _dates
from babel import numbers as _numbers
from jinja2 import Environment

from rareonco.i18n.catalogs import translations

LOCALES = ("en", "ru", "uz")
#: languages of the staff interface (the Uzbek catalogue covers the public pages only)
STAFF_LOCALES = ("en", "ru")
DEFAULT_LOCALE = "en"
LOCALE_NAMES = {"en": "English", "ru": "Русский", "uz": "Oʻzbekcha"}
LOCALE_COOKIE = "rareonco_lang"

_current: ContextVar[str] = ContextVar("rareonco_locale", default=DEFAULT_LOCALE)


def normalise(value: str | None) -> str | None:
    """`ru`, `ru-RU`, `ru_RU` -> `ru`; None when the language is not one we offer."""
    if not value:
        return None
    lang = value.strip().replace("_", "-").split("-")[0].lower()
    return lang if lang in LOCALES else None


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an Accept-Language header (RFC 9110 section 12.5.4)."""
    if not accept_language:
        return DEFAULT_LOCALE
    prefs: list[tuple[float, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        prefs.append((-weight + i * 1e-6, tag))
    for _, tag in sorted(prefs):
        if (lang := normalise(tag)) in STAFF_LOCALES:
            return lang
    return DEFAULT_LOCALE


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str | None) -> None:
    _current.set(normalise(locale) or DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Render something (a PDF, a message) in `locale`, then restore the previous one."""
    token = _current.set(normalise(locale) or DEFAULT_LOCALE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(current_locale()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ungettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def _babel_locale() -> Locale:
    try:
        return Locale.parse(current_locale())
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


def format_date(value: date | datetime | str | None, format: str = "medium") -> str:
    """A date in the current locale's format (`12 Mar 2026`, `12 мар. 2026 г.`); '' for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return _dates.format_date(value, format=format, locale=_babel_locale())


def format_datetime(value: datetime | str | None, format: str = "medium") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return _dates.format_datetime(value, format=format, locale=_babel_locale(),
                                  tzinfo=value.tzinfo)


def format_number(value: float | int | None, digits: int | None = None) -> str:
    """A number with the locale's separators (`1,234.5` / `1 234,5`); '' for None."""
    if value is None:
        return ""
    if digits is None:
        return _numbers.format_decimal(value, locale=_babel_locale())
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _numbers.format_decimal(value, format=pattern, locale=_babel_locale())


def install(env: Environment) -> None:
    """Give a Jinja2 environment `_()`, `{% trans %}` and the locale-aware filters."""
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
    env.globals.update(current_locale=current_locale, LOCALE_NAMES=LOCALE_NAMES,
                       STAFF_LOCALES=STAFF_LOCALES, LOCALES=LOCALES)
    env.filters.update(date=format_date, datetime=format_datetime, number=format_number)


__all__ = ["DEFAULT_LOCALE", "LOCALES", "LOCALE_COOKIE", "N_", "current_locale",
           "format_date", "format_datetime", "format_number", "gettext", "install",
           "negotiate", "ngettext", "normalise", "set_locale", "use_locale"]
