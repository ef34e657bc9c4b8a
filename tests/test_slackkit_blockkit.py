"""Block Kit limits: each passes at the limit and fails one past it, as a pure check and
through the fake Web API the way Slack answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slackkit.blockkit import check_message, check_view
from slackkit.workspace import SALES


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str = "x", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Claim", action_id: str = "claim") -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def message(*blocks: dict[str, Any], text: str = "fallback") -> dict[str, Any]:
    return {"text": text, "blocks": list(blocks)}


def modal(blocks=(), title: str = "Log a touch", **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain(title), "blocks": list(blocks), **extra}


# (build a payload of size n, the limit, where Slack points when it is exceeded)
MESSAGE_LIMITS = {
    "blocks in a message": (lambda n: message(*[section()] * n), 50, "/blocks"),
    "section text": (lambda n: message(section("a" * n)), 3000, "/blocks/0/text/text"),
    "fields in a section": (
        lambda n: message({"type": "section", "fields": [plain("f")] * n}),
        10,
        "/blocks/0/fields",
    ),
    "section field text": (
        lambda n: message({"type": "section", "fields": [plain("a" * n)]}),
        2000,
        "/blocks/0/fields/0/text",
    ),
    "header text": (
        lambda n: message({"type": "header", "text": plain("a" * n)}),
        150,
        "/blocks/0/text/text",
    ),
    "button text": (
        lambda n: message(actions(button("a" * n))),
        75,
        "/blocks/0/elements/0/text/text",
    ),
    "block_id": (lambda n: message(section(block_id="b" * n)), 255, "/blocks/0/block_id"),
    "action_id": (
        lambda n: message(actions(button(action_id="a" * n))),
        255,
        "/blocks/0/elements/0/action_id",
    ),
    "accessory action_id": (
        lambda n: message(section(accessory=button(action_id="a" * n))),
        255,
        "/blocks/0/accessory/action_id",
    ),
    "elements in an actions block": (
        lambda n: message(actions(*[button(action_id=f"b{i}") for i in range(n)])),
        25,
        "/blocks/0/elements",
    ),
    "message text": (lambda n: message(text="a" * n), 40_000, "/text"),
}

VIEW_LIMITS = {
    "blocks in a view": (lambda n: modal([section()] * n), 100, "/view/blocks"),
    "modal title": (lambda n: modal(title="a" * n), 24, "/view/title/text"),
    "private_metadata": (
        lambda n: modal(private_metadata="m" * n),
        3000,
        "/view/private_metadata",
    ),
    "callback_id": (lambda n: modal(callback_id="c" * n), 255, "/view/callback_id"),
}

Limit = tuple[Callable[[int], dict[str, Any]], int, str]


def expected_problem(limit: int, pointer: str) -> str:
    """Slack counts items in arrays and characters in everything else."""
    if pointer.endswith(("/blocks", "/fields", "/elements")):
        return f"no more than {limit} items allowed [json-pointer:{pointer}]"
    return f"must be less than {limit + 1} characters [json-pointer:{pointer}]"


@pytest.mark.parametrize("case", MESSAGE_LIMITS.values(), ids=MESSAGE_LIMITS.keys())
def test_message_limit_is_checked_at_the_boundary(case: Limit):
    build, limit, pointer = case

    assert check_message(build(limit)) == []
    assert check_message(build(limit + 1)) == [expected_problem(limit, pointer)]


@pytest.mark.parametrize("case", VIEW_LIMITS.values(), ids=VIEW_LIMITS.keys())
def test_view_limit_is_checked_at_the_boundary(case: Limit):
    build, limit, pointer = case

    assert check_view(build(limit)) == []
    assert check_view(build(limit + 1)) == [expected_problem(limit, pointer)]


BLOCK_LIMITS = {k: v for k, v in MESSAGE_LIMITS.items() if k != "message text"}


@pytest.mark.parametrize("case", BLOCK_LIMITS.values(), ids=BLOCK_LIMITS.keys())
def test_slack_refuses_blocks_past_a_limit_with_invalid_blocks(case: Limit, slack_client):
    build, limit, pointer = case
    slack_client.chat_postMessage(channel=SALES, **build(limit))

    with pytest.raises(SlackApiError) as raised:
        slack_client.chat_postMessage(channel=SALES, **build(limit + 1))

    answer = raised.value.response
    assert answer["error"] == "invalid_blocks"
    assert answer["errors"] == [expected_problem(limit, pointer)]
    assert answer["response_metadata"]["messages"] == [f"[ERROR] {answer['errors'][0]}"]


def test_slack_refuses_message_text_past_40000_characters(slack_client):
    slack_client.chat_postMessage(channel=SALES, text="a" * 40_000)

    with pytest.raises(SlackApiError) as raised:
        slack_client.chat_postMessage(channel=SALES, text="a" * 40_001)

    assert raised.value.response["error"] == "msg_too_long"


def test_updates_and_ephemeral_messages_are_checked_too(slack_client):
    ts = slack_client.chat_postMessage(channel=SALES, text="card")["ts"]
    too_long = [section("a" * 3001)]

    for send in (
        lambda: slack_client.chat_update(channel=SALES, ts=ts, text="x", blocks=too_long),
        lambda: slack_client.chat_postEphemeral(
            channel=SALES, user="U0ALICE", text="x", blocks=too_long
        ),
    ):
        with pytest.raises(SlackApiError) as raised:
            send()
        assert raised.value.response["error"] == "invalid_blocks"


@pytest.mark.parametrize("case", VIEW_LIMITS.values(), ids=VIEW_LIMITS.keys())
def test_slack_refuses_views_past_a_limit_with_invalid_arguments(case: Limit, slack_client):
    build, limit, pointer = case
    slack_client.views_open(trigger_id="1.1.ok", view=build(limit))

    with pytest.raises(SlackApiError) as raised:
        slack_client.views_open(trigger_id="1.1.over", view=build(limit + 1))

    answer = raised.value.response
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [
        f"[ERROR] {expected_problem(limit, pointer)}"
    ]


def test_a_home_tab_takes_up_to_100_blocks(slack_client):
    home = {"type": "home", "blocks": [section()] * 100}
    slack_client.views_publish(user_id="U0ALICE", view=home)

    with pytest.raises(SlackApiError) as raised:
        slack_client.views_publish(user_id="U0ALICE", view={**home, "blocks": [section()] * 101})

    assert raised.value.response["error"] == "invalid_arguments"


def test_an_unknown_block_type_is_named():
    assert check_message(message({"type": "carousel"})) == [
        "unsupported type: carousel [json-pointer:/blocks/0/type]"
    ]


def test_a_modal_with_inputs_needs_a_submit_button():
    entry = {
        "type": "input",
        "label": plain("Note"),
        "element": {"type": "plain_text_input", "action_id": "note"},
    }

    assert check_view(modal([entry], submit=plain("Save"))) == []
    assert check_view(modal([entry])) == [
        "must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/0/input]"
    ]


def test_a_modal_needs_a_title():
    assert check_view({"type": "modal", "blocks": []}) == [
        "missing required field: title [json-pointer:/view]"
    ]


def test_every_problem_is_reported_at_once():
    problems = check_message(
        message(section("a" * 3001), {"type": "header", "text": plain("h" * 151)})
    )

    assert [p.rsplit("[", 1)[1] for p in problems] == [
        "json-pointer:/blocks/0/text/text]",
        "json-pointer:/blocks/1/text/text]",
    ]
