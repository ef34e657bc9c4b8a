"""Data flows one way: handlers → bot.domain → storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def imported_modules(package: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("bot/domain", ("slack_bolt", "slack_sdk", "handlers", "fastapi")),
        ("storage", ("bot", "handlers", "slack_bolt", "slack_sdk", "fastapi")),
    ],
)
def test_lower_layers_never_import_upper_ones(package, forbidden):
    offenders = {
        path: sorted(n for n in names if n.split(".")[0] in forbidden)
        for path, names in imported_modules(package).items()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_only_the_config_module_reads_the_environment():
    readers = []
    for package in ("bot", "handlers", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text()
            if "os.environ" in source or "os.getenv" in source:
                readers.append(str(path.relative_to(ROOT)))
    assert readers == ["bot/config.py"]
