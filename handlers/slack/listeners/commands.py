"""Slash commands. Each acks at once, before any Slack call."""

from __future__ import annotations

from slack_bolt import App

from handlers.slack import ids


def register(app: App) -> None:
    for command in ids.SLASH_COMMANDS:
        app.command(command)(answer_not_available)


def answer_not_available(ack, command, context) -> None:
    _ = context["runtime"].translate
    ack(text=_("slack.not_available", command=command["command"]), response_type="ephemeral")
