"""`smarketing serve`: the web server, Bolt, and the background work that keeps them current.

Nothing here waits on Slack before serving: the identity, the membership cache and the
Socket Mode connection are all brought up in the background and retried until Slack answers.
"""

from __future__ import annotations

import gc
import logging

import uvicorn
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import build_bolt_app, create_web_app
from bot.background import Repeater
from bot.config import Settings
from bot.runtime import build_runtime
from bot.scheduler import Scheduler, build_jobs
from handlers.slack.client import make_web_client
from handlers.slack.delivery import DeliveryWorker, worker_name
from handlers.slack.identity import BotIdentity
from handlers.slack.membership import sync_memberships
from storage.db import upgrade

logger = logging.getLogger(__name__)

IDENTITY_REFRESH_SECONDS = 3600
MEMBERSHIP_SYNC_SECONDS = 900


class BotServer:
    """Everything `serve` runs, startable and stoppable (tests run it in-process too)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.runtime = build_runtime(settings)
        self.client = make_web_client(
            token=settings.slack_bot_token, base_url=settings.slack_api_url
        )
        self.identity = BotIdentity(self.client, token=settings.slack_bot_token)
        self.bolt = build_bolt_app(
            self.runtime,
            identity=self.identity,
            client=make_web_client(token=None, base_url=settings.slack_api_url),
        )
        self.socket_mode = (
            SocketModeHandler(self.bolt, app_token=settings.slack_app_token)
            if settings.socket_mode
            else None
        )
        self.web = create_web_app(
            self.runtime,
            bolt_app=None if self.socket_mode else self.bolt,
            slack_status=lambda: "connected" if self.identity.known else "waiting",
        )
        self._tasks = [
            Repeater("slack-identity", self.identity.refresh, interval=IDENTITY_REFRESH_SECONDS),
            # Once Slack has said who the bot is: the bot is left out of every channel's members.
            Repeater(
                "membership-sync",
                lambda: (
                    self.identity.known
                    and sync_memberships(self.client, self.runtime, self.identity.user_id)
                ),
                interval=MEMBERSHIP_SYNC_SECONDS,
                first_retry=0.1,
            ),
        ]
        if self.socket_mode is not None:
            self._tasks.append(Repeater("socket-mode", self._connect_socket_mode, interval=30))
        self.delivery = DeliveryWorker(self.runtime, self.client)
        self.scheduler = Scheduler(self.runtime, build_jobs(settings), worker=worker_name())

    def start(self) -> None:
        """Bring the schema up to date, then start the background work."""
        upgrade(self.runtime.engine)
        for task in self._tasks:
            task.start()
        self.delivery.start()
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.stop()
        self.delivery.stop()
        for task in self._tasks:
            task.stop()
        if self.socket_mode is not None:
            self.socket_mode.close()
        self.runtime.engine.dispose()

    def _connect_socket_mode(self) -> bool:
        """Open the Socket Mode connection once; the client reconnects by itself afterwards."""
        client = self.socket_mode.client
        if client.is_connected():
            return True
        try:
            self.socket_mode.connect()
        except Exception as error:
            logger.warning("Socket Mode connection failed: %s", error)
            return False
        logger.info("connected to Slack with Socket Mode")
        return True


def settle_heap() -> None:
    """Once the server is built: what start-up made (modules, the app, its routes and
    tables) is set aside from the garbage collector, which otherwise walks all of it in each
    full collection; such a pause, tens of milliseconds, would land on whatever request is
    being answered."""
    gc.collect()
    gc.freeze()


class HideQueryStrings(logging.Filter):
    """Access-log lines show paths without query strings: webhook secrets travel there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            args[2] = str(args[2]).split("?", 1)[0]
            record.args = tuple(args)
        return True


def serve(settings: Settings) -> None:
    """Run until interrupted."""
    server = BotServer(settings)
    server.start()
    logging.getLogger("uvicorn.access").addFilter(HideQueryStrings())
    mode = "Socket Mode" if server.socket_mode else "HTTP (POST /slack/events)"
    logger.info("serving on http://%s:%s; Slack via %s", settings.host, settings.port, mode)
    settle_heap()
    try:
        uvicorn.run(server.web, host=settings.host, port=settings.port, log_config=None)
    finally:
        server.stop()
