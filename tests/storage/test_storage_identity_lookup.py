"""The intake's identity lookup, as the database plans it."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from storage.queries import _IDENTITIES


def test_the_identity_lookup_searches_indexes_on_sqlite(engine, database_url):
    """With `external_id IN … OR email IN …` SQLite read every lead of the platform."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL plans by statistics; this pins SQLite's plan")
    statements: list[tuple[str, tuple]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    with engine.connect() as connection:
        event.listen(engine, "before_cursor_execute", capture)
        connection.execute(
            _IDENTITIES, {"platform": "api", "external_ids": ["a", "b"], "emails": ["x@y.co"]}
        )
        event.remove(engine, "before_cursor_execute", capture)
        statement, parameters = statements[-1]
        plan = [
            row[-1]
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
    searches = sorted(step for step in plan if step.startswith(("SEARCH", "SCAN")))
    assert len(searches) == 2, plan
    # Each half finds its rows by platform and the identity, not by platform alone.
    assert searches[0].startswith("SEARCH lead USING INDEX ix_lead_platform_email"), plan
    assert searches[0].endswith("(platform=? AND email=?)"), plan
    assert searches[1].startswith("SEARCH lead USING INDEX sqlite_autoindex_lead"), plan
    assert searches[1].endswith("(platform=? AND external_id=?)"), plan
