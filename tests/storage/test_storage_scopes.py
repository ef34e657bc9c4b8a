"""The two units of work: `session_scope` (a transaction) and `statement_scope` (one
statement, committed by itself on PostgreSQL with no BEGIN or COMMIT around it)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from storage.db import session_scope, statement_scope
from storage.models import Lead


class Stop(Exception):
    pass


def names(sessions) -> list[str]:
    with sessions() as session:
        return list(session.scalars(text("SELECT name FROM lead ORDER BY id")))


def test_a_statement_is_visible_to_others_at_once_on_postgresql_only(sessions, engine):
    seen_inside = []
    with pytest.raises(Stop), statement_scope(sessions) as session:
        session.execute(text("INSERT INTO lead (name, platform, phone_valid, custom_fields,"
                             " stage, attempts, created_at, received_at, updated_at) VALUES"
                             " ('Quick', 'api', true, '{}', 'lead', 0, CURRENT_TIMESTAMP,"
                             " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))  # fmt: skip
        if engine.dialect.name == "postgresql":
            seen_inside.extend(names(sessions))  # another connection, while the block runs
        raise Stop  # the block fails after its statement
    if engine.dialect.name == "postgresql":
        # Autocommit: the statement was committed as it ran, before the block failed.
        assert seen_inside == ["Quick"]
        assert names(sessions) == ["Quick"]
    else:
        # An ordinary transaction: the failure rolled it back.
        assert names(sessions) == []


def test_a_session_scope_after_a_statement_scope_is_a_transaction_again(sessions):
    with statement_scope(sessions) as session:
        session.execute(text("SELECT 1"))
    with pytest.raises(Stop), session_scope(sessions) as session:
        session.add(Lead(name="Rolled back"))
        session.flush()
        raise Stop
    assert names(sessions) == []  # the pooled connection is no longer in autocommit


def test_a_pooled_connection_the_server_dropped_is_replaced_before_use(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    with engine.connect() as connection:
        first = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = create_engine(engine.url.render_as_string(hide_password=False))
    with killer.connect() as other:  # the server drops the pooled connection
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    killer.dispose()
    with engine.connect() as connection:
        again = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert again != first  # pinged at checkout, found dead, replaced: no error reaches us
