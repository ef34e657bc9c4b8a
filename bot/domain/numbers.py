"""Numbers as people type them: in a modal's deal value, in `/sla plan`, in a setting.

One rule for every place a person types an amount, so `6.667` means the same everywhere.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

# Between digit groups: the two marks, and a space (plain, no-break or narrow no-break).
_GROUP_MARKS = re.compile("([.,\u0020\u00a0\u202f])")
_DECIMAL_MARKS = frozenset(".,")
_SUFFIXES = {"k": 1_000, "m": 1_000_000}
_AMOUNT_TEXT_MAX = 64


def is_ascii_number(text: str) -> bool:
    """`text` is one or more of the digits 0-9. (`str.isdigit` alone also takes `²`, which
    `int` refuses, and other scripts' digits, which no sender means as a number here.)"""
    return text.isascii() and text.isdigit()


def parse_amount(text: str) -> float | None:
    """A typed amount as a number, or None when it is not one.

    The rule, the same as `/sla plan`'s: digits, where a `.`, `,` or space followed by
    exactly three digits separates thousands (`6,667`, `6.667`, `7 000` are 6667 and 7000)
    and a `.` or `,` followed by any other number of digits is the decimal mark (`6667.5`,
    `6667,5`; so `6.667,50` is 6667.5). All thousands separators in a number are the same
    mark, there is at most one decimal mark, and it comes last. A `k` or `m` suffix
    multiplies by a thousand or a million (`12k`, `1.5m`). A leading `-` gives a negative
    number, which the caller refuses with its own message. Anything else (a currency sign,
    letters, `12a`) is not a number.
    """
    body = text.strip().lower()
    if not body or len(body) > _AMOUNT_TEXT_MAX:
        return None
    negative = body.startswith("-")
    if negative:
        body = body[1:].lstrip()
    multiplier = _SUFFIXES.get(body[-1:], 1)
    if multiplier != 1:
        body = body[:-1].rstrip()
    parts = _GROUP_MARKS.split(body)
    groups, marks = parts[0::2], parts[1::2]
    if not all(is_ascii_number(group) for group in groups):
        return None
    whole, fraction, thousands = groups[0], "0", None
    for position, (mark, group) in enumerate(zip(marks, groups[1:], strict=True)):
        if len(group) == 3 and thousands in (None, mark):
            thousands = mark
            whole += group
        elif mark in _DECIMAL_MARKS and mark != thousands and position == len(marks) - 1:
            fraction = group
        else:
            return None
    amount = Decimal(f"{whole}.{fraction}") * multiplier
    number = float(-amount if negative else amount) + 0.0  # no "-0.0"
    return number if math.isfinite(number) else None
