"""A Russian page shows no English: every label, vocabulary, date, message and refusal on the
covered pages is in Russian, rendered on the demo data for each role that can see the page.

What a page may still show in Latin letters:
- what people typed (names, places, clinical free text of the demo records): gathered from the
  demo database's free-text columns (`DATA_COLUMNS`, `DATA_KEYS`) and removed before the check;
  system-generated text stored in the database (task titles, status codes) is NOT data;
- codes: all-capital tokens, tokens with digits and identifiers (MAP, P6, HD-CAV, IIB, CC-1,
  RECIST, PDF, `ip_*`);
- text an element marks as another language (`lang="en"`: the language switch, a name in
  its original script);
- `ALLOWED`: the product's name.

Covered: the pages of the board and HIPEC features, the layout, login and the error pages
(`PAGES`). Pages of other features, to be added by their owners as they translate them:
`/` (patients), `/patients/{id}`, `/intake`, `/desk`, `/desk/inquiries/{id}`, `/cases/{id}`
(case page and its timeline), `/cases/{id}/courses`, `/cases/{id}/response`, `/cases/{id}/imaging`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from rareonco.config import Settings
from rareonco.store.db import Database

DEMO_PASSWORD = "rareonco-demo"
#: demo account of each role
ACCOUNTS = {"clinician": "demo", "coordinator": "desk", "researcher": "research",
            "admin": "admin"}

#: (role, path, expected status). DSRCT is case 2 (HIPEC procedure 1), osteosarcoma case 1;
#: meeting 4 is the one next week, 1-3 are held and signed.
PAGES: list[tuple[str, str, int]] = [
    ("anonymous", "/login", 200),
    ("clinician", "/board", 200),
    ("admin", "/board", 200),
    *(("clinician", f"/board/meetings/{m}", 200) for m in (1, 2, 3, 4)),
    ("clinician", "/cases/1/board", 200),
    ("clinician", "/cases/2/board", 200),
    ("clinician", "/cases/2/hipec", 200),
    ("clinician", "/cases/1/hipec", 200),
    ("admin", "/cases/2/hipec/1", 200),
    ("clinician", "/cases/2/hipec/1", 200),
    ("clinician", "/cases/2/hipec/1/analysis", 200),
    ("researcher", "/cases/2/hipec/1", 403),
    ("coordinator", "/board", 403),
    ("coordinator", "/cases/2/hipec", 403),
    ("clinician", "/no/such/page", 404),
    ("anonymous", "/no/such/page", 404),
    ("clinician", "/patients/abc", 422),
    ("clinician", "/board/meetings/999", 404),
]

#: free-text columns: what people typed
DATA_COLUMNS = {
    "users": ("full_name",), "patients": ("family_name", "given_names", "family_name_latin",
                                          "given_names_latin", "address"),
    "cases": ("site_detail", "stage"), "timeline_events": ("summary",), "referrals": None,
    "board_meetings": ("title", "place", "video_link"), "board_attendees": ("name",),
    "board_agenda_items": ("question", "summary"), "board_addenda": ("text",),
    "board_decisions": ("recommendations", "rationale", "dissent", "guideline", "change_note",
                        "summary"),
    "hipec_procedures": ("carrier_solution", "note"), "hipec_imports": ("filename",),
    "molecular_findings": None,
}
#: free-text keys inside JSON columns (vocabulary keys such as `morphology_en` are not data)
DATA_KEYS = {"summary", "rationale", "guideline", "opinion", "name", "detail", "surgery_type",
             "trial", "finding", "method", "question", "site_detail", "name_original", "text",
             "note", "regimen", "gene", "open_questions", "stage"}
#: snapshot entries whose `summary` the platform writes (a board summary's chemotherapy lines)
GENERATED_SUMMARIES = {"chemotherapy"}
ALLOWED = {"RareOnco", "https"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")


def _strings(value: Any, key: str | None = None) -> Iterator[str]:
    """Strings of a column value: a plain text whole, a JSON document's under `DATA_KEYS`."""
    if isinstance(value, str) and value.startswith(("{", "[")):
        with contextlib.suppress(ValueError):  # a typed text that starts with a bracket
            value = json.loads(value)
    if isinstance(value, str):
        if key is None or key in DATA_KEYS:
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if not (k == "summary" and value.get("kind") in GENERATED_SUMMARIES):
                yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key if key is not None else "")


