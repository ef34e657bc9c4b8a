"""The SLA sweep at chosen instants: each reminder, escalation, re-offer and give-up once per
lead and deadline, whatever overlapping sweeps and restarts do; Accept by the assignee only."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select
from workbench import MANAGER, NOW, OWNER, ROLES, SALES, SELLER, act, lead

from bot.domain import enforcement, work
from bot.domain.claim import ClaimAnswer, claim_lead
from bot.domain.enforcement import sweep
from bot.domain.scorecard import scorecard
from bot.domain.sla import change_policy, current_policy, read_changes
from bot.domain.vocabulary import Exit
from storage import queries
from storage.db import session_scope
from storage.models import CARD_MESSAGE, Lead, OutboxEntry, SentMessage

TZ = ZoneInfo("America/Sao_Paulo")  # UTC-3, no DST
ALWAYS = {"work_days": "mon-sun", "work_hours": "00:00-24:00"}
MANAGERS = ROLES.managers_channel
THIRD = "U0THIRD"


def set_policy(sessions, **values: str) -> None:
    with session_scope(sessions) as session:
        change_policy(session, read_changes(ALWAYS | values), by=MANAGER, at=NOW)


def run(sessions, at: datetime, assign=None) -> Counter:
    return sweep(sessions, roles=ROLES, tz=TZ, now=at, assign=assign)


def entries(sessions, kind: str) -> list[OutboxEntry]:
    with sessions() as session:
        statement = select(OutboxEntry).where(OutboxEntry.kind == kind)
        return list(session.exec(statement.order_by(col(OutboxEntry.id))))


def alerts(sessions, lead_id: int) -> list[tuple[str, datetime]]:
    with sessions() as session:
        return [(a.kind, a.deadline) for a in queries.sla_alerts(session, lead_id=lead_id)]


def post_card(sessions, lead_id: int, at: datetime, channel: str = SALES) -> None:
    with session_scope(sessions) as session:
        ts = f"{at.timestamp():.0f}.{lead_id:06d}"
        session.add(
            SentMessage(
                lead_id=lead_id, kind=CARD_MESSAGE, channel_id=channel, ts=ts, created_at=at
            )
        )


@pytest.fixture
def accepted(sessions, lead_id) -> int:
    """The lead's card posted at NOW and claimed by OWNER at once; a 24/7 calendar."""
    set_policy(sessions)
    post_card(sessions, lead_id, NOW)
    with session_scope(sessions) as session:
        claim_lead(session, lead_id=lead_id, user_id=OWNER, channel_id=SALES, roles=ROLES, at=NOW)
    return lead_id


# -- first touch -----------------------------------------------------------------------------


def test_a_reminder_at_three_quarters_of_the_allowance_then_one_escalation(sessions, accepted):
    minute = timedelta(minutes=1)
    assert run(sessions, NOW + 44 * minute) == Counter()
    assert run(sessions, NOW + 45 * minute) == Counter({enforcement.REMINDER: 1})
    # Overlapping and later sweeps, and a restart (nothing is kept in memory): no second one.
    assert run(sessions, NOW + 45 * minute) == Counter()
    assert run(sessions, NOW + 59 * minute) == Counter()
    [reminder] = entries(sessions, "direct")
    assert reminder.channel_id == OWNER
    assert reminder.payload["key"] == "sla.reminder.first_touch"
    assert reminder.payload["params"]["left"] == 15
    assert reminder.payload["params"]["when"] == (NOW + 60 * minute).isoformat()

    assert run(sessions, NOW + 61 * minute) == Counter({enforcement.FIRST_TOUCH_LATE: 1})
    assert run(sessions, NOW + 3 * 60 * minute) == Counter()
    [escalation] = entries(sessions, "alert")
    assert escalation.channel_id == MANAGERS
    assert escalation.payload["key"] == "sla.escalation.first_touch"
    assert escalation.payload["params"] | {} == {
        "owner": OWNER, "when": NOW.isoformat(), "allowed": 60, "late": 1,
    } | {}  # fmt: skip
    assert escalation.payload["card_channel"] == SALES
    # The card is redrawn to show how late it is.
    refreshes = [e for e in entries(sessions, "card_refresh") if e.created_at > NOW]
    assert len(refreshes) == 1
    assert [kind for kind, _ in alerts(sessions, accepted)] == [
        enforcement.REMINDER, enforcement.FIRST_TOUCH_LATE,
    ]  # fmt: skip


def test_a_sweep_that_first_looks_after_the_deadline_escalates_without_reminding(
    sessions, accepted
):
    assert run(sessions, NOW + timedelta(hours=2)) == Counter({enforcement.FIRST_TOUCH_LATE: 1})
    assert entries(sessions, "direct") == []


def test_a_first_touch_in_time_stops_the_clock(sessions, accepted):
    act(sessions, "log_attempt", accepted, at=NOW + timedelta(minutes=10), how="phone",
        outcome="no_answer", note=None)  # fmt: skip
    assert run(sessions, NOW + timedelta(hours=5)) == Counter()


def test_concurrent_sweeps_remind_once(sessions, accepted):
    at = NOW + timedelta(minutes=50)
    done: list[Counter] = []
    barrier = threading.Barrier(4)

    def sweeper() -> None:
        barrier.wait()
        done.append(run(sessions, at))

    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(done, Counter()) == Counter({enforcement.REMINDER: 1})
    assert len(entries(sessions, "direct")) == 1


def test_deadlines_run_on_business_time(sessions, lead_id):
    with session_scope(sessions) as session:  # Mon-Fri 09:00-18:00 in São Paulo
        change_policy(session, read_changes({"first_touch_minutes": "60"}), by=MANAGER, at=NOW)
    friday = datetime(2026, 11, 20, 17, 30, tzinfo=TZ).astimezone(UTC)
    post_card(sessions, lead_id, friday)
    with session_scope(sessions) as session:
        claim_lead(session, lead_id=lead_id, user_id=OWNER, channel_id=SALES, roles=ROLES,
                   at=friday)  # fmt: skip
    # 30 business minutes on Friday, 15 more on Monday: the reminder is due Monday 09:15.
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=TZ).astimezone(UTC)
    monday = datetime(2026, 11, 23, 9, 14, tzinfo=TZ).astimezone(UTC)
    assert run(sessions, saturday) == Counter()
    assert run(sessions, monday) == Counter()
    assert run(sessions, monday + timedelta(minutes=1)) == Counter({enforcement.REMINDER: 1})
    assert run(sessions, monday + timedelta(minutes=16)) == Counter(
        {enforcement.FIRST_TOUCH_LATE: 1}
    )
    [(_, deadline), _] = alerts(sessions, lead_id)
    assert deadline == datetime(2026, 11, 23, 9, 30, tzinfo=TZ).astimezone(UTC)


# -- cards nobody accepts ----------------------------------------------------------------


def test_claim_mode_reoffers_once_then_tells_the_managers(sessions, lead_id):
    set_policy(sessions, unclaimed_after_minutes="30")
    post_card(sessions, lead_id, NOW)
    minute = timedelta(minutes=1)
    assert run(sessions, NOW + 29 * minute) == Counter()
    assert run(sessions, NOW + 30 * minute) == Counter({enforcement.REOFFER: 1})
    assert run(sessions, NOW + 45 * minute) == Counter()
    assert run(sessions, NOW + 60 * minute) == Counter({enforcement.UNCLAIMED_LATE: 1})
    assert run(sessions, NOW + 600 * minute) == Counter()
    [line] = entries(sessions, "thread_line")
    assert line.payload == {"key": "thread.reoffered", "params": {"minutes": 30},
                            "broadcast": True}  # fmt: skip
    [escalation] = entries(sessions, "alert")
    assert escalation.payload["key"] == "sla.escalation.unclaimed"
    assert lead(sessions, lead_id).assignee_id is None


def offer_to(sessions, lead_id: int, seller: str) -> str | None:
    """The lead offered to `seller` as round-robin would, before its card is posted."""
    with session_scope(sessions) as session:
        return enforcement.offer_new_lead(
            session, lead=session.get(Lead, lead_id), channel_id=SALES,
            policy=current_policy(session), roles=ROLES, at=NOW,
            assign=lambda session, **_: seller,
        )  # fmt: skip


class Rotation:
    """A stand-in for the rotation that hands out sellers in a fixed order, skipping the
    excluded one, and records what it was asked."""

    def __init__(self, order: list[str]):
        self.order = order
        self.calls: list[str | None] = []

    def __call__(self, session, *, channel_id, policy, roles, at, exclude=None):
        self.calls.append(exclude)
        turn = len(self.calls)
        candidates = [seller for seller in self.order if seller != exclude]
        return candidates[turn % len(candidates)] if candidates else None


def test_round_robin_moves_an_unaccepted_lead_to_the_next_seller(sessions, lead_id):
    set_policy(sessions, unclaimed_after_minutes="30", assignment="round_robin")
    post_card(sessions, lead_id, NOW)
    assert offer_to(sessions, lead_id, OWNER) == OWNER
    rotation = Rotation([OWNER, SELLER, THIRD])
    minute = timedelta(minutes=1)
    assert run(sessions, NOW + 30 * minute, rotation) == Counter({enforcement.REOFFER: 1})
    assert run(sessions, NOW + 31 * minute, rotation) == Counter()
    moved_to = lead(sessions, lead_id).assignee_id
    assert moved_to in (SELLER, THIRD) and rotation.calls == [OWNER]
    # The first assignee may no longer accept it; the new one may.
    with session_scope(sessions) as session:
        refused = claim_lead(session, lead_id=lead_id, user_id=OWNER, channel_id=SALES,
                             roles=ROLES, at=NOW + 32 * minute, accept=True)  # fmt: skip
    assert refused is ClaimAnswer.OFFERED
    assert run(sessions, NOW + 60 * minute, rotation) == Counter(
        {enforcement.REOFFER: 1, enforcement.UNCLAIMED_LATE: 1}
    )
    assert run(sessions, NOW + 90 * minute, rotation) == Counter({enforcement.REOFFER: 1})
    # At most three moves: after that the lead waits where it is.
    assert run(sessions, NOW + 500 * minute, rotation) == Counter()
    lines = [e.payload for e in entries(sessions, "thread_line")]
    assert [line["key"] for line in lines] == ["thread.reoffered_to"] * 3
    assert all(line["broadcast"] for line in lines)
    assert len(rotation.calls) == 3
    with sessions() as session:
        moves = [e for e in queries.lead_events(session, lead_id=lead_id) if e.actor == "sla"]
    assert [e.kind for e in moves] == ["offered", "reoffered", "reoffered", "reoffered"]


def test_a_lead_accepted_meanwhile_is_not_reoffered(sessions, lead_id):
    set_policy(sessions, unclaimed_after_minutes="30", assignment="round_robin")
    post_card(sessions, lead_id, NOW)
    offer_to(sessions, lead_id, SELLER)
    with session_scope(sessions) as session:
        answer = claim_lead(session, lead_id=lead_id, user_id=SELLER, channel_id=SALES,
                            roles=ROLES, at=NOW + timedelta(minutes=5), accept=True)  # fmt: skip
    assert answer is ClaimAnswer.CLAIMED
    after = lead(sessions, lead_id)
    assert (after.owner_id, after.stage) == (SELLER, "accepted")
    assert run(sessions, NOW + timedelta(minutes=31), Rotation([OWNER])) == Counter()


# -- Accept, and who may act on an offered lead ---------------------------------------------


@pytest.fixture
def offered(sessions, lead_id) -> int:
    set_policy(sessions, assignment="round_robin")
    offer_to(sessions, lead_id, SELLER)
    return lead_id


@pytest.mark.parametrize("accept", [True, False])
def test_only_the_assignee_takes_an_offered_lead(sessions, offered, accept):
    with session_scope(sessions) as session:
        answer = claim_lead(session, lead_id=offered, user_id=OWNER, channel_id=SALES,
                            roles=ROLES, at=NOW, accept=accept)  # fmt: skip
    assert answer is ClaimAnswer.OFFERED
    assert lead(sessions, offered).owner_id is None
    [told] = entries(sessions, "ephemeral")
    assert told.payload == {"user": OWNER, "key": "claim.offered", "params": {"user": SELLER}}
    with session_scope(sessions) as session:
        answer = claim_lead(session, lead_id=offered, user_id=SELLER, channel_id=SALES,
                            roles=ROLES, at=NOW, accept=accept)  # fmt: skip
    assert answer is ClaimAnswer.CLAIMED
    assert lead(sessions, offered).owner_id == SELLER
    keys = [e.payload["key"] for e in entries(sessions, "thread_line")]
    assert keys == ["thread.accepted" if accept else "thread.claimed"]


def test_accept_on_a_lead_offered_to_anyone_again_claims_it(sessions, lead_id):
    set_policy(sessions)
    with session_scope(sessions) as session:
        answer = claim_lead(session, lead_id=lead_id, user_id=OWNER, channel_id=SALES,
                            roles=ROLES, at=NOW, accept=True)  # fmt: skip
    assert answer is ClaimAnswer.CLAIMED
    assert lead(sessions, lead_id).owner_id == OWNER


def test_an_offered_lead_is_closed_by_its_assignee_or_a_manager_only(sessions, offered):
    not_a_fit = {"exit_": Exit.REJECTED, "reason": "not_icp", "note": None, "rating": None}
    assert act(sessions, "close", offered, user=OWNER, **not_a_fit) is (
        work.WorkAnswer.OFFERED_ELSEWHERE
    )  # fmt: skip
    [told] = entries(sessions, "ephemeral")
    assert told.payload["key"] == "work.offered_elsewhere"
    assert told.payload["params"]["assignee"] == SELLER
    assert act(sessions, "close", offered, user=MANAGER, **not_a_fit) is work.WorkAnswer.DONE


# -- the attempts window ----------------------------------------------------------------------


def record_attempts(sessions, lead_id: int, count: int) -> None:
    for number in range(count):
        act(sessions, "log_attempt", lead_id, at=NOW + timedelta(hours=1 + number),
            how="phone", outcome="no_answer", note=None)  # fmt: skip


@pytest.mark.parametrize(("rule", "exit_"), [("nurture", Exit.NURTURE), ("reject", Exit.REJECTED)])
def test_after_enough_attempts_the_give_up_rule_closes_the_lead_once(
    sessions, accepted, rule, exit_
):
    set_policy(sessions, attempts_min="3", attempts_window_days="2", give_up=rule)
    record_attempts(sessions, accepted, 3)
    window_ends = NOW + timedelta(days=2)
    assert run(sessions, window_ends - timedelta(minutes=1)) == Counter()
    assert run(sessions, window_ends) == Counter({enforcement.GIVE_UP: 1})
    assert run(sessions, window_ends + timedelta(days=1)) == Counter()
    closed = lead(sessions, accepted)
    assert (closed.exit, closed.exit_reason, closed.owner_id) == (exit_.value, "unreachable", OWNER)
    [feedback] = entries(sessions, "feedback")
    assert feedback.channel_id == ROLES.marketing_channel
    assert feedback.payload["reason"] == "unreachable"
    assert feedback.payload["user"] == OWNER
    lines = [e.payload for e in entries(sessions, "thread_line")]
    assert lines[-1]["key"] == "thread.gave_up"
    assert lines[-1]["params"] == {"owner": OWNER, "state": exit_.value, "attempts": 3, "days": 2}


