"""Socket Mode round trips with slack-sdk's built-in SocketModeClient (Bolt's default).

Closing that client takes about a second (its queue reader polls with a one-second
timeout), so these tests share one client each and keep to a few.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slackkit import payloads
from slackkit.workspace import APP_ID, APP_TOKEN, BOT_TOKEN, BRUNO, SALES
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect


def wait_until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


@dataclass
class AckingApp:
    """The SDK client plus what it received; commands and submissions ack with a payload."""

    client: SocketModeClient
    seen: list[tuple[str, Any]] = field(default_factory=list)  # (type, payload)

    def acknowledge(self, client: SocketModeClient, request: SocketModeRequest) -> None:
        self.seen.append((request.type, request.payload))
        answer = {"text": "Got it"} if request.accepts_response_payload else None
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id, answer))


@pytest.fixture
def app(fake_slack) -> Iterator[AckingApp]:
    client = SocketModeClient(
        app_token=APP_TOKEN,
        web_client=WebClient(base_url=fake_slack.api_url),
        auto_reconnect_enabled=False,
    )
    app = AckingApp(client)
    client.socket_mode_request_listeners.append(app.acknowledge)
    yield app
    client.close()


def test_envelopes_round_trip_through_slack_sdks_client(fake_slack, app):
    hellos = []
    app.client.on_message_listeners.append(lambda raw: hellos.append(json.loads(raw)))
    app.client.connect()

    command = payloads.slash_command("/leads", "mine")
    event = payloads.event_callback(payloads.member_joined_channel(BRUNO, SALES))
    click = payloads.block_actions("claim_lead", value="lead-42")
    command_id = fake_slack.socket.send_envelope("slash_commands", command)
    event_id = fake_slack.socket.send_envelope("events_api", event)
    click_id = fake_slack.socket.send_envelope("interactive", click)

    assert fake_slack.socket.wait_for_ack(command_id, timeout=3) == {
        "envelope_id": command_id,
        "payload": {"text": "Got it"},
    }
    assert fake_slack.socket.wait_for_ack(event_id, timeout=3) == {"envelope_id": event_id}
    assert fake_slack.socket.wait_for_ack(click_id, timeout=3) == {"envelope_id": click_id}
    assert sorted(app.seen, key=lambda seen: seen[0]) == [
        ("events_api", event),
        ("interactive", click),
        ("slash_commands", command),
    ]
    # The client hands messages to its listeners on several threads: order is not kept.
    [hello] = [message for message in hellos if message["type"] == "hello"]
    assert hello["connection_info"] == {"app_id": APP_ID}
    assert fake_slack.last_call("apps.connections.open").token == APP_TOKEN


def test_a_reconnect_request_moves_the_app_to_a_new_connection(fake_slack, app):
    app.client.connect()
    fake_slack.socket.wait_for_connection()

    fake_slack.socket.request_reconnect()
    wait_until(lambda: len(fake_slack.calls_to("apps.connections.open")) == 2)
    wait_until(lambda: fake_slack.socket.connection_count == 1)
    envelope_id = fake_slack.socket.send_envelope("slash_commands", payloads.slash_command("/x"))

    assert fake_slack.socket.wait_for_ack(envelope_id, timeout=3)["envelope_id"] == envelope_id


def test_opening_a_connection_needs_an_app_token(fake_slack):
    client = WebClient(base_url=fake_slack.api_url, retry_handlers=[])

    with pytest.raises(SlackApiError) as with_bot_token:
        client.apps_connections_open(app_token=BOT_TOKEN)
    with pytest.raises(SlackApiError) as with_unknown_token:
        client.apps_connections_open(app_token="xapp-unknown")

    assert with_bot_token.value.response["error"] == "not_allowed_token_type"
    assert with_unknown_token.value.response["error"] == "invalid_auth"


def test_a_connection_url_is_single_use(fake_slack):
    client = WebClient(base_url=fake_slack.api_url, retry_handlers=[])
    url = client.apps_connections_open(app_token=APP_TOKEN)["url"]

    with connect(url, open_timeout=3) as websocket:
        assert json.loads(websocket.recv(timeout=3))["type"] == "hello"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, open_timeout=3)

    assert refused.value.response.status_code == 401
    assert url.startswith("ws://127.0.0.1:")


def test_waiting_for_a_missing_ack_times_out(fake_slack):
    with pytest.raises(TimeoutError):
        fake_slack.socket.wait_for_ack("never-sent", timeout=0.05)
