"""README's command table against the real command tree: every command the CLI has is in the
table, every command in the table exists, and each table option is one the command takes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from rareonco.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def _real_commands() -> dict[str, Any]:
    """'calc bsa' -> its click command, for every leaf command."""
    out: dict[str, Any] = {}

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
        else:
            out[" ".join(path)] = cmd

    walk(typer.main.get_command(app), ())
    return out


def _table() -> list[str]:
    block = README.read_text().split("## Command line", 1)[1].split("```", 2)[1]
    return [line.strip() for line in block.splitlines() if line.strip().startswith("rareonco ")]


def _documented(line: str, real: dict[str, Any]) -> list[str]:
    """The real commands a table line names ('rareonco calc NAME' names every calculator)."""
    words = re.split(r"\s{2,}", line)[0].split()[1:]  # the description follows two spaces
    path = []
    for w in words:
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", w):
            break
        path.append(w)
    named = " ".join(path)
    if named in real:
        return [named]
    if words[len(path):len(path) + 1] == ["NAME"]:  # a group: 'rareonco calc NAME'
        return [c for c in real if c.startswith(named + " ")]
    return []


def test_every_command_is_in_the_readme_and_every_line_is_a_command() -> None:
    real = _real_commands()
    lines = _table()
    covered: set[str] = set()
    for line in lines:
        names = _documented(line, real)
        assert names, f"README names a command the CLI does not have: {line!r}"
        covered.update(names)
    assert set(real) == covered, f"commands missing from README: {sorted(set(real) - covered)}"


def test_options_in_the_readme_are_real() -> None:
    real = _real_commands()
    for line in _table():
        names = _documented(line, real)
        if len(names) != 1:
            continue
        params = {opt for p in real[names[0]].params for opt in getattr(p, "opts", [])}
        for option in re.findall(r"(--[a-z][a-z0-9-]*)", re.split(r"\s{2,}", line)[0]):
            assert option in params, f"{names[0]}: README's {option} is not an option"
