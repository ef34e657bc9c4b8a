"""Which Slack calls may be repeated, and what the access log shows."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.server import HideQueryStrings
from handlers.slack.client import (
    RepeatableConnectionErrorRetry,
    RepeatableServerErrorRetry,
    make_web_client,
)


def request_for(method: str) -> HttpRequest:
    return HttpRequest(method="POST", url=f"http://127.0.0.1:9/api/{method}?x=1", headers={})


@pytest.mark.parametrize(
    ("method", "repeatable"),
    [
        ("conversations.members", True),
        ("chat.update", True),
        ("views.publish", True),
        ("chat.postMessage", False),
        ("views.open", False),
        ("files.completeUploadExternal", False),
    ],
)
def test_only_repeatable_calls_retry(method, repeatable):
    state = RetryState()
    dropped = ConnectionResetError("peer reset")
    server_error = HttpResponse(status_code=503, headers={}, data=b"")
    assert (
        RepeatableConnectionErrorRetry().can_retry(
            state=state, request=request_for(method), error=dropped
        )
        is repeatable
    )
    assert (
        RepeatableServerErrorRetry().can_retry(
            state=state, request=request_for(method), response=server_error
        )
        is repeatable
    )


def test_rate_limits_are_never_waited_out_by_the_client():
    client = make_web_client(token=None, base_url="http://127.0.0.1:9/api/")
    too_many = HttpResponse(status_code=429, headers={"Retry-After": ["30"]}, data=b"")
    assert client.base_url == "http://127.0.0.1:9/api/"
    assert not any(
        handler.can_retry(state=RetryState(), request=request_for("chat.update"), response=too_many)
        for handler in client.retry_handlers
    )


def test_access_log_lines_lose_their_query_strings():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "POST", "/leads/rdstation?token=s3cret", "1.1", 202), None,
    )  # fmt: skip
    HideQueryStrings().filter(record)
    assert "s3cret" not in record.getMessage()
    assert "/leads/rdstation" in record.getMessage()
