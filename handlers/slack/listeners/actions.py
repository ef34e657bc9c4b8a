"""Buttons. Each acks at once; a link button needs nothing more."""

from __future__ import annotations

from slack_bolt import App

from handlers.slack import ids


def register(app: App) -> None:
    # Slack opens the profile link itself; the app only has to acknowledge the click.
    app.action(ids.ACTION_OPEN_PROFILE)(acknowledge)


def acknowledge(ack) -> None:
    ack()
