"""The Slack Web API client, with retries only where repeating a call is harmless.

Reads, `chat.update`, `views.update` and `views.publish` retry on connection and server
errors: doing them twice leaves Slack as doing them once. Posting new messages never retries
here (the delivery worker owns exactly-once posting), and nothing here sleeps on a 429: a
rate limit is the caller's to schedule, never a listener thread's to wait out.
"""

from __future__ import annotations

from http.client import RemoteDisconnected
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.handler import default_interval_calculator
from slack_sdk.http_retry.request import HttpRequest

SLACK_API_URL = "https://slack.com/api/"
TIMEOUT_SECONDS = 10

# Methods whose repetition changes nothing a person would see.
REPEATABLE_METHODS = frozenset(
    {
        "auth.test",
        "chat.getPermalink",
        "chat.update",
        "conversations.history",
        "conversations.info",
        "conversations.members",
        "conversations.replies",
        "users.info",
        "views.publish",
        "views.update",
    }
)


def method_of(request: HttpRequest) -> str:
    """The Web API method a request calls (`https://…/api/chat.update?x` → `chat.update`)."""
    return request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class RepeatableConnectionErrorRetry(ConnectionErrorRetryHandler):
    """Retry a repeatable call after a dropped or timed-out connection."""

    def __init__(self, max_retry_count: int = 2):
        super().__init__(
            max_retry_count=max_retry_count,
            error_types=[URLError, ConnectionResetError, RemoteDisconnected, TimeoutError],
        )

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return method_of(request) in REPEATABLE_METHODS and super()._can_retry(
            state=state, request=request, response=response, error=error
        )


class RepeatableServerErrorRetry(RetryHandler):
    """Retry a repeatable call that Slack answered with a 5xx."""

    def __init__(self, max_retry_count: int = 2):
        super().__init__(max_retry_count, default_interval_calculator)

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return (
            method_of(request) in REPEATABLE_METHODS
            and response is not None
            and response.status_code >= 500
        )


def make_web_client(*, token: str | None, base_url: str = "") -> WebClient:
    """A Web API client for `base_url` (default Slack's own) with deliberate retries."""
    return WebClient(
        token=token,
        base_url=base_url or SLACK_API_URL,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[RepeatableConnectionErrorRetry(), RepeatableServerErrorRetry()],
    )
