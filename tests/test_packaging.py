"""A plain (non-editable) install carries its migrations and works from any folder.

The wheel is built offline from this checkout and installed with no dependencies into a
throwaway environment that borrows the already-installed dependencies; nothing is downloaded.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def sh(*args, cwd=None, env=None):
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_a_non_editable_install_upgrades_a_database_in_an_empty_folder(tmp_path):
    wheels = tmp_path / "wheels"
    sh(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "--quiet", "-w", str(wheels), str(ROOT),
    )  # fmt: skip
    (wheel,) = wheels.glob("smarketing_bot-*.whl")

    target = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    site = Path(sh(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
                .stdout.strip())  # fmt: skip
    # Dependencies come from the test environment; a plain path entry, so the project's own
    # editable hook there is not loaded and only the wheel provides bot/storage/handlers.
    (site / "borrowed-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    sh(
        sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
        "--no-index", "--quiet", str(wheel),
    )  # fmt: skip

    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    located = sh(str(python), "-c", "import storage; print(storage.__file__)", cwd=empty, env=env)
    assert located.stdout.startswith(str(site))
    result = sh(str(target / "bin" / "smarketing"), "db", "upgrade", cwd=empty, env=env)
    assert "Database is up to date" in result.stdout
    with sqlite3.connect(empty / "smarketing.db") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"lead", "lead_event", "alembic_version"} <= tables
