"""The platforms' daily figures in storage: one row per key, replaced on a re-send, summed in
SQL; on SQLite and, with TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage import queries
from storage.db import downgrade, session_scope, table_names, upgrade
from storage.models import MarketingMetric

AT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
NOV_20 = date(2026, 11, 20)


def figures(day=NOV_20, channel="paid-search", impressions=1000, clicks=50, leads=5, **origin):
    return {
        "date": day,
        "channel": channel,
        "impressions": impressions,
        "clicks": clicks,
        "leads": leads,
        **origin,
    }


def stored(sessions) -> list[tuple]:
    with sessions() as session:
        statement = select(MarketingMetric).order_by(
            col(MarketingMetric.date), col(MarketingMetric.channel), col(MarketingMetric.id)
        )
        return [
            (m.date, m.channel, m.source, m.campaign, m.impressions, m.clicks, m.leads)
            for m in session.exec(statement)
        ]


def store(sessions, rows, at=AT) -> int:
    with session_scope(sessions) as session:
        return queries.store_metrics(session, rows, at)


# -- storing ---------------------------------------------------------------------------------


def test_rows_are_stored_with_their_figures(sessions):
    rows = [
        figures(source="google", campaign="black-friday"),
        figures(channel="paid-social", source="facebook", impressions=700, clicks=900, leads=2),
    ]
    assert store(sessions, rows) == 2
    assert stored(sessions) == [
        (NOV_20, "paid-search", "google", "black-friday", 1000, 50, 5),
        # More clicks than impressions is stored as the platform reported it.
        (NOV_20, "paid-social", "facebook", "", 700, 900, 2),
    ]


def test_a_resend_of_the_same_key_replaces_the_figures(sessions):
    store(sessions, [figures(source="google", campaign="bf")])
    later = AT + timedelta(hours=3)
    assert store(sessions, [figures(source="google", campaign="bf", impressions=1500)], later) == 1
    assert stored(sessions) == [(NOV_20, "paid-search", "google", "bf", 1500, 50, 5)]
    with sessions() as session:
        (row,) = session.exec(select(MarketingMetric))
    assert row.updated_at == later


def test_sending_the_same_rows_twice_changes_nothing(sessions):
    rows = [figures(), figures(day=NOV_20 + timedelta(days=1), impressions=3)]
    store(sessions, rows)
    first = stored(sessions)
    store(sessions, rows)
    assert stored(sessions) == first and len(first) == 2


def test_a_missing_source_or_campaign_is_stored_empty_and_keeps_the_key_unique(sessions):
    store(sessions, [figures(), figures(source=None, campaign=None, impressions=10)])
    store(sessions, [figures(source="", impressions=20)])
    # Same day and channel, no source or campaign: one row, the last figures.
    assert stored(sessions) == [(NOV_20, "paid-search", "", "", 20, 50, 5)]
    store(sessions, [figures(source="google", impressions=30)])
    assert [row[2:5] for row in stored(sessions)] == [("", "", 20), ("google", "", 30)]


def test_the_same_key_twice_in_one_call_keeps_the_later_row(sessions):
    assert store(sessions, [figures(impressions=1), figures(impressions=2)]) == 2
    assert [row[4] for row in stored(sessions)] == [2]


def test_nothing_to_store_stores_nothing(sessions):
    assert store(sessions, []) == 0
    assert stored(sessions) == []


def test_the_database_refuses_a_second_row_for_a_key_even_without_source(sessions):
    with session_scope(sessions) as session:
        session.add(MarketingMetric(date=NOV_20, channel="email", impressions=1, updated_at=AT))
    with pytest.raises(IntegrityError), session_scope(sessions) as session:
        session.add(MarketingMetric(date=NOV_20, channel="email", impressions=2, updated_at=AT))
    assert len(stored(sessions)) == 1


def test_the_database_refuses_negative_figures(sessions):
    with pytest.raises(IntegrityError):
        store(sessions, [figures(clicks=-1)])
    assert stored(sessions) == []


# -- summing ---------------------------------------------------------------------------------


@pytest.fixture
def november(sessions):
    """Figures on the 19th and the 21st, and a day just outside each end of 19th–21st."""
    store(
        sessions,
        [
            figures(day=date(2026, 11, 18), impressions=99_000, clicks=99, leads=99),
            figures(day=date(2026, 11, 19), impressions=1000, clicks=10, leads=1, source="google"),
            figures(day=date(2026, 11, 19), channel="email", impressions=200, clicks=20, leads=2),
            figures(
                day=date(2026, 11, 21),
                channel="paid-social",
                impressions=30,
                clicks=3,
                leads=3,
                source="facebook",
                campaign="bf",
            ),
            figures(
                day=date(2026, 11, 21),
                impressions=4,
                clicks=0,
                leads=0,
                source="google",
                campaign="bf",
            ),
            figures(day=date(2026, 11, 22), impressions=77_000, clicks=77, leads=77),
        ],
    )
    return sessions


def test_totals_sum_the_days_in_the_range_both_ends_included(november):
    with november() as session:
        totals = queries.platform_totals(
            session, first_day=date(2026, 11, 19), last_day=date(2026, 11, 21)
        )
        one_day = queries.platform_totals(
            session, first_day=date(2026, 11, 18), last_day=date(2026, 11, 18)
        )
    # Impressions, clicks, leads, and days with a row (the 20th has none).
    assert totals == (1234, 33, 6, 2)
    assert one_day == (99_000, 99, 99, 1)


def test_totals_are_none_for_days_without_figures(november):
    with november() as session:
        assert (
            queries.platform_totals(
                session, first_day=date(2026, 11, 20), last_day=date(2026, 11, 20)
            )
            is None
        )
        assert (
            queries.platform_totals(session, first_day=date(2027, 1, 1), last_day=date(2027, 1, 31))
            is None
        )


def test_totals_stay_whole_numbers_past_32_bits(sessions):
    days = [NOV_20 + timedelta(days=n) for n in range(3)]
    store(sessions, [figures(day=day, impressions=2_000_000_000) for day in days])
    with sessions() as session:
        totals = queries.platform_totals(session, first_day=days[0], last_day=days[-1])
    assert totals == (6_000_000_000, 150, 15, 3)
    assert all(type(value) is int for value in totals)


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("channel", {"paid-search": 1004, "email": 200, "paid-social": 30}),
        ("source", {"google": 1004, None: 200, "facebook": 30}),
        ("campaign", {None: 1200, "bf": 34}),
    ],
)
def test_impressions_by_dimension_put_rows_without_a_value_under_none(
    november, dimension, expected
):
    with november() as session:
        by = queries.platform_by(
            session, dimension=dimension, first_day=date(2026, 11, 19), last_day=date(2026, 11, 21)
        )
    assert by == expected
    assert all(type(value) is int for value in by.values())


def test_impressions_by_dimension_are_empty_for_days_without_figures(november):
    with november() as session:
        by = queries.platform_by(
            session, dimension="channel", first_day=date(2026, 11, 20), last_day=date(2026, 11, 20)
        )
    assert by == {}


def test_only_the_dimensions_platforms_report_can_break_figures_down(november):
    with november() as session, pytest.raises(ValueError, match="zone"):
        queries.platform_by(session, dimension="zone", first_day=NOV_20, last_day=NOV_20)


# -- the migration ---------------------------------------------------------------------------


def test_the_migration_adds_the_table_and_its_downgrade_removes_it(empty_engine):
    upgrade(empty_engine, "0010")
    assert "marketing_metric" not in table_names(empty_engine)
    upgrade(empty_engine, "0011")
    assert "marketing_metric" in table_names(empty_engine)
    inspector = inspect(empty_engine)
    unique = inspector.get_unique_constraints("marketing_metric")
    assert [c["column_names"] for c in unique] == [["date", "channel", "source", "campaign"]]
    columns = {c["name"]: c for c in inspector.get_columns("marketing_metric")}
    assert not any(columns[name]["nullable"] for name in ("source", "campaign", "impressions"))
    downgrade(empty_engine, "0010")
    assert "marketing_metric" not in table_names(empty_engine)
    assert "lead" in table_names(empty_engine)
    upgrade(empty_engine)
    assert "marketing_metric" in table_names(empty_engine)
