"""Shared set-up of the translated documents (invitation letter, board protocol): a Jinja2
environment with the i18n filters, and HTML -> PDF with WeasyPrint and DejaVu fonts (Cyrillic)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from rareonco import i18n
from rareonco.i18n import vocab

TEMPLATES = Path(__file__).parent / "templates"
CENTRE_NAME = "National Reference Centre for Rare Tumours"
CENTRE_NAME_RU = "Национальный референсный центр редких опухолей"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    i18n.install(env)
    env.globals["country_name"] = lambda code: vocab.country_name(code, i18n.current_locale())
    env.globals["centre_name"] = lambda: (CENTRE_NAME_RU if i18n.current_locale() == "ru"
                                          else CENTRE_NAME)
    return env


def render(template: str, lang: str, **context: object) -> str:
    with i18n.use_locale(lang):
        return environment().get_template(template).render(lang=lang, **context)


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf
