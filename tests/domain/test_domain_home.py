"""The App Home's figures against a hand-built set of leads: who sees what, the week's counts
in the team's time zone, a seller's open leads, and the contests still open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import home, roles
from bot.domain.home import CardPlace, week_start
from bot.domain.roles import RoleDirectory
from bot.domain.vocabulary import Exit, Stage
from storage.db import session_scope
from storage.models import CARD_MESSAGE, THREAD_MESSAGE, Contest, Lead, LeadEvent, SentMessage

SAO_PAULO = ZoneInfo("America/Sao_Paulo")  # UTC-3 all year
# Wednesday 25 November 2026, 12:00 in São Paulo; the week began Monday 23rd, 00:00 there,
# which is 03:00 UTC.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
LAST_WEEK = NOW - timedelta(days=7)
SALES, MKT, MGR = "C0SALES", "C0MKT", "C0MGR"
ALICE, DIEGO, BRUNO, CARLA, ZED = "U0ALICE", "U0DIEGO", "U0BRUNO", "U0CARLA", "U0ZED"
ROLES = RoleDirectory((ALICE,), (BRUNO,), (CARLA,), SALES, MKT, MGR)


def add_leads(sessions, *leads: Lead) -> list[int]:
    with session_scope(sessions) as session:
        session.add_all(leads)
        session.flush()
        return [lead.id for lead in leads]


def add_card(sessions, lead_id: int, ts: str, *, kind: str = CARD_MESSAGE) -> None:
    with session_scope(sessions) as session:
        session.add(SentMessage(lead_id=lead_id, kind=kind, channel_id=SALES, ts=ts))


def closed(name: str, exit_: Exit, reason: str, at: datetime, **fields) -> Lead:
    """A lead handed over before the week, that left the funnel at `at`."""
    return Lead(
        name=name,
        stage=fields.pop("stage", "accepted"),
        profiled_at=LAST_WEEK,
        exit=exit_,
        exit_reason=reason,
        exited_at=at,
        **fields,
    )


def figures(sessions, now=NOW, tz=SAO_PAULO) -> home.WeekFigures:
    with sessions() as session:
        return home.week_figures(session, now=now, tz=tz)


# -- the week ---------------------------------------------------------------------------------


def test_the_week_starts_monday_midnight_in_the_teams_time_zone():
    assert week_start(NOW, SAO_PAULO) == MONDAY
    assert week_start(NOW, SAO_PAULO).tzinfo == SAO_PAULO
    # Monday 01:00 UTC is still Sunday 22:00 in São Paulo: the week is the one before.
    assert week_start(MONDAY - timedelta(hours=2), SAO_PAULO) == MONDAY - timedelta(days=7)
    # In UTC the same instant is already in the new week.
    assert week_start(MONDAY - timedelta(hours=2), ZoneInfo("UTC")) == datetime(
        2026, 11, 23, tzinfo=UTC
    )


def test_a_hand_over_sunday_2330_local_is_last_week_and_monday_0030_this_week(sessions):
    sunday_night = MONDAY - timedelta(minutes=30)  # Monday 02:30 UTC
    monday_early = MONDAY + timedelta(minutes=30)
    add_leads(
        sessions,
        Lead(name="Sunday", stage="profiled", profiled_at=sunday_night),
        Lead(name="Monday", stage="profiled", profiled_at=monday_early),
    )

    assert figures(sessions).handed_over == 1
    # Read in UTC, Sunday 23:30 in São Paulo is already Monday: both count.
    assert figures(sessions, tz=ZoneInfo("UTC")).handed_over == 2


def test_the_weeks_figures_count_this_week_only_until_now(sessions):
    this_week = MONDAY + timedelta(days=1)
    add_leads(
        sessions,
        # Handed over this week; one accepted, one still waiting.
        Lead(name="New", stage="profiled", profiled_at=this_week),
        Lead(
            name="Taken",
            stage="accepted",
            profiled_at=this_week,
            accepted_at=this_week,
            owner_id=ALICE,
        ),
        # Handed over last week, accepted and won this week.
        Lead(
            name="Won now",
            stage="won",
            profiled_at=LAST_WEEK,
            accepted_at=this_week,
            won_at=this_week,
            won_value=5000.5,
            owner_id=ALICE,
        ),
        # Last week's leads, whatever became of them then, do not count.
        Lead(
            name="Won before",
            stage="won",
            profiled_at=LAST_WEEK,
            accepted_at=LAST_WEEK,
            won_at=LAST_WEEK,
            won_value=9999,
        ),
        # Stamped after `now` (a clock ahead somewhere): not this week yet.
        Lead(name="Later", stage="profiled", profiled_at=NOW + timedelta(hours=1)),
        closed("R1", Exit.REJECTED, "not_icp", this_week),
        closed("R2", Exit.REJECTED, "not_icp", this_week),
        closed("R3", Exit.REJECTED, "not_icp", this_week),
        closed("R4", Exit.REJECTED, "wrong_region", this_week),
        closed("R5", Exit.REJECTED, "wrong_region", this_week),
        closed("R6", Exit.REJECTED, "spam_test", this_week),
        closed("R7", Exit.REJECTED, "duplicate", this_week),
        closed("R old", Exit.REJECTED, "not_icp", LAST_WEEK),
        closed("R sunday", Exit.REJECTED, "spam_test", MONDAY - timedelta(minutes=30)),
        closed("L1", Exit.LOST, "price", this_week),
        closed("L old", Exit.LOST, "price", LAST_WEEK),
        closed("N1", Exit.NURTURE, "not_ready", this_week),
        closed("N2", Exit.NURTURE, "needs_education", NOW - timedelta(minutes=1)),
    )

    week = figures(sessions)

    assert (week.since, week.until, week.timezone) == (MONDAY, NOW, "America/Sao_Paulo")
    assert (week.handed_over, week.accepted, week.won, week.revenue) == (2, 2, 1, 5000.5)
    assert (week.rejected, week.lost, week.nurture) == (7, 1, 2)
    # The most frequent first; a tie goes to the code that sorts first.
    assert week.top_rejection_reasons == (("not_icp", 3), ("wrong_region", 2), ("duplicate", 1))


def test_an_empty_week_is_all_zeros(sessions):
    add_leads(sessions, closed("Old", Exit.LOST, "price", LAST_WEEK))

    week = figures(sessions)

    assert (week.handed_over, week.accepted, week.won, week.revenue) == (0, 0, 0, 0.0)
    assert (week.rejected, week.lost, week.nurture, week.top_rejection_reasons) == (0, 0, 0, ())


# -- a seller's open leads --------------------------------------------------------------------


@pytest.fixture
def alices_leads(sessions) -> dict[str, int]:
    leads = {
        "three days": Lead(
            name="Three days",
            company="Tres SA",
            stage="accepted",
            owner_id=ALICE,
            profiled_at=NOW - timedelta(days=3),
        ),
        "five days": Lead(
            name="Five days", stage="contacted", owner_id=ALICE, profiled_at=NOW - timedelta(days=5)
        ),
        # Never handed over (taken straight from intake): its creation stands in.
        "created four days ago": Lead(
            name="Created four days ago",
            stage="qualified",
            owner_id=ALICE,
            created_at=NOW - timedelta(days=4),
        ),
        "lost": closed("Lost", Exit.LOST, "price", NOW - timedelta(hours=1), owner_id=ALICE),
        "won": Lead(name="Won", stage="won", owner_id=ALICE, profiled_at=NOW - timedelta(days=9)),
        "diego's": Lead(
            name="Diego's", stage="accepted", owner_id=DIEGO, profiled_at=NOW - timedelta(days=9)
        ),
    }
    return dict(zip(leads, add_leads(sessions, *leads.values()), strict=True))


def test_a_seller_sees_the_open_leads_they_own_oldest_hand_off_first(sessions, alices_leads):
    add_card(sessions, alices_leads["five days"], "1700000000.000100")
    add_card(sessions, alices_leads["five days"], "1700000000.000200")  # posted again
    add_card(sessions, alices_leads["five days"], "1700000000.000300", kind=THREAD_MESSAGE)

    with sessions() as session:
        mine = home.seller_leads(session, user_id=ALICE)

    assert mine.total == 3
    assert [item.lead.name for item in mine.leads] == [
        "Five days",
        "Created four days ago",
        "Three days",
    ]
    five, four, three = mine.leads
    assert (five.stage, five.handed_over_at) == (Stage.CONTACTED, NOW - timedelta(days=5))
    assert four.handed_over_at == NOW - timedelta(days=4)
    assert (three.lead.id, three.lead.company) == (alices_leads["three days"], "Tres SA")
    # The newest card, not a thread reply; a lead without a card has no place.
    assert five.lead.card == CardPlace(SALES, "1700000000.000200")
    assert three.lead.card is None


def test_a_long_list_is_cut_and_counted(sessions, alices_leads):
    with sessions() as session:
        mine = home.seller_leads(session, user_id=ALICE, limit=2)

    assert [item.lead.name for item in mine.leads] == ["Five days", "Created four days ago"]
    assert mine.total == 3


# -- who sees what ----------------------------------------------------------------------------


def home_of(sessions, user_id: str) -> home.Home:
    with sessions() as session:
        return home.home_for(session, user_id=user_id, roles=ROLES, now=NOW, tz=SAO_PAULO)


def test_each_role_gets_its_parts(sessions, alices_leads):
    seller = home_of(sessions, ALICE)
    assert seller.seller is not None and seller.seller.total == 3
    assert (seller.week, seller.contests) == (None, None)

    for watcher in (BRUNO, CARLA):
        watching = home_of(sessions, watcher)
        assert watching.seller is None
        assert watching.week is not None and watching.week.lost == 1
        assert watching.contests == home.ContestList(contests=(), total=0)

    nobody = home_of(sessions, ZED)
    assert nobody == home.Home()
    assert not nobody.has_role


def test_owning_an_open_lead_makes_a_seller_and_roles_add_up(sessions, alices_leads):
    # Diego is on no list, but a lead is his to work.
    diego = home_of(sessions, DIEGO)
    assert diego.seller is not None and [i.lead.name for i in diego.seller.leads] == ["Diego's"]
    assert diego.week is None

    both = RoleDirectory((ALICE, CARLA), (BRUNO,), (CARLA,), SALES, MKT, MGR)
    with sessions() as session:
        carla = home.home_for(session, user_id=CARLA, roles=both, now=NOW, tz=SAO_PAULO)
    assert carla.seller == home.SellerLeads(leads=(), total=0)
    assert carla.week is not None and carla.contests is not None


def test_the_seller_role_follows_the_sales_channel_when_no_list_is_set(sessions):
    from_channels = RoleDirectory((), (), (), SALES, MKT, MGR)
    with session_scope(sessions) as session:
        roles.member_joined(session, channel_id=SALES, user_id=ZED, at=NOW)
        zed = home.home_for(session, user_id=ZED, roles=from_channels, now=NOW, tz=SAO_PAULO)
    assert zed.seller == home.SellerLeads(leads=(), total=0)
    assert zed.week is None


# -- contests ---------------------------------------------------------------------------------


def contest(lead_id: int, event_id: int, created_at: datetime, **fields) -> Contest:
    return Contest(
        lead_id=lead_id,
        exit_event_id=event_id,
        exit=fields.pop("exit", "rejected"),
        reason_code=fields.pop("reason_code", "not_icp"),
        seller_id=ALICE,
        marketer_id=BRUNO,
        text=fields.pop("text", "They fit our profile."),
        created_at=created_at,
        **fields,
    )


def test_open_contests_newest_first_and_reviewed_ones_left_out(sessions):
    older, newer, reviewed = add_leads(
        sessions,
        closed("Older", Exit.REJECTED, "not_icp", NOW),
        closed("Newer", Exit.LOST, "price", NOW, company="Nueva SA"),
        closed("Reviewed", Exit.REJECTED, "duplicate", NOW),
    )
    add_card(sessions, newer, "1700000000.000900")
    with session_scope(sessions) as session:
        events = [LeadEvent(lead_id=i, actor=ALICE, kind="exit") for i in (older, newer, reviewed)]
        session.add_all(events)
        session.flush()
        session.add_all(
            [
                contest(older, events[0].id, NOW - timedelta(days=2)),
                contest(
                    newer,
                    events[1].id,
                    NOW - timedelta(days=1),
                    exit="lost",
                    reason_code="price",
                    text="Price was never discussed.",
                ),
                contest(
                    reviewed, events[2].id, NOW - timedelta(hours=1), reviewed_at=NOW, text="x"
                ),
            ]
        )

    with sessions() as session:
        open_ = home.open_contests(session)
        first = home.open_contests(session, limit=1)

    assert open_.total == 2
    assert [c.lead.name for c in open_.contests] == ["Newer", "Older"]
    top = open_.contests[0]
    assert (top.exit, top.reason_code, top.seller_id, top.marketer_id) == (
        Exit.LOST,
        "price",
        ALICE,
        BRUNO,
    )
    assert (top.text, top.created_at) == ("Price was never discussed.", NOW - timedelta(days=1))
    assert (top.lead.id, top.lead.company) == (newer, "Nueva SA")
    assert top.lead.card == CardPlace(SALES, "1700000000.000900")
    assert open_.contests[1].lead.card is None
    assert ([c.lead.name for c in first.contests], first.total) == (["Newer"], 2)
