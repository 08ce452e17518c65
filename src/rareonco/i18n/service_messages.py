"""Service messages in the user's language.

The services raise errors with English messages (they are also the API's and the log's words);
a page shows them translated. A message is looked up whole in the catalogues first; a
`<field>: <reason>` message shows the field by its label and its reason translated; then the
templates its caller knows (a feature's `MESSAGES`, `%(name)s` placeholders: the template is
translated and the values put back, dates in the locale's format) and the common checks'; then
the platform's own messages (`role 'x' may not y`, `<record> <id> not found`). What matches none
keeps its English words after the status's sentence (`for_page`), so the user always reads a
sentence in their language first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from rareonco.i18n import N_, current_locale, format_date, gettext
from rareonco.i18n.labels import FIELD_LABELS, HTTP_STATUSES, PERMISSIONS, RECORD_KINDS

_MAY_NOT = re.compile(r"role '(?P<role>\w+)' may not (?P<permission>[\w.]+)")
_NOT_FOUND = re.compile(r"(?P<kind>[A-Za-z ]+?) (?P<id>\S+) not found")
_FIELD = re.compile(r"(?P<field>[\w.\[\]]+): (?P<reason>.+)", re.S)

MESSAGES = (
    N_("Your role (%(role)s) may not %(action)s."),
    N_("Not found: %(kind)s %(id)s."),
)
#: the reasons of the pure layer's common checks (`clinical/_checks.py`): every caller knows them
COMMON_TEMPLATES = (
    N_("must be within %(low)s-%(high)s %(unit)s, got %(value)s"),
    N_("must be within %(low)s-%(high)s, got %(value)s"),
    N_("must be a whole number %(low)s-%(high)s, got %(value)s"),
    N_("must be a number (%(unit)s), got %(value)s"),
    N_("must be a number, got %(value)s"),
    N_("must be finite, got %(value)s"),
    N_("must be one of %(options)s; got %(value)s"),
)


def status_sentence(status_code: int) -> str:
    """What a status means for the user (`404` -> "Page not found.")."""
    return gettext(HTTP_STATUSES.get(status_code, HTTP_STATUSES[400]))


@lru_cache(maxsize=256)
def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(regex, re.S)


def _value(text: str) -> str:
    """A value put back into a translated template: an ISO date in the locale's format, a
    catalogued word (a status, a specialty) translated; anything else as it is."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return format_date(date.fromisoformat(text))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?:[+-]\d{2}:\d{2})?", text):
        return f"{format_date(date.fromisoformat(text[:10]))}, {text[11:16]}"
    words = [w.strip() for w in text.split(",")]
    return ", ".join(gettext(w.replace("_", " ")) if re.fullmatch(r"[a-z_ ]+", w) else w
                     for w in words)


#: unit suffixes of field names, as the form labels write them (`height_cm` -> "Height, cm")
_UNIT_SUFFIXES = (("_mg_m2", "mg/m²"), ("_l_min", "L/min"), ("_cm", "cm"), ("_kg", "kg"),
                  ("_ml", "ml"), ("_min", "min"), ("_mg", "mg"))


def field_label(field: str) -> str:
    """A form field's name as its label shows it (`rationale` -> "Обоснование", `height_cm` ->
    "Рост, см"), if the catalogues know the label; the name otherwise. For a nested field
    (`drugs.0.dose_mg_m2`) the innermost name that has a label."""
    for base in reversed([p for p in field.split(".") if not p.isdigit()]):
        if base in FIELD_LABELS:
            return gettext(FIELD_LABELS[base])
        words = base
        candidates = []
        for suffix, unit in _UNIT_SUFFIXES:
            if base.endswith(suffix):
                words = base.removesuffix(suffix)
                candidates.append(f"{words.replace('_', ' ').capitalize()}, {unit}")
                break
        candidates += [base.replace("_", " ").capitalize(), base.replace("_", " ")]
        for candidate in candidates:
            if (done := gettext(candidate)) != candidate:
                return done
    return field


def translate(message: str, status_code: int = 400, templates: Iterable[str] = ()) -> str:
    """`message` in the current locale (see the module's docstring)."""
    message = message.strip()
    if (done := gettext(message)) != message:
        return done
    if m := _FIELD.fullmatch(message):
        reason = translate(m.group("reason"), status_code, templates)
        if reason != m.group("reason"):
            return f"{field_label(m.group('field'))}: {reason}"
    for template in (*templates, *COMMON_TEMPLATES):
        if m := _template_pattern(template).fullmatch(message):
            return gettext(template) % {k: _value(v) for k, v in m.groupdict().items()}
    if m := _MAY_NOT.fullmatch(message):
        role, action = m.group("role"), PERMISSIONS.get(m.group("permission"), m.group("permission"))
        return gettext(MESSAGES[0]) % {"role": gettext(role), "action": gettext(action)}
    if (m := _NOT_FOUND.fullmatch(message)) and m.group("kind") in RECORD_KINDS:
        return gettext(MESSAGES[1]) % {"kind": gettext(RECORD_KINDS[m.group("kind")]),
                                       "id": m.group("id")}
    if status_code == 404 and message in ("Not Found", "Not found"):
        return status_sentence(404)
    return message


def for_page(message: str, status_code: int, templates: Iterable[str] = ()) -> str:
    """The sentence an error page shows: the translated message, or, when the message has no
    translation, the status's sentence with the message after it."""
    done = translate(message, status_code, templates)
    if done != message or current_locale() == "en":
        return done  # translated, or the interface is English anyway
    return f"{status_sentence(status_code)} ({message})"


#: pydantic error types -> the reason a form shows (`%(limit)s` from the error's context)
PYDANTIC_REASONS = {
    "missing": N_("required"),
    "string_too_short": N_("too short (at least %(min_length)s characters)"),
    "string_too_long": N_("too long (at most %(max_length)s characters)"),
    "too_short": N_("too few items (at least %(min_length)s)"),
    "too_long": N_("too many items (at most %(max_length)s)"),
    "int_parsing": N_("not a whole number"),
    "int_type": N_("not a whole number"),
    "int_from_float": N_("not a whole number"),
    "float_parsing": N_("not a number"),
    "float_type": N_("not a number"),
    "decimal_parsing": N_("not a number"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "greater_than": N_("must be more than %(gt)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "less_than": N_("must be less than %(lt)s"),
    "date_parsing": N_("not a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("not a date (YYYY-MM-DD)"),
    "date_type": N_("not a date (YYYY-MM-DD)"),
    "datetime_parsing": N_("not a date and time"),
    "datetime_from_date_parsing": N_("not a date and time"),
    "bool_parsing": N_("not yes or no"),
    "literal_error": N_("not one of the allowed values"),
    "enum": N_("not one of the allowed values"),
    "string_pattern_mismatch": N_("not in the expected format"),
    "url_parsing": N_("not a web address"),
    "extra_forbidden": N_("not expected here"),
}


def pydantic_reason(error: dict[str, Any], templates: Iterable[str] = ()) -> str:
    """The reason of one pydantic error (`ValidationError.errors()` item) in the current
    locale: by its type; a `value_error` raised by a validator is looked up in the catalogues
    (its English words otherwise)."""
    kind = str(error.get("type", ""))
    if kind in PYDANTIC_REASONS:
        ctx = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, int | float | str)}
        try:
            return gettext(PYDANTIC_REASONS[kind]) % ctx
        except (KeyError, TypeError):
            return gettext(PYDANTIC_REASONS[kind]).split(" (")[0].split(" %")[0]
    msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return translate(msg, 422, templates)
