"""The funnel report against a hand-computed fixture, on SQLite and PostgreSQL: counts by
the reached-stage rule, exits, conversions, revenue, clock medians, the SLA line, the
previous period, breakdowns (local weekday and hour included) and a seller's own view."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.funnel import (
    TOP_VALUES,
    NotAllowed,
    PlatformFigures,
    breakdown_rows,
    funnel_report,
    scope_for,
    utc_offsets,
)
from bot.domain.funnel_query import parse_query, previous, resolve
from bot.domain.roles import RoleDirectory
from bot.domain.sla import Policy
from bot.domain.vocabulary import Exit, Stage
from storage import queries
from storage.db import session_scope
from storage.models import Lead

TZ = ZoneInfo("America/Sao_Paulo")  # UTC-3 all year
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
POLICY = Policy.defaults().with_changes(
    {"revenue_goal": 100_000, "average_deal_value": 6_667, "leads_per_sale": 8}
)  # 120 profiled leads a month


def local(month: int, day: int, hour: int, minute: int = 0, tz: ZoneInfo = TZ) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


@pytest.fixture
def cohort(sessions) -> dict[str, int]:
    """November's six leads and October's two; what each contributes is beside it."""
    rows = {
        # Monday 10:00, won 5,000 by U1; routing 30, response 10 business minutes.
        # Stage to stage: profiled in 20, contacted 15 after acceptance, 600 to the
        # meeting, 1,200 to the win.
        "a": Lead(name="A", created_at=local(11, 2, 10), stage="won", won_value=5000,
                  zone="North", owner_id="U1", routing_minutes=30, response_minutes=10,
                  profile_minutes=20, contact_minutes=15, qualify_minutes=600,
                  win_minutes=1200),
        # Tuesday 23:30 local, already Wednesday in UTC: qualified, then lost on price.
        "b": Lead(name="B", created_at=local(11, 3, 23, 30), stage="qualified", exit="lost",
                  exit_reason="price", zone="North", owner_id="U2"),
        # Tuesday 09:00: accepted, then back to nurture as unreachable; routing 90.
        "c": Lead(name="C", created_at=local(11, 10, 9), stage="accepted", exit="nurture",
                  exit_reason="unreachable", zone="South", owner_id="U1", routing_minutes=90),
        # Thursday 12:00: profiled, then not a fit; no zone.
        "d": Lead(name="D", created_at=local(11, 12, 12), stage="profiled", exit="rejected",
                  exit_reason="not_icp"),
        # Sunday 08:00: captured, never profiled.
        "e": Lead(name="E", created_at=local(11, 15, 8), stage="lead", zone="South"),
        # Thursday 14:00: won 1,000 straight after acceptance (no contact or meeting stamp):
        # counts as contacted and qualified too. Response 50.
        "f": Lead(name="F", created_at=local(11, 5, 14), stage="won", won_value=1000,
                  zone="South", owner_id="U2", response_minutes=50, profile_minutes=40,
                  win_minutes=300),
        # October: profiled; and accepted at 22:00 on the 31st, already November in UTC.
        "g": Lead(name="G", created_at=local(10, 20, 9), stage="profiled"),
        "h": Lead(name="H", created_at=local(10, 31, 22), stage="accepted", owner_id="U1"),
    }  # fmt: skip
    with session_scope(sessions) as session:
        session.add_all(rows.values())
        session.flush()
        return {name: lead.id for name, lead in rows.items()}


def window(text: str = "this-month"):
    return resolve(parse_query(text).period, now=NOW, tz=TZ, sla_period="month")


def report(sessions, text: str = "this-month", **options):
    current = window(text)
    with sessions() as session:
        return funnel_report(
            session, window=current, previous_window=previous(current), policy=POLICY, tz=TZ,
            **options,
        )  # fmt: skip


def test_the_months_funnel_by_the_reached_stage_rule(sessions, cohort):
    funnel = report(sessions).current
    assert [s.leads for s in funnel.stages] == [6, 5, 4, 3, 3, 2]
    assert [s.of_previous for s in funnel.stages] == [None, 5 / 6, 4 / 5, 3 / 4, 1.0, 2 / 3]
    assert [s.of_first for s in funnel.stages] == [None, 5 / 6, 4 / 6, 3 / 6, 3 / 6, 2 / 6]
    assert {e.exit: (e.leads, e.top_reasons) for e in funnel.exits} == {
        Exit.REJECTED: (1, (("not_icp", 1),)),
        Exit.LOST: (1, (("price", 1),)),
        Exit.NURTURE: (1, (("unreachable", 1),)),
    }
    assert funnel.revenue == 6000
    assert [(c.name, c.median_minutes, c.leads) for c in funnel.clocks] == [
        ("profile", 30.0, 2),  # 20 and 40
        ("routing", 60.0, 2),  # 30 and 90
        ("response", 30.0, 2),  # 10 and 50
        ("contact", 15.0, 1),
        ("qualify", 600.0, 1),
        ("win", 750.0, 2),  # 1,200 and 300
    ]


def test_the_sla_line_prorates_the_months_commitment_to_the_days_so_far(sessions, cohort):
    sla = report(sessions).sla
    # 19.5 of November's 30 days have gone by at NOW: 120 × 0.65 = 78 needed so far.
    assert (sla.profiled, sla.needed) == (5, 78)
    assert report(sessions, "last-month").sla.needed == 120  # a whole month: all of it
    assert report(sessions, "all").sla.needed is None  # beyond a year: no line


def test_the_previous_period_is_the_whole_month_before(sessions, cohort):
    funnel = report(sessions)
    assert funnel.previous_window.start == local(10, 1, 0)
    assert funnel.previous_window.end == local(11, 1, 0)
    # G and H, H created at 22:00 local on the 31st (01:00 UTC on 1 November).
    assert [s.leads for s in funnel.previous.stages] == [2, 2, 1, 0, 0, 0]
    assert funnel.previous.revenue == 0


def test_an_empty_window_and_a_one_lead_window(sessions, cohort):
    empty = report(sessions, "2026-09").current
    assert [s.leads for s in empty.stages] == [0] * 6
    assert all(s.of_previous is None for s in empty.stages)
    assert [c.median_minutes for c in empty.clocks] == [None] * 6
    one = report(sessions, "2026-11-15..2026-11-15").current  # E alone
    assert [s.leads for s in one.stages] == [1, 0, 0, 0, 0, 0]
    assert [s.of_previous for s in one.stages] == [None, 0.0, None, None, None, None]


def breakdown(sessions, by: str, text: str = "this-month", owner: str | None = None):
    with sessions() as session:
        rows = breakdown_rows(session, window=window(text), by=by, tz=TZ, owner=owner)
    return [(r.value, r.leads, r.qualified, r.won, r.revenue) for r in rows]


def test_breakdowns_by_zone_and_seller(sessions, cohort):
    assert breakdown(sessions, "zone") == [
        ("South", 3, 1, 1, 1000.0),
        ("North", 2, 2, 1, 5000.0),
        (None, 1, 0, 0, 0.0),
    ]
    assert breakdown(sessions, "seller") == [
        ("U1", 2, 1, 1, 5000.0),
        ("U2", 2, 2, 1, 1000.0),
        (None, 2, 0, 0, 0.0),  # ties: leads without a value last
    ]


def test_weekday_and_hour_are_the_teams_local_ones(sessions, cohort):
    # B was created on Tuesday 23:30 in São Paulo, Wednesday 02:30 in UTC.
    assert breakdown(sessions, "weekday") == [
        (0, 1, 1, 1, 5000.0),
        (1, 2, 1, 0, 0.0),
        (3, 2, 1, 1, 1000.0),
        (6, 1, 0, 0, 0.0),
    ]
    assert [(hour, leads) for hour, leads, *_ in breakdown(sessions, "hour")] == [
        (8, 1), (9, 1), (10, 1), (12, 1), (14, 1), (23, 1),
    ]  # fmt: skip


def test_local_hours_follow_a_daylight_saving_change(sessions):
    madrid = ZoneInfo("Europe/Madrid")  # summer time ends on 25 October 2026
    with session_scope(sessions) as session:
        session.add_all(
            [
                Lead(name="Summer", created_at=local(10, 20, 9, tz=madrid), stage="lead"),
                Lead(name="Winter", created_at=local(10, 26, 9, tz=madrid), stage="lead"),
            ]
        )
    october = resolve(parse_query("2026-10").period, now=NOW, tz=madrid, sla_period="month")
    with sessions() as session:
        rows = breakdown_rows(session, window=october, by="hour", tz=madrid)
    assert [(r.value, r.leads) for r in rows] == [(9, 2)]
    assert [minutes for _, minutes in utc_offsets(madrid, october.start, october.end)] == [120, 60]
    assert utc_offsets(madrid, october.start, october.end)[1][0] == datetime(
        2026, 10, 25, 1, 0, tzinfo=UTC
    )


def test_a_long_tail_is_folded_into_one_row(sessions):
    with session_scope(sessions) as session:
        for index in range(TOP_VALUES + 5):
            for _ in range(TOP_VALUES + 5 - index):  # zone 0 has the most leads
                session.add(Lead(name="x", created_at=local(11, 2, 10), stage="profiled",
                                 campaign=f"c{index:02d}"))  # fmt: skip
    rows = breakdown(sessions, "campaign")
    assert len(rows) == TOP_VALUES
    assert [value for value, *_ in rows[:3]] == ["c00", "c01", "c02"]
    with sessions() as session:
        last = breakdown_rows(session, window=window(), by="campaign", tz=TZ)[-1]
    assert last.folded == 6 and last.value is None
    assert last.leads == sum(range(1, 7))


def test_a_seller_sees_their_own_leads_unless_sellers_see_all(sessions, cohort):
    roles = RoleDirectory(("U1", "U2"), ("M1",), ("B1",), "C1", "C2", "C3")
    with sessions() as session:
        assert scope_for(session, user_id="U1", roles=roles, policy=POLICY) == "U1"
        see_all = POLICY.with_changes({"sellers_see_all": True})
        assert scope_for(session, user_id="U1", roles=roles, policy=see_all) is None
        assert scope_for(session, user_id="M1", roles=roles, policy=POLICY) is None
        assert scope_for(session, user_id="B1", roles=roles, policy=POLICY) is None
        with pytest.raises(NotAllowed):
            scope_for(session, user_id="U9", roles=roles, policy=POLICY)
    own = report(sessions, owner="U1").current
    assert [s.leads for s in own.stages] == [2, 2, 2, 1, 1, 1]  # A and C
    assert own.revenue == 5000
    assert own.reached(Stage.WON) == 1


def test_a_zone_ahead_of_utc_moves_late_evenings_into_the_next_day(sessions):
    tokyo = ZoneInfo("Asia/Tokyo")  # UTC+9
    with session_scope(sessions) as session:
        # Monday 20:00 UTC is Tuesday 05:00 in Tokyo; Sunday 23:59 UTC is Monday 08:59.
        session.add(Lead(name="Late", created_at=datetime(2026, 11, 2, 20, tzinfo=UTC)))
        session.add(Lead(name="Sun", created_at=datetime(2026, 11, 1, 23, 59, tzinfo=UTC)))
    november = resolve(parse_query("2026-11").period, now=NOW, tz=tokyo, sla_period="month")
    with sessions() as session:
        days = breakdown_rows(session, window=november, by="weekday", tz=tokyo)
        hours = breakdown_rows(session, window=november, by="hour", tz=tokyo)
    assert [(r.value, r.leads) for r in days] == [(0, 1), (1, 1)]
    assert [(r.value, r.leads) for r in hours] == [(5, 1), (8, 1)]


def store_figures(sessions, *rows: tuple) -> None:
    """(local day, channel, campaign, impressions, clicks, leads) as the platforms sent them."""
    with session_scope(sessions) as session:
        queries.store_metrics(
            session,
            [
                {"date": day, "channel": channel, "source": "", "campaign": campaign,
                 "impressions": shown, "clicks": clicked, "leads": counted}
                for day, channel, campaign, shown, clicked, counted in rows
            ],
            NOW,
        )  # fmt: skip


def test_the_platforms_figures_are_summed_over_the_windows_local_days(sessions, cohort):
    store_figures(
        sessions,
        (date(2026, 10, 31), "paid", "spring", 900, 30, 3),  # October: the period before
        (date(2026, 11, 1), "paid", "spring", 1000, 40, 2),
        (date(2026, 11, 1), "paid", "autumn", 500, 10, 0),
        (date(2026, 11, 20), "organic", "", 2000, 50, 4),  # today, the window's last day
        (date(2026, 11, 21), "paid", "spring", 7000, 70, 7),  # tomorrow: outside
    )
    made = report(sessions)
    assert made.current.platform == PlatformFigures(3500, 100, 6, 2)
    assert made.current.platform.per_thousand(made.current.leads) == 6 * 1000 / 3500
    assert made.previous.platform == PlatformFigures(900, 30, 3, 1)
    # A seller's own report has none: impressions are nobody's leads.
    assert report(sessions, owner="U1").current.platform is None
    assert report(sessions, text="2026-09").current.platform is None  # nothing reported


def rows_by(sessions, by: str, owner: str | None = None):
    with sessions() as session:
        return breakdown_rows(session, window=window(), by=by, tz=TZ, owner=owner)


def test_a_breakdown_by_campaign_or_channel_gives_each_values_impressions(sessions):
    with session_scope(sessions) as session:
        session.add_all(
            [Lead(name=f"L{n}", created_at=local(11, 2, 10), stage="profiled",
                  campaign="spring", channel="paid") for n in range(3)]
            + [Lead(name="N", created_at=local(11, 3, 10), stage="won", won_value=10,
                    channel="organic")]
        )  # fmt: skip
    store_figures(
        sessions,
        (date(2026, 11, 2), "paid", "spring", 1000, 40, 3),
        (date(2026, 11, 2), "paid", "autumn", 600, 10, 0),  # reached people, no lead
        (date(2026, 11, 3), "organic", "", 300, 9, 1),
    )
    rows = {row.value: (row.leads, row.impressions) for row in rows_by(sessions, "campaign")}
    assert rows == {"spring": (3, 1000), None: (1, 300), "autumn": (0, 600)}
    assert [row.value for row in rows_by(sessions, "campaign")] == ["spring", None, "autumn"]
    by_channel = {row.value: (row.leads, row.impressions) for row in rows_by(sessions, "channel")}
    assert by_channel == {"paid": (3, 1600), "organic": (1, 300)}
    assert all(row.impressions is None for row in rows_by(sessions, "zone"))
    assert all(row.impressions is None for row in rows_by(sessions, "campaign", owner="U9"))
