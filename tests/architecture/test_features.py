"""The feature list (`rareonco.features`) against the files on disk and docs/ARCHITECTURE.md."""

from __future__ import annotations

import re
from pathlib import Path

from rareonco import features
from rareonco.features import FEATURES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "rareonco"


def _modules(folder: str, skip: set[str]) -> set[str]:
    return {p.stem for p in (PACKAGE / folder).glob("*.py")} - {"__init__"} - skip


def test_every_table_module_is_listed() -> None:
    assert set(features.table_modules()) == _modules("store/tables", set())


def test_every_api_and_page_module_is_listed() -> None:
    assert set(features.api_modules()) == _modules("web/api", set())
    assert set(features.page_modules()) == _modules("web/pages", {"render", "forms"})


def test_every_service_folder_is_a_feature() -> None:
    folders = {p.name for p in (PACKAGE / "records").iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == {f.services for f in FEATURES if f.services}


def test_every_demo_loader_is_listed() -> None:
    loaders = {p.stem for p in (PACKAGE / "demo").glob("*.py")
               if re.search(r"^def load\(", p.read_text(), re.M)}
    assert loaders == set(features.demo_modules())


def test_every_listed_module_imports_and_has_what_it_should() -> None:
    features.import_tables()
    for module in features.import_modules("web.api", features.api_modules()):
        assert hasattr(module, "router"), module.__name__
    for module in features.import_modules("web.pages", features.page_modules()):
        assert hasattr(module, "router"), module.__name__
    for module in features.import_modules("demo", features.demo_modules()):
        assert callable(module.load), module.__name__


def test_timeline_kinds_are_declared_once() -> None:
    declared = [k for f in FEATURES for k in f.timeline_kinds]
    assert len(declared) == len(set(declared)) == len(features.TIMELINE_KINDS)


def test_architecture_page_table_matches_the_list() -> None:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    block = text.split("<!-- features:begin")[1].split("<!-- features:end -->")[0]
    rows = [line for line in block.splitlines() if line.startswith("| ") and "---" not in line][1:]
    documented = [[c.strip() for c in row.strip("|").split("|")] for row in rows]

    def cell(items: tuple[str, ...] | str | None, fmt: str = "{}") -> str:
        if not items:
            return "-"
        items = (items,) if isinstance(items, str) else items
        return ", ".join(fmt.format(i) for i in items)

    expected = [[f.name, cell(f.tables), cell(f.services, "records/{}/"), cell(f.api),
                 cell(f.pages), cell(f.demo)] for f in FEATURES]
    assert documented == expected
