"""Who the bot is in Slack, known without asking Slack while a request waits.

Bolt's default start-up `auth.test` would make `serve` die when Slack is unreachable, taking
intake and health down with it. Instead the configured token authorises every request at
once, and the bot's ids (used to ignore its own events) come from an `auth.test` made in the
background, retried until it succeeds and refreshed now and then.
"""

from __future__ import annotations

import logging
import threading

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


class BotIdentity:
    """The cached result of `auth.test` for the configured bot token."""

    def __init__(self, client: WebClient, *, token: str):
        self._client = client
        self._token = token
        self._lock = threading.Lock()
        self._result: dict | None = None

    @property
    def known(self) -> bool:
        with self._lock:
            return self._result is not None

    @property
    def user_id(self) -> str | None:
        """The bot's own user id, once Slack has said it."""
        with self._lock:
            return (self._result or {}).get("user_id")

    def refresh(self) -> bool:
        """Ask Slack who the bot is; False (and logged) when Slack does not answer."""
        try:
            response = self._client.auth_test(token=self._token)
        except SlackApiError as error:
            logger.warning("auth.test refused: %s", error.response.get("error"))
            return False
        except OSError as error:
            logger.warning("auth.test unreachable: %s", error)
            return False
        with self._lock:
            self._result = dict(response.data)
        logger.info(
            "Slack identity: bot user %s in team %s", response["user_id"], response["team_id"]
        )
        return True

    def message_link(self, channel_id: str, ts: str) -> str | None:
        """A link to the message `ts` in `channel_id`, shaped as Slack's permalinks are, from
        the workspace URL `auth.test` gave (no Slack call per message); None until known."""
        with self._lock:
            url = (self._result or {}).get("url")
        if not url:
            return None
        return f"{url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"

    def authorize(self, enterprise_id, team_id, user_id) -> AuthorizeResult:
        """Bolt's `authorize`: the configured token, with the bot's ids once they are known."""
        with self._lock:
            known = self._result or {}
        return AuthorizeResult(
            enterprise_id=enterprise_id or known.get("enterprise_id"),
            team_id=team_id or known.get("team_id"),
            bot_token=self._token,
            bot_id=known.get("bot_id"),
            bot_user_id=known.get("user_id"),
            user_id=user_id,
        )
