"""Shared fixtures: a fresh database per test, on SQLite always and PostgreSQL when available.

Set `TEST_DATABASE_URL` (e.g. `postgresql+psycopg://postgres@127.0.0.1:5432/test`) to run
every database test on PostgreSQL too. Each PostgreSQL test gets a schema of its own, made
before and dropped after, so runs never leak into each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from storage.db import make_engine, session_factory, upgrade

# The offline Slack test kit's fixtures: fake_slack, slack_client, slack_signer.
pytest_plugins = ["slackkit.fixtures"]

BACKENDS = ["sqlite", "postgresql"]


def _postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def pytest_collection_modifyitems(config, items) -> None:
    """A test marked `any_backend` drives the HTTP, Slack or command-line layer over queries
    that the domain and storage tests (and the concurrency tests end to end) check on both
    backends: its PostgreSQL variant would repeat them at the cost of a server start, so
    it runs on SQLite only."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        (dropped if postgres and item.get_closest_marker("any_backend") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database's URL (no schema applied yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = _postgres_url()
    if base is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_engine(database_url) -> Iterator[Engine]:
    """An engine on an empty database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine) -> Engine:
    """An engine on a database migrated to the newest schema."""
    upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def sessions(engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def bot_env(fake_slack, database_url) -> dict[str, str]:
    """Settings for a bot talking to the fake Slack and a fresh database."""
    from slackkit import workspace

    # The weekly digest's latest run two days ago, past its grace window whatever the time
    # zone: no digest joins the outbox a test watches (the digest's own tests set theirs).
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    return {
        "DIGEST_SCHEDULE": two_days_ago.strftime("%a %H:%M").lower(),
        "SLACK_BOT_TOKEN": workspace.BOT_TOKEN,
        "SLACK_SIGNING_SECRET": workspace.SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "SALES_CHANNEL_ID": workspace.SALES,
        "MARKETING_CHANNEL_ID": workspace.MARKETING,
        "MANAGERS_CHANNEL_ID": workspace.MANAGERS,
        "LEADS_API_TOKEN": "test-leads-token",
        "DATABASE_URL": database_url,
    }


@pytest.fixture
def session(sessions) -> Iterator[Session]:
    with sessions() as session:
        yield session


@dataclass(frozen=True)
class CliRun:
    """What one `smarketing` command did: its exit code and what it printed."""

    code: int
    out: str
    err: str


@pytest.fixture
def smarketing(database_url, monkeypatch, tmp_path, capsys):
    """`smarketing ARGS…` run in-process on the test's database, with no settings but
    DATABASE_URL and no `.env` to pick up."""
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("SLACK_", "BOT_", "DATABASE", "SALES_", "MARKETING_", "MANAGERS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", database_url)

    def run(*args: str) -> CliRun:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return CliRun(code, out, err)

    return run
