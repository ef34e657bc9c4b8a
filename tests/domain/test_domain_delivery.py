"""Routing rules and the retry schedule of chat delivery, as pure rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.delivery import Failure, retry_delay
from bot.domain.routing import Route, channel_for, match_key

SALES = "C0SALES"
ROUTES = [
    Route(id=3, field="service", value="CRM setup", channel_id="C0CRM"),
    Route(id=1, field="zone", value="North", channel_id="C0NORTH"),
    Route(id=2, field="zone", value="South  East", channel_id="C0SOUTHEAST"),
]


@pytest.mark.parametrize(
    ("zone", "service", "channel"),
    [
        ("North", None, "C0NORTH"),
        ("  nORTH ", None, "C0NORTH"),  # case and surrounding spaces do not count
        ("south east", None, "C0SOUTHEAST"),  # nor do inner runs of spaces
        (None, "crm setup", "C0CRM"),
        ("North", "CRM setup", "C0NORTH"),  # both match: the lower number wins
        ("West", "Training", SALES),
        (None, None, SALES),
        ("Northern", None, SALES),  # whole values only
    ],
)
def test_a_lead_goes_to_the_first_matching_rules_channel(zone, service, channel):
    assert channel_for(zone=zone, service=service, routes=ROUTES, default=SALES) == channel


def test_match_keys_ignore_case_and_spacing_only():
    assert match_key("  Ciudad   de México ") == "ciudad de méxico"
    assert match_key("Norte") != match_key("Norte 2")


def test_transient_failures_are_retried_soon_then_less_often_up_to_five_minutes():
    delays = [retry_delay(Failure.TRANSIENT, attempts=n) for n in range(1, 12)]
    assert delays[:4] == [timedelta(seconds=s) for s in (2, 4, 8, 16)]
    assert delays == sorted(delays)
    assert max(delays) == timedelta(minutes=5)


def test_refusals_are_retried_rarely_and_never_dropped():
    delays = [retry_delay(Failure.REFUSED, attempts=n) for n in range(1, 60)]
    assert delays[0] == timedelta(minutes=10)
    assert max(delays) == timedelta(hours=6)
    assert all(delay > timedelta(0) for delay in delays)


def test_a_first_try_counts_as_one_attempt():
    assert retry_delay(Failure.TRANSIENT, attempts=0) == retry_delay(Failure.TRANSIENT, attempts=1)
