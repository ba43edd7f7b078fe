"""The first run: only `serve` and `db upgrade` create anything, and what they create is private."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    xborder = shutil.which("xborder", path=str(Path(sys.executable).parent))
    if xborder is None:
        pytest.skip("the xborder console script is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XBORDER_", "DATABASE_URL"))}
    env["HOME"] = str(tmp_path / "home")  # the default data directory lives under it
    return subprocess.run(
        [xborder, "--data-dir", str(tmp_path / "data"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def created(tmp_path: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))


def test_help_and_other_commands_create_nothing(tmp_path: Path) -> None:
    for args in (["--help"], ["vendors", "--help"], ["users", "--help"], ["db", "--help"]):
        assert run(tmp_path, *args).returncode == 0
    listed = run(tmp_path, "users", "list")
    assert listed.returncode != 0
    assert "xborder db upgrade" in listed.stderr
    for result in (listed, run(tmp_path, "tokens", "list")):
        assert "password" not in (result.stdout + result.stderr).lower()
        assert "Traceback" not in result.stderr
    assert created(tmp_path) == []


def test_db_upgrade_creates_a_private_database_and_the_first_admin(tmp_path: Path) -> None:
    upgraded = run(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "database at head" in upgraded.stdout
    assert "password:" in upgraded.stderr and "Sign in at /login" in upgraded.stderr
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "xborder.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "secret_key").stat().st_mode) == 0o600
    listed = run(tmp_path, "users", "list")
    assert listed.returncode == 0 and "admin@localhost" in listed.stdout
    again = run(tmp_path, "db", "upgrade")
    assert again.returncode == 0 and "password" not in again.stderr  # printed once only
