"""Requests signed exactly as Slack signs them, and the ways a signature goes wrong.

Slack sends `X-Slack-Request-Timestamp` and `X-Slack-Signature`, the latter being
`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed with the app's signing secret.
Bodies are encoded as Slack sends them: interactive payloads as a `payload=<JSON>` form,
slash commands as plain form fields, Events API envelopes as JSON.

    signer = SlackSigner(SIGNING_SECRET)
    body, headers = signer.interactive(payloads.block_actions("claim_lead"))
    body, headers = signer.command(payloads.slash_command("/leads"), signature="stale")
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Bolt and slack-sdk refuse requests more than five minutes old; six is safely past it.
STALE_AGE_SECONDS = 6 * 60
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"

SignatureKind = Literal["valid", "missing", "wrong", "stale"]


class SlackRequest(NamedTuple):
    """A request body and its headers, ready to POST to the app."""

    body: bytes
    headers: dict[str, str]


def compute_signature(secret: str, timestamp: str | int, body: bytes) -> str:
    """Slack's `X-Slack-Signature` for `body` sent at `timestamp`."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def retry_headers(attempt: int, reason: str = "http_timeout") -> dict[str, str]:
    """The headers Slack adds when it redelivers an event the app did not ack in time."""
    return {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason}


class SlackSigner:
    """Signs bodies with one app's signing secret; `clock` gives the current Unix time."""

    def __init__(self, secret: str, *, clock: Callable[[], float] = time.time):
        self.secret = secret
        self._clock = clock

    def sign(
        self,
        body: bytes,
        *,
        content_type: str,
        signature: SignatureKind = "valid",
        extra_headers: Mapping[str, str] | None = None,
    ) -> SlackRequest:
        """Headers for `body` carrying a valid, missing, wrong or stale signature."""
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT}
        if signature != "missing":
            headers.update(self._signature_headers(body, signature))
        headers.update(extra_headers or {})
        return SlackRequest(body, headers)

    def interactive(self, payload: Mapping[str, Any], **options: Any) -> SlackRequest:
        """A block action, view submission or shortcut, as Slack posts it."""
        return self.sign(interactive_body(payload), content_type=FORM, **options)

    def command(self, fields: Mapping[str, str], **options: Any) -> SlackRequest:
        """A slash command, as Slack posts it."""
        return self.sign(form_body(fields), content_type=FORM, **options)

    def event(self, envelope: Mapping[str, Any], **options: Any) -> SlackRequest:
        """An Events API envelope (or `url_verification`), as Slack posts it."""
        return self.sign(json_body(envelope), content_type=JSON, **options)

    def _signature_headers(self, body: bytes, kind: SignatureKind) -> dict[str, str]:
        timestamp = int(self._clock())
        secret = self.secret
        if kind == "stale":
            timestamp -= STALE_AGE_SECONDS
        elif kind == "wrong":
            secret = "not-" + self.secret
        return {
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": compute_signature(secret, timestamp, body),
        }


def interactive_body(payload: Mapping[str, Any]) -> bytes:
    return form_body({"payload": json.dumps(payload, separators=(",", ":"))})


def form_body(fields: Mapping[str, str]) -> bytes:
    return urlencode(fields).encode()


def json_body(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()
