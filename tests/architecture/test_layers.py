"""The floors of docs/ARCHITECTURE.md, checked by reading every module's imports (AST).

A module may import only from its own layer and the layers this table allows. Imports inside
functions count too: hiding an import in a function does not move it to another floor.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "rareonco"

FOUNDATION = {"errors", "config", "features", "heap", "example_data"}
PURE = {"clinical", "regimens", "hipec", "calc", "imaging", "identity", "outcomes"}
#: layer -> the rareonco layers it may import (its own included)
ALLOWED: dict[str, set[str]] = {
    "foundation": FOUNDATION,
    "pure": FOUNDATION | PURE,
    "i18n": FOUNDATION | {"i18n"},
    "reports": FOUNDATION | PURE | {"i18n", "reports"},
    "store": FOUNDATION | {"store"},
    "security": FOUNDATION | {"store", "security", "i18n"},
    "records": FOUNDATION | PURE | {"i18n", "reports", "store", "security", "records"},
    "demo": FOUNDATION | PURE | {"i18n", "reports", "store", "security", "records", "demo"},
    "web": FOUNDATION | PURE | {"i18n", "reports", "store", "security", "records", "web"},
    "cli": FOUNDATION | PURE | {"i18n", "reports", "store", "security", "records", "demo",
                                "web", "cli"},
}
#: third-party packages that mean web, storage or documents: never in the pure domain
NOT_PURE = {"fastapi", "starlette", "sqlalchemy", "alembic", "psycopg", "jinja2",
            "weasyprint", "httpx", "uvicorn", "typer", "rich"}
#: pure packages that read or write files, each with the modules that may (the edges)
FILE_EDGES = {"imaging": {"dicom_io", "nifti_io", "ct_io", "mesh"},
              "hipec": {"logfile"}, "regimens": {"library"}, "clinical": {"codes"}}


def layer_of(parts: tuple[str, ...]) -> str:
    top = parts[0]
    if top in FOUNDATION or top in {"__init__", "__main__"}:
        return "foundation" if top in FOUNDATION else "cli"
    if top in PURE:
        return "pure"
    return top


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.parts[:2] == ("store", "migrations"):
            continue  # migrations are frozen copies and import nothing of the package
        out.append((".".join(rel.parts), path))
    return out


def imported(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package ("x.__init__" too)
                base = module.split(".")[: -node.level]
                target = ".".join(base + ([node.module] if node.module else []))
                names.append((node.lineno, f"rareonco.{target}"))
            elif node.module:
                names.append((node.lineno, node.module))
    return names


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_module_imports_only_what_its_layer_allows(module: str, path: Path) -> None:
    layer = layer_of(tuple(module.split(".")))
    assert layer in ALLOWED, f"{module}: layer {layer!r} is not in ARCHITECTURE.md's table"
    wrong = []
    for line, name in imported(path, module):
        top, _, rest = name.partition(".")
        if top == "rareonco" and rest:
            target = layer_of(tuple(rest.split(".")))
            if target not in ALLOWED[layer] and rest.split(".")[0] not in ALLOWED[layer]:
                wrong.append(f"line {line}: {name} ({layer} may not import {target})")
        elif layer == "pure" and top in NOT_PURE:
            wrong.append(f"line {line}: {name} (the pure domain imports no web/storage/documents)")
    assert not wrong, f"{module}:\n" + "\n".join(wrong)


def test_no_two_modules_share_a_name_that_means_two_things() -> None:
    """A module name used in two places must be a feature's name (one feature, one word in each
    layer) or one of the few generic names every feature folder has."""
    from rareonco.features import FEATURES

    features = {f.name for f in FEATURES}
    generic = {"__init__", "schemas", "service"}
    seen: dict[str, list[str]] = {}
    for module, _ in modules():
        seen.setdefault(module.rsplit(".", 1)[-1], []).append(module)
    clashes = {name: where for name, where in seen.items()
               if len(where) > 1 and name not in features | generic}
    assert not clashes, clashes
