"""Builds the Bolt app and the web server from the runtime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from bot.runtime import Runtime
from handlers.intake.generic import intake_router
from handlers.intake.generic import openapi_schemas as intake_schemas
from handlers.intake.metrics import metrics_router
from handlers.intake.metrics import openapi_schemas as metrics_schemas
from handlers.intake.platforms import platform_router
from handlers.intake.writer import IntakeWriter
from handlers.slack.http import slack_events_router
from handlers.slack.identity import BotIdentity
from handlers.slack.listeners import actions, commands, errors, events, views
from handlers.slack.middleware import attach_identity, attach_runtime, skip_repeated_events
from storage import queries
from storage.db import database_reachable
from storage.types import utcnow


class _TokenFromEnvironmentIsExpected(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our token-less client wins; it should."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_TokenFromEnvironmentIsExpected())


def build_bolt_app(runtime: Runtime, *, identity: BotIdentity, client: WebClient) -> App:
    """The Bolt app: authorised from the cached identity, listeners registered.

    `client` carries no token (each request gets the bot token from `authorize`); its base
    URL and retry handlers are inherited by every listener's client.
    """
    settings = runtime.settings

    # Bolt passes arguments by the names it reads off the function, so not a bound method.
    def authorize(enterprise_id, team_id, user_id):
        return identity.authorize(enterprise_id, team_id, user_id)

    app = App(
        name="smarketing",
        client=client,
        authorize=authorize,
        signing_secret=settings.slack_signing_secret,
        # A Socket Mode connection is authenticated by the app token; HTTP requests are not.
        request_verification_enabled=not settings.socket_mode,
        # Listeners run on the request thread and answer when they return: they decide in
        # the database, ack, and leave every Slack call to the outbox or to
        # `runtime.after_ack`, so nothing they wait on calls Slack. (Bolt's other mode
        # polls for the ack every 10 ms.)
        process_before_response=True,
    )
    app.use(attach_runtime(runtime))
    app.use(attach_identity(identity))
    app.use(skip_repeated_events(runtime))
    for listeners in (commands, actions, views, events, errors):
        listeners.register(app)
    return app


def create_web_app(
    runtime: Runtime, *, bolt_app: App | None, slack_status=lambda: "unknown"
) -> FastAPI:
    """The one HTTP server: Slack requests (HTTP mode), intake and health."""
    writer = IntakeWriter(runtime.engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        writer.close()  # uvicorn has answered every request by now

    web = FastAPI(
        title="Smarketing Bot",
        description="Lead intake and Slack endpoint of Smarketing Bot.",
        version="0.1.0",
        lifespan=lifespan,
    )
    web.state.runtime = runtime
    web.state.intake_writer = writer
    if bolt_app is not None:
        web.include_router(slack_events_router(bolt_app))
    web.include_router(intake_router())
    web.include_router(platform_router())
    web.include_router(metrics_router())
    _document_request_models(web, intake_schemas() | metrics_schemas())

    @web.get("/healthz", tags=["health"], summary="Liveness, database and delivery backlog")
    async def healthz() -> JSONResponse:
        backlog = await run_in_threadpool(_outbox_backlog, runtime)
        database_ok = backlog is not None
        content = {
            "status": "ok" if database_ok else "unavailable",
            "database": "ok" if database_ok else "unreachable",
            "slack": slack_status(),
        }
        if backlog is not None:
            content["outbox"] = backlog
        return JSONResponse(status_code=200 if database_ok else 503, content=content)

    return web


def _outbox_backlog(runtime: Runtime) -> dict | None:
    """What waits for delivery (None when the database cannot be reached)."""
    if not database_reachable(runtime.engine):
        return None
    try:
        with runtime.sessions() as session:
            backlog = queries.outbox_backlog(session)
    except SQLAlchemyError:
        return None
    oldest = backlog["oldest"]
    return {
        "pending": backlog["pending"],
        "failing": backlog["failing"],
        "oldest_seconds": round((utcnow() - oldest).total_seconds()) if oldest else 0,
    }


def _document_request_models(web: FastAPI, schemas: dict) -> None:
    """Routes that read their own body (to authenticate first) list its models here."""
    default_openapi = web.openapi

    def openapi() -> dict:
        if web.openapi_schema is None:
            document = default_openapi()
            document.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
        return web.openapi_schema

    web.openapi = openapi