def test_too_few_attempts_in_the_window_is_escalated_once_and_changes_nothing(sessions, accepted):
    set_policy(sessions, attempts_min="6", attempts_window_days="1", first_touch_minutes="600")
    record_attempts(sessions, accepted, 2)
    assert run(sessions, NOW + timedelta(days=1)) == Counter({enforcement.ATTEMPTS_MISSING: 1})
    assert run(sessions, NOW + timedelta(days=3)) == Counter()
    [escalation] = entries(sessions, "alert")
    assert escalation.payload["key"] == "sla.escalation.attempts"
    assert escalation.payload["params"] == {"owner": OWNER, "attempts": 2, "needed": 6, "days": 1}
    assert lead(sessions, accepted).exit is None


def test_a_connected_attempt_ends_the_window(sessions, accepted):
    set_policy(sessions, attempts_min="1", attempts_window_days="1")
    act(sessions, "log_attempt", accepted, at=NOW + timedelta(minutes=5), how="phone",
        outcome="connected", note=None)  # fmt: skip
    assert run(sessions, NOW + timedelta(days=5)) == Counter()


# -- breaches on the scorecard ------------------------------------------------------------------


def test_the_scorecard_counts_open_breaches_and_those_of_the_period(sessions, accepted):
    late = NOW + timedelta(hours=2)
    run(sessions, late - timedelta(minutes=1))
    with sessions() as session:
        card = scorecard(session, policy=current_policy(session), now=late, tz=TZ)
    assert card.open_breaches == 1
    assert card.breaches == {enforcement.FIRST_TOUCH_LATE: 1}
    act(sessions, "log_attempt", accepted, at=late, how="phone", outcome="no_answer", note=None)
    with sessions() as session:
        card = scorecard(session, policy=current_policy(session), now=late, tz=TZ)
    assert card.open_breaches == 0  # touched since: no longer open
    assert card.breaches == {enforcement.FIRST_TOUCH_LATE: 1}  # but it happened


def test_managers_without_a_channel_are_told_directly(sessions, accepted):
    roles = ROLES.__class__(ROLES.sellers, ROLES.marketers, (MANAGER,), SALES, "C0MKT", "")
    done = sweep(sessions, roles=roles, tz=TZ, now=NOW + timedelta(hours=2))
    assert done == Counter({enforcement.FIRST_TOUCH_LATE: 1})
    [message] = entries(sessions, "direct")
    assert message.channel_id == MANAGER
    assert message.payload["key"] == "sla.escalation.first_touch"


def test_leads_the_sweep_is_done_with_do_not_crowd_out_new_ones(sessions, monkeypatch):
    set_policy(sessions, attempts_min="6", attempts_window_days="1")
    monkeypatch.setattr(enforcement, "BATCH", 2)
    stale = []
    with session_scope(sessions) as session:
        for number in range(3):
            old = Lead(name=f"Old {number}", stage="profiled", profiled_at=NOW - timedelta(days=9))
            session.add(old)
            session.flush()
            stale.append(old.id)
    for lead_id in stale:
        post_card(sessions, lead_id, NOW - timedelta(days=9))
        with session_scope(sessions) as session:
            claim_lead(session, lead_id=lead_id, user_id=OWNER, channel_id=SALES, roles=ROLES,
                       at=NOW - timedelta(days=9))  # fmt: skip
    # Each stale lead is escalated (first touch, then attempts), a batch at a time.
    for _ in range(3):
        run(sessions, NOW)
    assert sorted(kind for lead_id in stale for kind, _ in alerts(sessions, lead_id)) == sorted(
        [enforcement.FIRST_TOUCH_LATE, enforcement.ATTEMPTS_MISSING] * 3
    )
    with session_scope(sessions) as session:
        fresh = Lead(name="Fresh", stage="profiled", profiled_at=NOW)
        session.add(fresh)
        session.flush()
        fresh_id = fresh.id
    post_card(sessions, fresh_id, NOW)
    with session_scope(sessions) as session:
        claim_lead(session, lead_id=fresh_id, user_id=SELLER, channel_id=SALES, roles=ROLES,
                   at=NOW)  # fmt: skip
    assert run(sessions, NOW + timedelta(minutes=50)) == Counter({enforcement.REMINDER: 1})
