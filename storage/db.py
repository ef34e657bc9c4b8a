"""Engines, sessions and schema upgrades.

SQLite is the embedded default (WAL journal, foreign keys enforced); PostgreSQL runs the same
code. The schema is owned by the Alembic migrations shipped in `storage/migrations`, which
`upgrade()` applies from any working directory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from storage.models import LeadEvent

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the per-backend settings the bot relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # In-memory databases answer "memory"; files switch to write-ahead logging.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(bind: Engine | Connection) -> sessionmaker[Session]:
    """Sessions that keep loaded values readable after commit."""
    return sessionmaker(bind, class_=Session, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to `engine`, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (used by the migration tests)."""
    command.downgrade(alembic_config(engine), revision)


def table_names(engine: Engine) -> set[str]:
    """The tables present in the database."""
    return set(inspect(engine).get_table_names())


@event.listens_for(Session, "before_flush")
def _keep_events_append_only(session: Session, _context, _instances) -> None:
    """The event log is history: rows are added, never changed or removed."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, LeadEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("lead events are append-only; add a new event instead")


def database_reachable(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        logger.warning("database unreachable", exc_info=True)
        return False
    return True
