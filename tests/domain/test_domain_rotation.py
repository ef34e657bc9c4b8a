"""Round-robin: each channel's sellers take turns by weight, skipping whoever is away, is at
the open-leads cap or is the one a re-offered lead moves away from, with no backlog for the
time a seller was out, and one turn at a time whatever replicas assign at once."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, datetime
from fractions import Fraction

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.domain.roles import RoleDirectory, members_synced
from bot.domain.rotation import Duty, assign, change_duty, is_away, next_turn, set_away
from bot.domain.sla import Policy
from storage.db import session_scope
from storage.models import Lead, Person, RotationSlot

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SALES, ROUTED = "C0SALES", "C0ROUTED"
ANA, BEA, CAM, DAN = "U0ANA", "U0BEA", "U0CAM", "U0DAN"
SELLERS = (ANA, BEA, CAM, DAN)
WEIGHTS = {ANA: 3, BEA: 2, CAM: 1, DAN: 1}
ROLES = RoleDirectory(SELLERS, (), (), SALES, "C0MKT", "C0MGR")
EVEN = Policy(assignment="round_robin")
WEIGHTED = Policy(assignment="round_robin", seller_weights={ANA: 3, BEA: 2})


def offer(
    sessions,
    policy: Policy = EVEN,
    *,
    channel: str = SALES,
    roles: RoleDirectory = ROLES,
    exclude: str | None = None,
) -> str | None:
    """A new lead in `channel` goes to the seller whose turn it is (as the SLA sweep or the
    delivery worker would offer it, in one transaction); returns who got it."""
    with session_scope(sessions) as session:
        seller = assign(
            session, channel_id=channel, policy=policy, roles=roles, at=NOW, exclude=exclude
        )
        if seller is not None:
            session.add(Lead(name="Lead", stage="profiled", profiled_at=NOW, assignee_id=seller))
    return seller


def away(sessions, user: str, value: bool = True) -> bool:
    with session_scope(sessions) as session:
        return set_away(session, user_id=user, away=value, at=NOW)


def slots(sessions, channel: str = SALES) -> dict[str, tuple[float, int]]:
    with sessions() as session:
        rows = session.exec(select(RotationSlot).where(RotationSlot.channel_id == channel))
        return {row.user_id: (row.credit, row.assigned) for row in rows}


def close_leads_of(sessions, user: str) -> None:
    with session_scope(sessions) as session:
        for lead in session.exec(select(Lead).where(Lead.assignee_id == user)):
            lead.exit, lead.exit_reason = "rejected", "not_icp"


# -- Taking turns -------------------------------------------------------------------------


def test_a_fixed_team_takes_turns_by_weight_never_a_lead_off_its_share(sessions):
    given: Counter[str] = Counter()
    for number in range(1, 71):
        given[offer(sessions, WEIGHTED)] += 1
        for user, weight in WEIGHTS.items():
            assert abs(given[user] - Fraction(number * weight, 7)) < 1, (number, given)
    assert given == {ANA: 30, BEA: 20, CAM: 10, DAN: 10}
    assert {user: assigned for user, (_, assigned) in slots(sessions).items()} == given
    assert all(abs(credit) < 1e-9 for credit, _ in slots(sessions).values())


def test_equal_weights_alternate_and_ties_go_to_the_lowest_user_id(sessions):
    two = RoleDirectory((BEA, ANA), (), (), SALES, "C0MKT", "C0MGR")
    assert [offer(sessions, roles=two) for _ in range(4)] == [ANA, BEA, ANA, BEA]


def test_each_channel_keeps_its_own_rotation(sessions):
    assert [offer(sessions), offer(sessions, channel=ROUTED)] == [ANA, ANA]
    assert set(slots(sessions, ROUTED)) == set(SELLERS)


def test_without_configured_sellers_the_channels_members_take_turns(sessions):
    nobody = RoleDirectory((), (), (), SALES, "C0MKT", "C0MGR")
    with session_scope(sessions) as session:
        members_synced(session, channel_id=ROUTED, user_ids=[DAN, CAM], at=NOW)
    taken = [offer(sessions, channel=ROUTED, roles=nobody) for _ in range(4)]
    assert taken == [CAM, DAN, CAM, DAN]
    assert offer(sessions, roles=nobody) is None  # nobody cached in the sales channel


# -- Who is eligible ------------------------------------------------------------------------


def test_away_sellers_are_skipped_and_rejoin_without_a_backlog(sessions):
    two = RoleDirectory((ANA, BEA), (), (), SALES, "C0MKT", "C0MGR")
    assert away(sessions, BEA) is True
    assert [offer(sessions, roles=two) for _ in range(10)] == [ANA] * 10

    assert away(sessions, BEA, False) is True
    after = [offer(sessions, roles=two) for _ in range(6)]
    # Back, Bea takes every other lead, as her weight says: not the ten she missed.
    assert after == [ANA, BEA, ANA, BEA, ANA, BEA]
    assert slots(sessions) == {ANA: (pytest.approx(0.0), 13), BEA: (pytest.approx(0.0), 3)}


def test_a_returning_heavy_seller_comes_back_at_their_weights_pace(sessions):
    away(sessions, ANA)
    assert Counter(offer(sessions, WEIGHTED) for _ in range(40)) == {BEA: 20, CAM: 10, DAN: 10}
    away(sessions, ANA, False)
    back = Counter(offer(sessions, WEIGHTED) for _ in range(14))
    assert back == {ANA: 6, BEA: 4, CAM: 2, DAN: 2}


def test_a_reoffer_skips_the_seller_the_lead_moves_away_from(sessions):
    assert offer(sessions) == ANA
    assert offer(sessions, exclude=BEA) == CAM  # Bea's turn, but the lead moves from her
    assert [offer(sessions), offer(sessions)] == [DAN, BEA]
    solo = RoleDirectory((ANA,), (), (), SALES, "C0MKT", "C0MGR")
    assert offer(sessions, roles=solo, exclude=ANA) is None


def test_nobody_eligible_gets_none_and_nothing_is_written(sessions):
    for user in (ANA, BEA, CAM):
        away(sessions, user)
    capped = Policy(assignment="round_robin", open_leads_cap=1)
    with session_scope(sessions) as session:
        session.add(Lead(name="Dan's", stage="accepted", owner_id=DAN))

    assert offer(sessions, capped) is None
    assert offer(sessions, exclude=DAN) is None
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(RotationSlot)).one() == 0
        assert session.exec(select(func.count()).select_from(Lead)).one() == 1


def test_the_open_leads_cap_counts_offered_and_owned_leads_until_they_close(sessions):
    two = RoleDirectory((ANA, BEA), (), (), SALES, "C0MKT", "C0MGR")
    capped = Policy(assignment="round_robin", open_leads_cap=2)
    with session_scope(sessions) as session:
        # Bea owns one lead (claimed, or accepted from an offer to her); one she won is not
        # open; one offered to her and taken by Ana counts as Ana's.
        session.add(Lead(name="Claimed", stage="contacted", owner_id=BEA))
        session.add(Lead(name="Done", stage="won", owner_id=BEA))
        session.add(Lead(name="Taken", stage="accepted", owner_id=ANA, assignee_id=BEA))

    assert [offer(sessions, capped, roles=two) for _ in range(3)] == [ANA, BEA, None]
    close_leads_of(sessions, BEA)
    assert offer(sessions, capped, roles=two) == BEA
    assert slots(sessions)[ANA][1] + slots(sessions)[BEA][1] == 3


def test_a_rolled_back_offer_leaves_the_rotation_as_it_was(sessions):
    offer(sessions)
    before = slots(sessions)
    with pytest.raises(RuntimeError), session_scope(sessions) as session:
        assign(session, channel_id=SALES, policy=EVEN, roles=ROLES, at=NOW)
        raise RuntimeError("the lead changed meanwhile")
    assert slots(sessions) == before


# -- Away and back ---------------------------------------------------------------------------


def test_away_and_back_say_whether_anything_changed(sessions):
    assert away(sessions, ANA, False) is False  # never away
    assert away(sessions, ANA) is True
    assert away(sessions, ANA) is False
    with sessions() as session:
        assert is_away(session, ANA) is True
        assert is_away(session, BEA) is False
    assert away(sessions, ANA, False) is True
    with sessions() as session:
        assert is_away(session, ANA) is False
        person = session.get(Person, ANA)
        assert (person.away, person.updated_at) == (False, NOW)


def test_only_sellers_change_duty_those_of_a_routed_channel_included(sessions):
    nobody = RoleDirectory((), (), (), SALES, "C0MKT", "C0MGR")
    with session_scope(sessions) as session:
        members_synced(session, channel_id=SALES, user_ids=[ANA], at=NOW)
        members_synced(session, channel_id=ROUTED, user_ids=[BEA], at=NOW)

    def duty(user: str, away: bool, channel: str | None = None) -> Duty:
        with session_scope(sessions) as session:
            return change_duty(
                session, user_id=user, away=away, roles=nobody, at=NOW, channel_id=channel
            )

    assert [duty(ANA, True), duty(ANA, True), duty(ANA, False), duty(ANA, False)] == [
        Duty.NOW_AWAY, Duty.ALREADY_AWAY, Duty.NOW_BACK, Duty.ALREADY_BACK,
    ]  # fmt: skip
    assert duty(BEA, True) is Duty.NOT_A_SELLER  # not in the sales channel…
    assert duty(BEA, True, channel=ROUTED) is Duty.NOW_AWAY  # …but sells in the routed one
    assert duty(CAM, True, channel=ROUTED) is Duty.NOT_A_SELLER
    with sessions() as session:
        assert session.get(Person, CAM) is None


# -- Fairness over a long, changing day ------------------------------------------------------

# The schedule: 1,000 leads for Ana, Bea, Cam and Dan (weights 3:2:1:1), who each go away now
# and then for 20-120 leads, while a cap of 3 open leads holds and each open lead is closed
# (20%) or accepted (10%) at every new lead. One fixed seed: see the note below.
SCHEDULE_SEED = 2026
STEPS = 1000
P_AWAY, AWAY_LEADS = 0.01, (20, 120)
CAP, P_CLOSE, P_ACCEPT = 3, 0.2, 0.1


def test_a_thousand_leads_keep_every_seller_within_one_lead_of_their_share(sessions):
    """Each seller's share is what they were due over the assignments they were eligible
    for (w/W of each); what they got stays within one lead of it at every step.

    A seller who leaves takes their credit with them, so once people come and go between
    leads the bound is not a theorem, for this rule or any other (for four sellers no rule
    can promise it against every schedule). Of 5,000 random schedules like this one, 137
    (2.7%) go over at some step, by at most 0.1 of a lead (seed 94: Cam away and Dan at the
    cap while owed 1.2 leads between them, so Ana or Bea had to take 1.1 too many). This seed
    stays within 1; the next test shows the rule's known excess.
    """
    rnd = random.Random(SCHEDULE_SEED)
    policy = Policy(assignment="round_robin", seller_weights=WEIGHTS, open_leads_cap=CAP)
    due = dict.fromkeys(SELLERS, Fraction(0))
    given: Counter[str] = Counter()
    back_at: dict[str, int | None] = dict.fromkeys(SELLERS)
    open_leads: dict[int, str] = {}  # lead id → its holder
    worst = Fraction(0)
    for step in range(STEPS):
        for user in SELLERS:
            if back_at[user] == step:
                back_at[user] = None
                assert away(sessions, user, False)
            elif back_at[user] is None and rnd.random() < P_AWAY:
                back_at[user] = step + rnd.randint(*AWAY_LEADS)
                assert away(sessions, user)
        _work_the_open_leads(sessions, open_leads, rnd)
        held = Counter(open_leads.values())
        eligible = {u: w for u, w in WEIGHTS.items() if back_at[u] is None and held[u] < CAP}

        with session_scope(sessions) as session:
            seller = assign(session, channel_id=SALES, policy=policy, roles=ROLES, at=NOW)
            if seller is not None:
                lead = Lead(name=f"Lead {step}", stage="profiled", assignee_id=seller)
                session.add(lead)
                session.flush()
                open_leads[lead.id] = seller

        if not eligible:
            assert seller is None, step
            continue
        assert seller in eligible, (step, seller, eligible)
        total = sum(eligible.values())
        for user, weight in eligible.items():
            due[user] += Fraction(weight, total)
        given[seller] += 1
        gaps = {user: given[user] - due[user] for user in SELLERS}
        worst = max(worst, *map(abs, gaps.values()))
        assert all(abs(gap) <= 1 for gap in gaps.values()), (step, gaps)

    stored = slots(sessions)
    assert {user: assigned for user, (_, assigned) in stored.items()} == given
    for user in SELLERS:
        assert stored[user][0] == pytest.approx(float(due[user] - given[user]), abs=1e-9)
    assert sum(given.values()) > 800  # most leads found someone eligible
    assert worst > Fraction(1, 2)  # the schedule did strain the rotation


def _work_the_open_leads(sessions, open_leads: dict[int, str], rnd: random.Random) -> None:
    """Close some open leads, and have their seller accept some others (still open)."""
    closed, accepted = [], []
    for lead_id in sorted(open_leads):
        draw = rnd.random()
        if draw < P_CLOSE:
            closed.append(lead_id)
        elif draw < P_CLOSE + P_ACCEPT:
            accepted.append(lead_id)
    if not closed and not accepted:
        return
    with session_scope(sessions) as session:
        for lead_id in closed:
            lead = session.get(Lead, lead_id)
            lead.exit, lead.exit_reason = "rejected", "not_icp"
            del open_leads[lead_id]
        for lead_id in accepted:
            lead = session.get(Lead, lead_id)
            lead.stage, lead.owner_id = "accepted", lead.assignee_id


def test_sellers_coming_and_going_at_every_lead_can_put_one_seven_sixths_over():
    """The known excess over one lead: four equal sellers whose eligibility changes at every
    lead, Dan sitting out with the share he was owed. Six leads on, Ana has 7/6 of a lead
    more than her share. No rule keeps within one lead against every such schedule (for four
    equal sellers 7/6 is the least excess a rule can guarantee); this one does no worse."""
    credits: dict[str, float] = {}
    schedule = [(ANA, BEA), (CAM, DAN), (ANA, CAM), (BEA, DAN), (ANA, BEA, CAM), (ANA, BEA)]
    taken = []
    for eligible in schedule:
        turn = next_turn(credits, dict.fromkeys(eligible, 1))
        credits.update(turn.credits)
        taken.append(turn.seller)
    assert taken == [ANA, CAM, ANA, BEA, BEA, ANA]
    assert credits[ANA] == pytest.approx(-7 / 6)
    assert credits[DAN] == pytest.approx(1.0)


# -- Replicas --------------------------------------------------------------------------------


def test_two_replicas_assigning_at_once_take_turns(sessions):
    calls = 40
    start = threading.Barrier(2)
    taken: list[str | None] = []

    def replica() -> None:
        start.wait()
        for _ in range(calls):
            taken.append(offer(sessions, WEIGHTED))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(taken) == 2 * calls and None not in taken
    stored = slots(sessions)
    assert sum(assigned for _, assigned in stored.values()) == 2 * calls
    # One turn at a time: exactly the rotation of 80 leads given one after the other.
    assert {user: assigned for user, (_, assigned) in stored.items()} == Counter(taken)
    assert stored == {
        user: (pytest.approx(credit), assigned)
        for user, (credit, assigned) in _sequential(2 * calls).items()
    }


def test_replicas_at_once_never_go_past_the_cap(sessions):
    two = RoleDirectory((ANA, BEA), (), (), SALES, "C0MKT", "C0MGR")
    capped = Policy(assignment="round_robin", open_leads_cap=2)
    start = threading.Barrier(6)
    taken: list[str | None] = []

    def replica() -> None:
        start.wait()
        taken.append(offer(sessions, capped, roles=two))

    threads = [threading.Thread(target=replica) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert Counter(taken) == {ANA: 2, BEA: 2, None: 2}


def _sequential(count: int) -> dict[str, tuple[float, int]]:
    credits: dict[str, float] = {}
    assigned: Counter[str] = Counter()
    for _ in range(count):
        turn = next_turn(credits, WEIGHTS)
        credits.update(turn.credits)
        assigned[turn.seller] += 1
    return {user: (credits[user], assigned[user]) for user in SELLERS}


def test_a_second_replica_waits_for_the_first_ones_turn(sessions, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writing transaction at a time")
    offer(sessions)  # the channel's places exist
    second: list[str | None] = []
    with session_scope(sessions) as session:
        first = assign(session, channel_id=SALES, policy=EVEN, roles=ROLES, at=NOW)

        thread = threading.Thread(target=lambda: second.append(offer(sessions)))
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second turn should wait for the channel's lock"
    thread.join(20)
    assert (first, second) == (BEA, [CAM])
    with sessions() as session:
        total = session.exec(select(func.sum(col(RotationSlot.assigned)))).one()
    assert total == 3
