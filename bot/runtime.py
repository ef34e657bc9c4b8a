"""What every listener and route needs, built once from the settings.

A `Runtime` travels in the Bolt context (`context["runtime"]`) and in the web app's state;
database sessions are opened from `runtime.sessions` inside the call that needs them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.config import Settings
from bot.domain.claim import ClaimLane
from bot.domain.roles import RoleDirectory
from bot.i18n import Translator
from storage.db import make_engine, session_factory


class Bell:
    """Rung after a transaction queues something for delivery, so a worker in this process
    looks at the outbox at once instead of at its next turn."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def ring(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    translate: Translator
    roles: RoleDirectory
    # Claim clicks that arrive together are decided together (see `ClaimLane`).
    claims: ClaimLane
    outbox_bell: Bell = field(default_factory=Bell)
    # Where a listener sends Slack calls that can wait until after its ack.
    after_ack: Executor = field(
        default_factory=lambda: ThreadPoolExecutor(4, thread_name_prefix="after-ack")
    )
    # People who opened the bot's App Home since this process started: theirs is refreshed
    # after their own actions (anyone else's is drawn fresh when they open it).
    home_viewers: set[str] = field(default_factory=set)


def build_runtime(settings: Settings) -> Runtime:
    """Open the database engine and gather the per-team pieces."""
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    roles = RoleDirectory(
        sellers=settings.seller_user_ids,
        marketers=settings.marketer_user_ids,
        managers=settings.manager_user_ids,
        sales_channel=settings.sales_channel_id,
        marketing_channel=settings.marketing_channel_id,
        managers_channel=settings.managers_channel_id,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        translate=Translator(settings.bot_locale),
        roles=roles,
        claims=ClaimLane(sessions, roles),
    )
