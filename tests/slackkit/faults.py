"""The ways a Slack call goes wrong, on demand, and Slack's per-channel posting limit.

fake.fail_next("chat.postMessage", faults.drop_after_acting())
fake.fail_next("chat.update", faults.api_error("message_not_found"), times=2)
fake.fail_next("*", faults.server_error(), when=lambda call: call["channel"] == SALES)
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal[
    "rate_limited", "server_error", "api_error", "drop_before", "drop_after", "delay"
]
Predicate = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    retry_after: int = 1
    status: int = 500
    error: str = ""
    seconds: float = 0.0


def rate_limited(retry_after: int = 1) -> Fault:
    """HTTP 429 with `Retry-After`, body `{"ok": false, "error": "ratelimited"}`; not acted on."""
    return Fault("rate_limited", retry_after=retry_after)


def server_error(status: int = 500) -> Fault:
    """An HTTP 5xx answer; not acted on."""
    return Fault("server_error", status=status)


def api_error(error: str) -> Fault:
    """HTTP 200 with `{"ok": false, "error": error}`; not acted on."""
    return Fault("api_error", error=error)


def drop_before_acting() -> Fault:
    """The connection closes with no answer and nothing changes in Slack."""
    return Fault("drop_before")


def drop_after_acting() -> Fault:
    """Slack does the work (the message IS posted), then the connection closes unanswered."""
    return Fault("drop_after")


def delay(seconds: float) -> Fault:
    """Slack acts and answers normally, `seconds` late (a client timeout may fire first)."""
    return Fault("delay", seconds=seconds)


@dataclass
class _Rule:
    method: str
    fault: Fault
    remaining: int | None
    when: Predicate | None

    def matches(self, method: str, params: Mapping[str, Any]) -> bool:
        if self.remaining == 0 or self.method not in ("*", method):
            return False
        return self.when is None or bool(self.when(params))


class FaultPlan:
    """Faults waiting for the calls they match, first added first served."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()

    def add(
        self, method: str, fault: Fault, *, times: int | None = 1, when: Predicate | None = None
    ) -> None:
        """Apply `fault` to the next `times` calls of `method` (`"*"`: any; None: forever)."""
        with self._lock:
            self._rules.append(_Rule(method, fault, times, when))

    def take(self, method: str, params: Mapping[str, Any]) -> Fault | None:
        """The fault for this call, if one is waiting; it is used up."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, params):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule.fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()


class ChannelRateLimiter:
    """Slack's `chat.postMessage` limit: about one message a second per channel, with
    short bursts allowed. A token bucket per channel: `burst` tokens, refilled at
    `per_second`."""

    def __init__(
        self,
        *,
        per_second: float = 1.0,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, at)
        self._lock = threading.Lock()

    def retry_after(self, channel: str) -> int | None:
        """None if a message may go to `channel` now (and count it), else seconds to wait."""
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(channel, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
            if tokens >= 1:
                self._buckets[channel] = (tokens - 1, now)
                return None
            self._buckets[channel] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.per_second))
