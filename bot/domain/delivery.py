"""When a delivery that did not go through is tried again.

Chat delivery never gives up on a lead: a failure only moves its next try later. A failure
that may pass by itself (Slack down, a timeout) is retried soon, then less and less often;
one that will not (the channel is gone, the bot is not in it) is retried rarely, so it is
kept and reported without hammering Slack, and goes out once someone fixes the cause.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

TRANSIENT_FIRST = timedelta(seconds=2)
TRANSIENT_MOST = timedelta(minutes=5)
REFUSED_FIRST = timedelta(minutes=10)
REFUSED_MOST = timedelta(hours=6)


class Failure(StrEnum):
    # Slack may pass it by itself: server errors, timeouts, dropped connections.
    TRANSIENT = "transient"
    # Slack said no for a reason that needs a person: channel_not_found, not_in_channel…
    REFUSED = "refused"


def retry_delay(failure: Failure, *, attempts: int) -> timedelta:
    """How long to wait before the next try, after `attempts` tries (1 or more)."""
    first, most = (
        (TRANSIENT_FIRST, TRANSIENT_MOST)
        if failure is Failure.TRANSIENT
        else (REFUSED_FIRST, REFUSED_MOST)
    )
    doublings = min(max(attempts, 1) - 1, 20)
    return min(first * (2**doublings), most)
