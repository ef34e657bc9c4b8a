"""The schema is owned by the migrations: they build it from empty and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from storage.db import downgrade, table_names, upgrade

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
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


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
