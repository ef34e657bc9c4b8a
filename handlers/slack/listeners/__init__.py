"""Bolt listeners, one module per kind of request; the helpers they share."""

from __future__ import annotations

import logging

from bot.runtime import Runtime

logger = logging.getLogger(__name__)


def open_after_ack(runtime: Runtime, client, trigger_id: str, view: dict) -> None:
    """Open `view` right after the listener acks (its trigger id lasts three seconds), off
    the request thread; a failure is logged, the person can click again."""
    runtime.after_ack.submit(_open, client, trigger_id, view)


def _open(client, trigger_id: str, view: dict) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except Exception:
        logger.exception("the modal %s could not be opened", view.get("callback_id"))
