"""Engines, sessions and schema upgrades.

SQLite is the embedded default (WAL journal, foreign keys enforced); PostgreSQL runs the same
code. The schema is owned by the Alembic migrations shipped in `storage/migrations`, which
`upgrade()` applies from any working directory.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
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
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30, "factory": QueuedWrites},
            **POOL,
        )
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, **POOL)


# Connections kept open: as many as a burst of requests uses at once (the server's thread
# pool is 40), so a burst does not open and close connections of its own, which costs far
# more than the queries (a PostgreSQL connection is a server process).
POOL = {"pool_size": 20, "max_overflow": 20}


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # In-memory databases answer "memory"; files switch to write-ahead logging.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# SQLite lets one connection write at a time. A writer that finds the file locked polls,
# sleeping 1, 2, 5… up to 100 ms between tries, so a burst of clicks in one process would
# wait in sleeps rather than in line. Connections of one process to one file therefore queue
# on a lock of their own from their first write until their commit or rollback, and are
# woken the moment the writer before them is done. (Another process still meets SQLite's
# own wait, `timeout` above.)
_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()
# Past this wait, write anyway and let SQLite's own timeout decide (a thread that writes on
# two connections at once would otherwise wait for itself).
WRITE_QUEUE_TIMEOUT = 30.0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class QueuedWrites(sqlite3.Connection):
    """A SQLite connection whose transactions that write queue on the process's lock for
    the file (see above)."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        name = str(database)
        shared = name not in ("", ":memory:") and "mode=memory" not in name
        with _WRITE_LOCKS_GUARD:
            self._write_lock = _WRITE_LOCKS.setdefault(name, threading.Lock()) if shared else None
        self._holding = False

    def cursor(self, factory=None):
        return super().cursor(factory or _QueuedCursor)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()

    def _before(self, statement: str) -> None:
        if self._write_lock is None or self._holding:
            return
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            self._holding = self._write_lock.acquire(timeout=WRITE_QUEUE_TIMEOUT)

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self._write_lock.release()


class _QueuedCursor(sqlite3.Cursor):
    def execute(self, sql, parameters=(), /):
        self.connection._before(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters, /):
        self.connection._before(sql)
        return super().executemany(sql, seq_of_parameters)


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


@contextmanager
def statement_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work whose writes are one statement: on PostgreSQL that statement commits
    by itself (autocommit), which spares the round trips of BEGIN and COMMIT around it;
    elsewhere an ordinary `session_scope`. The block must write with one statement at most
    on PostgreSQL, or its writes would not be atomic."""
    with session_scope(factory) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session
