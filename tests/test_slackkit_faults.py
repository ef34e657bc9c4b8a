"""Fault injection and Slack's posting rate limit, seen through slack-sdk's real WebClient."""

from __future__ import annotations

import time
from http.client import RemoteDisconnected

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slackkit import faults
from slackkit.fake_slack import FakeSlack
from slackkit.workspace import BOT_TOKEN, MARKETING, SALES, populate


def post(client: WebClient, channel: str = SALES, text: str = "New lead"):
    return client.chat_postMessage(channel=channel, text=text)


def test_rate_limited_answers_429_with_retry_after_and_posts_nothing(fake_slack, slack_client):
    fake_slack.fail_next("chat.postMessage", faults.rate_limited(retry_after=7))

    with pytest.raises(SlackApiError) as raised:
        post(slack_client)

    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["Retry-After"] == "7"
    assert fake_slack.messages(SALES) == []


def test_server_error_answers_5xx_and_posts_nothing(fake_slack, slack_client):
    fake_slack.fail_next("chat.postMessage", faults.server_error(503))

    with pytest.raises(SlackApiError) as raised:
        post(slack_client)

    assert raised.value.response.status_code == 503
    assert fake_slack.messages(SALES) == []


def test_api_error_answers_ok_false_with_the_given_error(fake_slack, slack_client):
    fake_slack.fail_next("chat.postMessage", faults.api_error("channel_not_found"))

    with pytest.raises(SlackApiError) as raised:
        post(slack_client)

    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "channel_not_found"
    assert fake_slack.messages(SALES) == []


def test_drop_before_acting_closes_unanswered_and_posts_nothing(fake_slack, slack_client):
    fake_slack.fail_next("chat.postMessage", faults.drop_before_acting())

    with pytest.raises(RemoteDisconnected):
        post(slack_client)

    assert fake_slack.messages(SALES) == []
    assert fake_slack.last_call("chat.postMessage").status is None


def test_drop_after_acting_posts_but_the_client_hears_nothing(fake_slack, slack_client):
    fake_slack.fail_next("chat.postMessage", faults.drop_after_acting())

    with pytest.raises(RemoteDisconnected):
        post(slack_client, text="Lead card")

    assert [m.text for m in fake_slack.messages(SALES)] == ["Lead card"]
    call = fake_slack.last_call("chat.postMessage")
    assert (call.fault, call.status) == ("drop_after", None)


def test_drop_after_acting_duplicates_with_the_sdks_connection_retry(fake_slack):
    """Why delivery needs its own exactly-once guard: the SDK's default connection-error
    retry (here without its one-second wait) repeats a post Slack had already made."""
    quick_retry = ConnectionErrorRetryHandler(
        interval_calculator=FixedValueRetryIntervalCalculator(0.01)
    )
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url, retry_handlers=[quick_retry])
    fake_slack.fail_next("chat.postMessage", faults.drop_after_acting())

    post(client, text="Lead card")

    assert [m.text for m in fake_slack.messages(SALES)] == ["Lead card", "Lead card"]


def test_delay_answers_late_but_acts(fake_slack, slack_client):
    fake_slack.fail_next("chat.postMessage", faults.delay(0.2))

    started = time.monotonic()
    post(slack_client)

    assert time.monotonic() - started >= 0.2
    assert len(fake_slack.messages(SALES)) == 1


def test_a_delay_past_the_client_timeout_still_posts(fake_slack):
    impatient = WebClient(
        token=BOT_TOKEN, base_url=fake_slack.api_url, retry_handlers=[], timeout=0.1
    )
    fake_slack.fail_next("chat.postMessage", faults.delay(0.3))

    with pytest.raises(TimeoutError):
        post(impatient)

    deadline = time.monotonic() + 2
    while not fake_slack.messages(SALES) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(fake_slack.messages(SALES)) == 1


def test_a_fault_lasts_for_its_number_of_calls(fake_slack, slack_client):
    fake_slack.fail_next("chat.postMessage", faults.api_error("fatal_error"), times=2)

    outcomes = []
    for _ in range(3):
        try:
            post(slack_client)
            outcomes.append("ok")
        except SlackApiError as error:
            outcomes.append(error.response["error"])

    assert outcomes == ["fatal_error", "fatal_error", "ok"]


def test_a_fault_can_target_calls_by_their_parameters(fake_slack, slack_client):
    fake_slack.fail_next(
        "*", faults.api_error("is_archived"), times=None, when=lambda p: p["channel"] == SALES
    )

    with pytest.raises(SlackApiError):
        post(slack_client, channel=SALES)
    post(slack_client, channel=MARKETING)

    assert fake_slack.messages(SALES) == []
    assert len(fake_slack.messages(MARKETING)) == 1


def test_cleared_faults_no_longer_fire(fake_slack, slack_client):
    fake_slack.fail_next("chat.postMessage", faults.server_error(), times=None)
    fake_slack.clear_faults()

    assert post(slack_client)["ok"] is True


def test_a_fault_for_one_method_leaves_others_alone(fake_slack, slack_client):
    fake_slack.fail_next("chat.update", faults.server_error())

    assert post(slack_client)["ok"] is True


def test_a_refused_token_is_answered_before_any_fault(fake_slack):
    fake_slack.fail_next("chat.postMessage", faults.drop_after_acting())
    stranger = WebClient(token="xoxb-wrong", base_url=fake_slack.api_url, retry_handlers=[])

    with pytest.raises(SlackApiError) as raised:
        post(stranger)

    assert raised.value.response["error"] == "invalid_auth"


# -- Slack's per-channel posting limit ------------------------------------------------------


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def limited_slack(clock):
    with FakeSlack(clock=clock) as fake:
        populate(fake)
        fake.rate_limit_messages(per_second=1.0, burst=3)
        yield fake


@pytest.fixture
def limited_client(limited_slack):
    return WebClient(token=BOT_TOKEN, base_url=limited_slack.api_url, retry_handlers=[])


def test_a_burst_passes_then_the_channel_is_rate_limited(limited_slack, limited_client):
    for index in range(3):
        post(limited_client, text=f"lead {index}")

    with pytest.raises(SlackApiError) as raised:
        post(limited_client, text="one too many")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert [m.text for m in limited_slack.messages(SALES)] == ["lead 0", "lead 1", "lead 2"]


def test_another_channel_has_its_own_allowance(limited_slack, limited_client):
    for _ in range(3):
        post(limited_client, channel=SALES)
    with pytest.raises(SlackApiError):
        post(limited_client, channel=SALES)

    assert post(limited_client, channel=MARKETING)["ok"] is True


def test_the_allowance_refills_at_one_message_a_second(limited_client, clock):
    for _ in range(3):
        post(limited_client)
    with pytest.raises(SlackApiError):
        post(limited_client)

    clock.advance(1.0)
    assert post(limited_client)["ok"] is True
    with pytest.raises(SlackApiError):
        post(limited_client)


def test_rate_limiting_is_off_by_default_and_can_be_switched_off(fake_slack, slack_client):
    for _ in range(5):
        post(slack_client)

    fake_slack.rate_limit_messages(burst=1)
    post(slack_client)
    with pytest.raises(SlackApiError):
        post(slack_client)
    fake_slack.rate_limit_messages(enabled=False)

    assert post(slack_client)["ok"] is True
