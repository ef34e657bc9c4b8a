"""Pytest fixtures for the Slack test kit; load with `pytest_plugins = ["slackkit.fixtures"]`.

- `fake_slack`: a running `FakeSlack` seeded with the test workspace (`slackkit.workspace`):
  bot token `xoxb-test-token`, app token `xapp-test-token`, channels C0SALES, C0MARKETING and
  C0MANAGERS, people ALICE, BRUNO and CARLA. Stopped after the test.
- `slack_client`: slack-sdk's `WebClient` on the fake with the bot token and no retries.
- `slack_signer`: signs request bodies with `workspace.SIGNING_SECRET`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from . import workspace
from .fake_slack import FakeSlack
from .signing import SlackSigner


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        workspace.populate(fake)
        yield fake


@pytest.fixture
def slack_client(fake_slack: FakeSlack) -> WebClient:
    # No retry handlers: a test sees each failure instead of the SDK quietly repeating it.
    return WebClient(
        token=workspace.BOT_TOKEN, base_url=fake_slack.api_url, retry_handlers=[], timeout=5
    )


@pytest.fixture
def slack_signer() -> SlackSigner:
    return SlackSigner(workspace.SIGNING_SECRET)
