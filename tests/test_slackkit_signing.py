"""The signer against slack-sdk's own SignatureVerifier, and bodies encoded as Slack sends."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from slack_sdk.signature import Clock, SignatureVerifier
from slackkit import payloads
from slackkit.signing import STALE_AGE_SECONDS, SlackSigner, compute_signature, retry_headers
from slackkit.workspace import ALICE, BRUNO, SALES, SIGNING_SECRET, TEAM_ID

NOW = 1_700_000_000


@pytest.fixture
def signer() -> SlackSigner:
    return SlackSigner(SIGNING_SECRET, clock=lambda: NOW)


@pytest.fixture
def verifier() -> SignatureVerifier:
    return SignatureVerifier(SIGNING_SECRET, clock=FixedClock(NOW))


class FixedClock(Clock):
    def __init__(self, now: float):
        self._now = now

    def now(self) -> float:
        return self._now


def test_the_signature_matches_slacks_published_example():
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
        b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )

    assert compute_signature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body) == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


SIGNED_KINDS = {
    "interactive": lambda s, **kw: s.interactive(payloads.block_actions("claim_lead"), **kw),
    "command": lambda s, **kw: s.command(payloads.slash_command("/leads"), **kw),
    "event": lambda s, **kw: s.event(payloads.event_callback(payloads.app_home_opened()), **kw),
}


@pytest.mark.parametrize("sign", SIGNED_KINDS.values(), ids=SIGNED_KINDS.keys())
def test_a_valid_signature_passes_slack_sdks_verifier(sign, signer, verifier):
    body, headers = sign(signer)

    assert verifier.is_valid_request(body, headers)
    assert headers["X-Slack-Request-Timestamp"] == str(NOW)


@pytest.mark.parametrize("kind", ["wrong", "stale", "missing"])
@pytest.mark.parametrize("sign", SIGNED_KINDS.values(), ids=SIGNED_KINDS.keys())
def test_a_bad_signature_is_refused_by_slack_sdks_verifier(sign, kind, signer, verifier):
    body, headers = sign(signer, signature=kind)

    assert not verifier.is_valid_request(body, headers)


def test_a_stale_request_is_correctly_signed_but_six_minutes_old(signer, verifier):
    body, headers = signer.command(payloads.slash_command("/leads"), signature="stale")

    timestamp = int(headers["X-Slack-Request-Timestamp"])
    assert timestamp == NOW - STALE_AGE_SECONDS
    assert headers["X-Slack-Signature"] == compute_signature(SIGNING_SECRET, timestamp, body)
    assert not verifier.is_valid_request(body, headers)


def test_a_missing_signature_sends_neither_header(signer):
    _, headers = signer.event(payloads.url_verification(), signature="missing")

    assert "X-Slack-Signature" not in headers
    assert "X-Slack-Request-Timestamp" not in headers


def test_the_default_clock_signs_requests_valid_now(slack_signer):
    body, headers = slack_signer.command(payloads.slash_command("/leads"))

    assert SignatureVerifier(SIGNING_SECRET).is_valid_request(body, headers)


def test_retry_headers_ride_along_with_the_signature(signer, verifier):
    body, headers = signer.event(
        payloads.event_callback(payloads.app_home_opened(), event_id="Ev1"),
        extra_headers=retry_headers(1),
    )

    assert headers["X-Slack-Retry-Num"] == "1"
    assert headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert verifier.is_valid_request(body, headers)


# -- bodies as Slack encodes them -----------------------------------------------------------


def test_interactive_payloads_travel_as_a_payload_form_field(signer):
    payload = payloads.block_actions("claim_lead", value="lead-42", user_id=BRUNO)

    body, headers = signer.interactive(payload)

    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert json.loads(parse_qs(body.decode())["payload"][0]) == payload


def test_slash_commands_travel_as_form_fields(signer):
    fields = payloads.slash_command("/leads", "mine this week")

    body, headers = signer.command(fields)

    decoded = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert decoded == fields
    assert decoded["text"] == "mine this week"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_events_travel_as_json(signer):
    envelope = payloads.event_callback(payloads.member_joined_channel(BRUNO, SALES))

    body, headers = signer.event(envelope)

    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == envelope


# -- payload shapes -------------------------------------------------------------------------


def test_a_button_click_carries_what_listeners_read():
    payload = payloads.block_actions("claim_lead", value="lead-42", user_id=ALICE)

    assert payload["type"] == "block_actions"
    assert payload["actions"][0]["action_id"] == "claim_lead"
    assert payload["actions"][0]["value"] == "lead-42"
    assert payload["user"]["id"] == ALICE
    assert payload["channel"]["id"] == SALES
    assert payload["container"]["message_ts"] == payload["message"]["ts"]
    assert payload["trigger_id"]
    assert payload["response_url"].startswith("https://hooks.slack.com/actions/")


def test_a_button_click_in_a_view_has_a_view_container():
    view = {"id": "V0HOME", "type": "home", "blocks": []}

    payload = payloads.block_actions("open_lead", view=view)

    assert payload["container"] == {"type": "view", "view_id": view["id"]}
    assert "channel" not in payload


def test_a_view_submission_carries_state_and_metadata():
    payload = payloads.view_submission(
        "log_touch",
        values={"note": {"note": payloads.text_input("Called, no answer")}},
        private_metadata='{"lead_id": 42}',
    )

    view = payload["view"]
    assert (view["callback_id"], view["private_metadata"]) == ("log_touch", '{"lead_id": 42}')
    assert view["state"]["values"]["note"]["note"]["value"] == "Called, no answer"


def test_events_have_unique_ids_unless_given():
    first = payloads.event_callback(payloads.member_left_channel(BRUNO))
    second = payloads.event_callback(payloads.member_left_channel(BRUNO))
    retried = payloads.event_callback(payloads.member_left_channel(BRUNO), event_id="Ev1")

    assert first["event_id"] != second["event_id"]
    assert retried["event_id"] == "Ev1"
    assert (first["team_id"], first["type"]) == (TEAM_ID, "event_callback")
    assert first["event"]["type"] == "member_left_channel"
