"""Routing rules: which channel a handed-over lead's card goes to.

A rule sends the leads of one zone or one service to a channel of its own; every other
lead goes to the sales channel. Rules are read in the order they were added (by number),
and the first that matches wins. Values match without regard to case or spacing, so
`north`, `North ` and `NORTH` are one zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROUTABLE_FIELDS = ("zone", "service")


@dataclass(frozen=True)
class Route:
    """One rule: leads whose `field` is `value` go to `channel_id`."""

    id: int
    field: str
    value: str
    channel_id: str

    def matches(self, *, zone: str | None, service: str | None) -> bool:
        given = zone if self.field == "zone" else service
        return given is not None and match_key(given) == match_key(self.value)


def match_key(value: str) -> str:
    """A value as rules compare it: spaces collapsed, case folded."""
    return " ".join(value.split()).casefold()


def channel_for(
    *, zone: str | None, service: str | None, routes: Sequence[Route], default: str
) -> str:
    """The channel for a lead of this zone and service: the first matching rule's, or
    `default` (the sales channel)."""
    for route in sorted(routes, key=lambda r: r.id):
        if route.matches(zone=zone, service=service):
            return route.channel_id
    return default
