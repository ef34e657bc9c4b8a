"""Files from `../shared` (vendor samples, Slack's manifest schema), used when present.

The project never needs `../shared` to run; tests that read it skip, naming the file, when
it is not beside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "samples"


def shared_file(relative: str) -> Path:
    """The path of `../shared/<relative>`; the calling test is skipped when it is absent."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} is not there (shared/ sits next to the repository)")
    return path


def sample_path(name: str) -> Path:
    """A vendor sample from `../shared/samples`, or a skip."""
    return shared_file(f"samples/{name}")


def sample_json(name: str) -> Any:
    """A vendor sample payload, parsed."""
    return json.loads(sample_path(name).read_text(encoding="utf-8"))
