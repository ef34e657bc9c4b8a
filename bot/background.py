"""A small repeating background task: run now, then again and again until stopped.

Used for work that must never block start-up or a request: fetching the bot's identity,
syncing channel membership, keeping Socket Mode connected. A failed run is retried sooner,
backing off up to the normal interval.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Repeater:
    """Calls `task` (which returns True on success) every `interval` seconds in a thread."""

    def __init__(
        self,
        name: str,
        task: Callable[[], bool],
        *,
        interval: float,
        first_retry: float = 1.0,
    ):
        self.name = name
        self._task = task
        self._interval = interval
        self._first_retry = min(first_retry, interval)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = self._first_retry
        while not self._stop.is_set():
            try:
                succeeded = self._task()
            except Exception:
                logger.exception("background task %s failed", self.name)
                succeeded = False
            if succeeded:
                delay = self._first_retry
                wait = self._interval
            else:
                wait, delay = delay, min(delay * 2, self._interval)
            self._stop.wait(wait)
