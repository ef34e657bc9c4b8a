"""The lifecycle: every action against every state, and moves applied to stored leads.

The expected table below is written out by hand from DESIGN.md, not derived from `MOVES`,
so a change to the rules shows up here as a failing row.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.domain.lifecycle import (
    Action,
    Refusal,
    State,
    after,
    allowed,
    every_state,
    perform,
)
from bot.domain.vocabulary import Exit, Stage
from storage.db import session_scope
from storage.models import Lead, LeadEvent

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
L, P, A, C, Q, W = (
    Stage.LEAD,
    Stage.PROFILED,
    Stage.ACCEPTED,
    Stage.CONTACTED,
    Stage.QUALIFIED,
    Stage.WON,
)
REJ, LOST, NUR = Exit.REJECTED, Exit.LOST, Exit.NURTURE


def s(stage: Stage, exit_: Exit | None = None) -> State:
    return State(stage, exit_)


# (action, from) -> to, for every allowed move; every other pair is refused.
EXPECTED: dict[tuple[Action, State], State] = {
    (Action.CLAIM, s(P)): s(A),
    (Action.ACCEPT, s(P)): s(A),
    (Action.CONTACT, s(A)): s(C),
    (Action.QUALIFY, s(A)): s(Q),
    (Action.QUALIFY, s(C)): s(Q),
    (Action.WIN, s(A)): s(W),
    (Action.WIN, s(C)): s(W),
    (Action.WIN, s(Q)): s(W),
    **{(Action.REJECT, s(x)): s(x, REJ) for x in (P, A, C, Q)},
    **{(Action.LOSE, s(x)): s(x, LOST) for x in (A, C, Q)},
    **{(Action.NURTURE, s(x)): s(x, NUR) for x in (P, A, C, Q)},
    **{(Action.REOPEN, s(x, REJ)): s(x) for x in (P, A, C, Q)},
    **{(Action.REOPEN, s(x, LOST)): s(x) for x in (A, C, Q)},
    **{(Action.REOPEN, s(x, NUR)): s(x) for x in (P, A, C, Q)},
}


def test_the_states_are_the_stages_and_each_exit_from_where_it_may_be_taken():
    states = every_state()
    assert len(states) == len(set(states)) == 6 + 4 + 3 + 4
    assert s(L, REJ) not in states and s(P, LOST) not in states and s(W, NUR) not in states


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("state", every_state(), ids=lambda st: st.label + f"@{st.stage}")
def test_every_action_from_every_state(action, state):
    expected = EXPECTED.get((action, state))
    assert allowed(action, state) is (expected is not None)
    if expected is None:
        with pytest.raises(ValueError, match="not allowed"):
            after(action, state)
    else:
        assert after(action, state) == expected


def test_a_lead_not_handed_over_and_a_won_lead_allow_nothing():
    for state in (s(L), s(W)):
        assert [a for a in Action if allowed(a, state)] == []


# -- moves on stored leads -----------------------------------------------------------------


@pytest.fixture
def profiled(sessions) -> int:
    with session_scope(sessions) as session:
        lead = Lead(name="Lucía", email="l@x.example", stage="profiled", profiled_at=NOW)
        session.add(lead)
        session.flush()
        return lead.id


def do(sessions, lead_id: int, action: Action, actor: str = "U0ALICE", **details):
    with session_scope(sessions) as session:
        outcome = perform(session, lead_id=lead_id, action=action, actor=actor, at=NOW, **details)
        session.expunge_all()
        return outcome


def events(sessions, lead_id: int) -> list[LeadEvent]:
    with sessions() as session:
        statement = select(LeadEvent).where(LeadEvent.lead_id == lead_id)
        return list(session.exec(statement.order_by(col(LeadEvent.id))))


def test_a_claim_makes_the_seller_owner_and_writes_who_when_from_and_to(sessions, profiled):
    outcome = do(sessions, profiled, Action.CLAIM)
    assert outcome.done
    assert (outcome.lead.stage, outcome.lead.owner_id, outcome.lead.accepted_at) == (
        "accepted",
        "U0ALICE",
        NOW,
    )
    [event] = events(sessions, profiled)
    assert (event.actor, event.at, event.kind, event.from_stage, event.to_stage) == (
        "U0ALICE",
        NOW,
        "claim",
        "profiled",
        "accepted",
    )


def test_an_exit_needs_a_reason_from_its_own_list_and_keeps_the_note(sessions, profiled):
    assert do(sessions, profiled, Action.REJECT, reason="price").refusal is Refusal.BAD_REASON
    assert do(sessions, profiled, Action.REJECT).refusal is Refusal.BAD_REASON
    done = do(sessions, profiled, Action.REJECT, reason="wrong_region", note="Lives abroad")
    assert done.done
    assert (done.lead.exit, done.lead.exit_reason, done.lead.stage) == (
        "rejected",
        "wrong_region",
        "profiled",
    )
    [event] = events(sessions, profiled)
    assert (event.from_stage, event.to_stage, event.reason_code, event.note) == (
        "profiled",
        "rejected",
        "wrong_region",
        "Lives abroad",
    )


def test_won_keeps_its_value_and_reopen_brings_an_exit_back(sessions, profiled):
    do(sessions, profiled, Action.CLAIM)
    assert do(sessions, profiled, Action.WIN, value=6667.0).lead.won_value == 6667.0
    assert do(sessions, profiled, Action.LOSE, reason="price").refusal is Refusal.NOT_ALLOWED

    with session_scope(sessions) as session:
        lead = Lead(name="Mateo", stage="profiled")
        session.add(lead)
        session.flush()
        other = lead.id
    do(sessions, other, Action.NURTURE, reason="not_ready")
    back = do(sessions, other, Action.REOPEN, actor="U0CARLA")
    assert (back.lead.stage, back.lead.exit, back.lead.exit_reason) == ("profiled", None, None)
    assert [e.kind for e in events(sessions, other)] == ["nurture", "reopen"]


def test_an_action_the_state_no_longer_allows_changes_nothing(sessions, profiled):
    do(sessions, profiled, Action.CLAIM)
    again = do(sessions, profiled, Action.CLAIM, actor="U0BRUNO")
    assert again.refusal is Refusal.NOT_ALLOWED
    assert again.lead.owner_id == "U0ALICE"  # the answer says who has it
    assert len(events(sessions, profiled)) == 1
    assert do(sessions, 999_999, Action.CLAIM).refusal is Refusal.NOT_FOUND


def test_twenty_concurrent_claims_have_exactly_one_winner(sessions, profiled):
    sellers = [f"U0SELLER{n:02d}" for n in range(20)]
    start = threading.Barrier(len(sellers))
    outcomes: dict[str, object] = {}

    def claim(seller: str) -> None:
        start.wait()
        outcomes[seller] = do(sessions, profiled, Action.CLAIM, actor=seller)

    threads = [threading.Thread(target=claim, args=(seller,)) for seller in sellers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    winners = [seller for seller, outcome in outcomes.items() if outcome.done]
    assert len(outcomes) == 20 and len(winners) == 1
    losers = [o for seller, o in outcomes.items() if seller not in winners]
    assert all(o.refusal is Refusal.NOT_ALLOWED for o in losers)
    assert {o.lead.owner_id for o in losers} == set(winners)  # each is told who has it
    assert [e.actor for e in events(sessions, profiled)] == winners
