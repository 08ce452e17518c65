"""The foundation commands run as a user runs them: the installed `rareonco` script, in a
child process, on a fresh SQLite database in a temporary data folder."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

RAREONCO = str(Path(sys.executable).with_name("rareonco"))


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RAREONCO_DATA_DIR=str(tmp_path),
               RAREONCO_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
               RAREONCO_NEW_PASSWORD="a-long-password", COLUMNS="200")
    return subprocess.run([RAREONCO, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


@pytest.mark.parametrize(("command", "says"), [
    (["serve"], "web app"), (["db", "upgrade"], "migrate"), (["demo", "load"], "demo"),
    (["demo", "synth"], "synthetic"), (["user", "add"], "user account"),
    (["audit", "verify"], "hash chain"),
])
def test_every_command_has_help(tmp_path: Path, command: list[str], says: str) -> None:
    out = _run(tmp_path, *command, "--help")
    assert out.returncode == 0, out.stderr
    assert says in out.stdout.lower()


def test_upgrade_synth_users_and_a_tampered_audit_log(tmp_path: Path) -> None:
    assert _run(tmp_path, "db", "upgrade").returncode == 0
    out = _run(tmp_path, "demo", "synth", "--patients", "40", "--seed", "5")
    assert out.returncode == 0, out.stderr
    assert "added 40 synthetic patients" in out.stdout
    db = sqlite3.connect(tmp_path / "cli.sqlite3")
    assert db.execute("SELECT count(*) FROM patients").fetchone() == (40,)
    assert db.execute("SELECT count(*) FROM cases").fetchone() == (40,)
    (latest,) = db.execute("SELECT max(event_date) FROM timeline_events").fetchone()
    assert latest <= date.today().isoformat()
    # every case's timeline starts with its referral and its last move is its status
    for case_id, status in db.execute("SELECT id, status FROM cases"):
        kinds = db.execute("SELECT kind, payload FROM timeline_events WHERE case_id = ? "
                           "ORDER BY event_date, id", (case_id,)).fetchall()
        assert kinds[0][0] == "referral"
        moves = [p for k, p in kinds if k == "status_change"]
        assert (not moves and status == "referral_received") or f'"to": "{status}"' in moves[-1]

    bad = _run(tmp_path, "user", "add", "nurse", "--role", "surgeon")
    assert bad.returncode == 2 and "role" in bad.stderr
    good = _run(tmp_path, "user", "add", "nurse", "--role", "clinician")
    assert good.returncode == 0 and "created user nurse (clinician)" in good.stdout

    ok = _run(tmp_path, "audit", "verify")
    assert ok.returncode == 0 and "intact" in ok.stdout
    # an attacker with file access drops the append-only trigger and edits an entry
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 1")
    db.commit()
    broken = _run(tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert "broken at entry 1" in broken.stdout


def test_synth_refuses_a_bad_count(tmp_path: Path) -> None:
    out = _run(tmp_path, "demo", "synth", "--patients", "0")
    assert out.returncode == 2
    assert "--patients" in out.stderr
