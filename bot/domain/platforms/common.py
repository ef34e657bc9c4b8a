"""Small helpers every platform mapping shares: blank values, numbers, flat custom fields."""

from __future__ import annotations

import math
import unicodedata
from typing import Any


def is_blank(value: Any) -> bool:
    """None, blank text, or a list/dict holding nothing but blanks."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        items = value.values() if isinstance(value, dict) else value
        return all(is_blank(item) for item in items)
    return False


def present(**fields: Any) -> dict[str, Any]:
    """The fields that hold something (a generic-lead dict never carries blanks)."""
    return {key: value for key, value in fields.items() if not is_blank(value)}


def as_number(value: Any) -> int | float | None:
    """A finite number from a number or its text ("78", "78,5"); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip().replace(",", ".")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        parsed = float(text)
    except ValueError:
        return None
    return parsed if math.isfinite(parsed) else None


def first_present(source: dict[str, Any], *keys: str) -> tuple[str | None, Any]:
    """(key, value) of the first of `keys` that holds something in `source`."""
    for key in keys:
        if not is_blank(source.get(key)):
            return key, source[key]
    return None, None


def joined(value: Any) -> Any:
    """A list of choices (a multi-select field) as one text; anything else as it is."""
    if isinstance(value, list):
        return ", ".join(str(item).strip() for item in value if not is_blank(item))
    return value


def flatten_into(custom: dict[str, Any], key: str, value: Any) -> None:
    """Custom fields stay flat: nested objects become dotted keys, lists of texts one text."""
    if is_blank(value):
        return
    if isinstance(value, dict):
        for sub_key, sub_value in value.items():
            flatten_into(custom, f"{key}.{sub_key}", sub_value)
    elif isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        custom[key] = joined(value)
    elif isinstance(value, list):
        custom[key] = [item for item in value if not is_blank(item)]
    else:
        custom[key] = value


def fold(text: str) -> str:
    """Text without accents, case-folded, trimmed: for matching labels."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()
