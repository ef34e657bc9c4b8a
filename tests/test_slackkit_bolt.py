"""The kit under a real Bolt app: signed payloads route to listeners, listeners reach the
fake Web API, and Bolt's SocketModeHandler runs against the fake Socket Mode endpoint."""

from __future__ import annotations

import json
import time

import pytest
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slackkit import payloads
from slackkit.signing import SlackRequest
from slackkit.workspace import ALICE, APP_TOKEN, BOT_TOKEN, BRUNO, SALES, SIGNING_SECRET


@pytest.fixture
def app(fake_slack) -> App:
    # process_before_response: listeners finish before dispatch returns, so tests need no waits.
    return App(
        client=WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url, retry_handlers=[]),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
    )


def dispatch(app: App, request: SlackRequest) -> BoltResponse:
    return app.dispatch(BoltRequest(body=request.body.decode(), headers=request.headers))


def test_a_signed_click_reaches_its_listener_which_updates_the_card(
    app, fake_slack, slack_client, slack_signer
):
    card = slack_client.chat_postMessage(channel=SALES, text="Lead 42: unclaimed")

    @app.action("claim_lead")
    def claim(ack, body, client):
        ack()
        client.chat_update(
            channel=body["channel"]["id"],
            ts=body["container"]["message_ts"],
            text=f"Lead {body['actions'][0]['value']}: claimed by <@{body['user']['id']}>",
        )

    click = payloads.block_actions(
        "claim_lead", value="42", user_id=ALICE, message=card["message"], channel_id=SALES
    )
    response = dispatch(app, slack_signer.interactive(click))

    assert response.status == 200
    assert fake_slack.message(SALES, card["ts"]).text == f"Lead 42: claimed by <@{ALICE}>"


@pytest.mark.parametrize("signature", ["wrong", "stale", "missing"])
def test_a_badly_signed_click_is_refused_before_any_listener(app, slack_signer, signature):
    ran = []
    app.action("claim_lead")(lambda ack: ran.append(ack()))

    response = dispatch(
        app, slack_signer.interactive(payloads.block_actions("claim_lead"), signature=signature)
    )

    assert response.status == 401
    assert ran == []


def test_a_slash_command_is_answered_in_its_ack(app, slack_signer):
    @app.command("/leads")
    def leads(ack, command):
        ack(f"Leads for <@{command['user_id']}>: {command['text']}")

    response = dispatch(app, slack_signer.command(payloads.slash_command("/leads", "this week")))

    assert response.status == 200
    assert response.body == f"Leads for <@{ALICE}>: this week"  # Bolt sends text-only acks as text


def test_a_view_submission_reaches_its_listener_with_state_and_metadata(app, slack_signer):
    received = {}

    @app.view("log_touch")
    def log_touch(ack, view):
        received["note"] = view["state"]["values"]["note"]["note"]["value"]
        received["lead"] = json.loads(view["private_metadata"])["lead_id"]
        ack()

    submission = payloads.view_submission(
        "log_touch",
        values={"note": {"note": payloads.text_input("Called")}},
        private_metadata='{"lead_id": 42}',
    )
    response = dispatch(app, slack_signer.interactive(submission))

    assert response.status == 200
    assert received == {"note": "Called", "lead": 42}


def test_a_member_joining_gets_a_welcome(app, fake_slack, slack_signer):
    @app.event("member_joined_channel")
    def welcome(event, client):
        client.chat_postMessage(channel=event["channel"], text=f"Welcome <@{event['user']}>")

    envelope = payloads.event_callback(payloads.member_joined_channel(BRUNO, SALES))
    response = dispatch(app, slack_signer.event(envelope))

    assert response.status == 200
    assert [m.text for m in fake_slack.messages(SALES)] == [f"Welcome <@{BRUNO}>"]


def test_bolt_answers_url_verification_with_the_challenge(app, slack_signer):
    response = dispatch(app, slack_signer.event(payloads.url_verification("abc123")))

    assert response.status == 200
    assert json.loads(response.body) == {"challenge": "abc123"}


def test_bolts_socket_mode_handler_runs_against_the_fake(fake_slack):
    app = App(client=WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url, retry_handlers=[]))

    @app.command("/leads")
    def leads(ack, command, client):
        ack("On it")
        client.chat_postMessage(channel=command["channel_id"], text="Your leads: none")

    handler = SocketModeHandler(app, APP_TOKEN)
    handler.connect()
    try:
        envelope_id = fake_slack.socket.send_envelope(
            "slash_commands", payloads.slash_command("/leads")
        )
        ack = fake_slack.socket.wait_for_ack(envelope_id, timeout=3)
        deadline = time.monotonic() + 3
        while not fake_slack.messages(SALES) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        handler.close()

    assert ack["payload"]["text"] == "On it"
    assert [m.text for m in fake_slack.messages(SALES)] == ["Your leads: none"]
