"""The schema is owned by the migrations: they build it from empty and match the models."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import SAWarning
from sqlalchemy.schema import CreateIndex
from sqlmodel import SQLModel

from storage.db import downgrade, table_names, upgrade
from storage.models import BREAKDOWN_INDEXES, Lead

# SQLAlchemy cannot reflect an index on an expression from SQLite, so the comparison skips
# it (and says so); it is compared by the statement SQLite keeps for it instead.
SKIPPED_EXPRESSION_INDEX = (
    "Skipped unsupported reflection|autogenerate skipping metadata-specified expression-based"
)

TABLES = {
    "lead",
    "lead_event",
    "person",
    "channel_member",
    "sent_message",
    "processed_event",
    "outbox",
    "routing_rule",
    "sla_alert",
    "rotation_slot",
    "contest",
    "job_run",
    "scheduler_lease",
    "sla_policy",
    "marketing_metric",
    "review_meeting",
    "agenda_item",
}


def test_migrations_build_the_schema_from_empty(empty_engine):
    assert table_names(empty_engine) == set()
    upgrade(empty_engine)
    assert table_names(empty_engine) == TABLES | {"alembic_version"}


def test_the_migrated_schema_matches_the_models(engine):
    backend = engine.dialect.name

    def on_this_backend(item, _name, kind, reflected, _compare_to) -> bool:
        """Indexes the models make on one backend only (`ddl_if`) are not on the others."""
        only = getattr(item, "_ddl_if", None)
        if kind != "index" or reflected or only is None or only.dialect is None:
            return True
        return backend in ((only.dialect,) if isinstance(only.dialect, str) else only.dialect)

    with engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", SKIPPED_EXPRESSION_INDEX, SAWarning)
        warnings.filterwarnings("ignore", SKIPPED_EXPRESSION_INDEX, UserWarning)
        options = {"compare_type": True, "include_object": on_this_backend}
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def index_names(engine) -> set[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            found = connection.execute(text("SELECT name FROM sqlite_master WHERE type='index'"))
            return set(found.scalars())
        return {index["name"] for index in inspect(connection).get_indexes("lead")}


def test_the_hour_index_is_made_as_the_models_say_on_sqlite_only(engine):
    [index] = [i for i in Lead.__table__.indexes if i.name == "ix_lead_by_utc_hour"]
    if engine.dialect.name != "sqlite":
        assert index.name not in index_names(engine)
        return
    with engine.connect() as connection:
        made = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": index.name}
        ).scalar_one()
    expected = str(CreateIndex(index).compile(dialect=engine.dialect)).strip()
    assert " ".join(made.split()) == " ".join(expected.split())


def test_the_breakdown_indexes_are_made_on_sqlite_only(engine):
    names = index_names(engine)
    breakdown = {name for name in names if name.startswith("ix_lead_by_")}
    assert "ix_lead_outcome" in names
    if engine.dialect.name == "sqlite":
        expected = {f"ix_lead_by_{name}" for name in BREAKDOWN_INDEXES} | {"ix_lead_by_utc_hour"}
        assert breakdown == expected
    else:
        assert breakdown == set()


def test_upgrading_twice_changes_nothing_and_downgrade_empties(engine):
    upgrade(engine)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version is not None
    downgrade(engine, "base")
    assert table_names(engine) == {"alembic_version"}


def test_sqlite_files_use_write_ahead_logging_and_foreign_keys(tmp_path):
    from storage.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
