"""For the scheduled jobs' tests: a clock the test moves, and a runtime as `serve` builds it
from a few settings (in the team's zone, São Paulo, unless given)."""

from __future__ import annotations

from datetime import datetime

from bot.config import load_settings
from bot.runtime import Runtime, build_runtime


class Clock:
    """`now`, as the test sets it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_runtime(database_url: str, **env: str) -> Runtime:
    settings = {"DATABASE_URL": database_url, "BOT_TIMEZONE": "America/Sao_Paulo"} | env
    return build_runtime(load_settings(settings, dotenv=False))