def data_strings(db: Database) -> list[str]:
    """The typed text of the demo records, longest first (a text goes before its parts).
    Codes (`in_treatment`, `left`) are vocabulary, not data: left in."""
    out: set[str] = set()
    with db.engine.connect() as conn:
        for table, columns in DATA_COLUMNS.items():
            for row in conn.execute(text(f"SELECT * FROM {table}")).mappings():  # this module's table names
                for col, value in row.items():
                    if columns is None or col in columns:
                        for typed in _strings(value):  # a text area's lines are shown apart
                            out.update([typed, *typed.splitlines()])
    return sorted((s.strip() for s in out if len(s.strip()) >= 3
                   and not re.fullmatch(r"[a-z0-9_]+", s.strip())), key=len, reverse=True)


class VisibleText(HTMLParser):
    """The text a user sees or hears: text nodes outside scripts and styles, and the
    attributes shown or spoken (title, placeholder, aria-label, alt, an input button's value); text in an
    element marked with another language is left out."""

    VOID: ClassVar[set[str]] = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}
    SPOKEN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hidden: script/style/other language)

    def _hidden(self) -> bool:
        return any(h for _, h in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        hidden = tag in ("script", "style") or (a.get("lang") not in (None, "ru"))
        if not (hidden or self._hidden()):
            self.texts += [v for k, v in attrs if k in self.SPOKEN and v]
            if a.get("value") and tag == "input" and a.get("type") in ("submit", "button", "reset"):
                self.texts.append(a["value"] or "")
        if tag not in self.VOID:
            self._stack.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self._stack.append((tag, False))
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._hidden():
            self.texts.append(" ".join(data.split()))


def english_words(page_html: str, data: list[str]) -> list[str]:
    """The English words of a page left once the typed data and the codes are taken out."""
    parser = VisibleText()
    parser.feed(page_html)
    found = []
    for chunk in parser.texts:
        for s in data:
            if s in chunk:
                chunk = chunk.replace(s, " ")
        chunk = re.sub(r"\w*_\w*", " ", chunk)  # identifiers (`ip_*`) are codes
        for w in _WORD.findall(chunk):
            if w in ALLOWED or w.upper() == w or len(w) < 2:
                continue
            found.append(w)
    return found


def english_chunks(page_html: str, data: list[str]) -> list[str]:
    """The chunks holding them (for the failure message)."""
    parser = VisibleText()
    parser.feed(page_html)
    return [c for c in parser.texts if english_words(f"<p>{c}</p>", data)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str]]]:
    """The demo (without the imaging loader: its CT segmentation takes 15 s and the imaging
    pages are not covered here), the app, and the typed text of its records."""
    from rareonco.demo.cases import load_demo_cases
    from rareonco.demo.loader import demo_cases
    from rareonco.demo.users import ensure_demo_users
    from rareonco.features import demo_modules, import_modules
    from rareonco.store.migrate import upgrade
    from rareonco.web.app import create_app

    data_dir: Path = tmp_path_factory.mktemp("ru-pages")
    settings = Settings(data_dir=data_dir, secret_key="ru-pages")
    upgrade(settings.effective_database_url)
    db = Database(settings.effective_database_url)
    with db.session() as session:
        ensure_demo_users(session)
        load_demo_cases(session)
    for module in import_modules("demo", [m for m in demo_modules() if m != "imaging"]):
        with db.session() as session:
            module.load(session, demo_cases(session))
    yield create_app(settings, db), data_strings(db)
    db.dispose()


def russian_client(app: Any, role: str) -> TestClient:
    """A browser-like client that chose Russian (on the account too, when logged in)."""
    c = TestClient(app)
    c.headers["accept"] = "text/html"
    csrf = ""
    if role != "anonymous":
        r = c.post("/login", data={"username": ACCOUNTS[role], "password": DEMO_PASSWORD,
                                   "next": "/login"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        found = re.search(r'"X-CSRF-Token": "([^"]+)"', c.get("/").text)
        csrf = found.group(1) if found else ""
    r = c.post("/locale", data={"lang": "ru", "next": "/login", "csrf_token": csrf},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


@pytest.mark.parametrize(("role", "path", "status"), PAGES, ids=[f"{r}:{p}" for r, p, _ in PAGES])
def test_russian_page_has_no_english(demo: tuple[Any, list[str]], role: str, path: str,
                                     status: int) -> None:
    app, data = demo
    r = russian_client(app, role).get(path)
    assert (r.status_code, r.headers["content-type"].split(";")[0]) == (status, "text/html"), \
        r.text[:300]
    assert english_words(r.text, data) == [], english_chunks(r.text, data)


def test_the_check_finds_english_and_passes_data_and_codes() -> None:
    html = ('<p>Статус: <b>finished</b></p><p lang="en">English</p>'
            '<button value="save">Сохранить</button><input placeholder="search">'
            '<input type="submit" value="Send">'
            '<p>MAP × 4, HD-CAV, CC-1; Dr. Ivanov</p><script>var live = 1;</script>')
    assert english_words(html, ["Dr. Ivanov"]) == ["finished", "search", "Send"]
