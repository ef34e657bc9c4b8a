"""Plain-text rendering for the command line: aligned tables, numbers, percentages."""

from __future__ import annotations

from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, figures: bool = True) -> str:
    """An aligned text table: the first column left-aligned, the others right-aligned as
    figures, or left-aligned too when `figures` is False (names, channels, errors)."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        pairs = zip(row[1:], widths[1:], strict=True)
        rest = (cell.rjust(width) if figures else cell.ljust(width) for cell, width in pairs)
        return "  ".join((first, *rest)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def percent(share: float | None) -> str:
    """0.4567 → '45.7%'; no share (nothing to divide by) → '–'."""
    return "–" if share is None else f"{share * 100:.1f}%"


def amount(value: float) -> str:
    """A money amount with thousands separators and no currency (the team knows theirs)."""
    return f"{value:,.0f}"
