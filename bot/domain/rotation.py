"""Round-robin: which seller of a channel is offered the next lead, fairly by weight.

Each channel keeps one place per seller (`rotation_slot`) with a `credit`: the share of the
channel's leads the seller was due while eligible, minus the leads they were given. Each
assignment is a turn of smooth weighted round-robin, normalised:

    every eligible seller i gains w_i / W      (W: the eligible sellers' total weight)
    the one with the most credit (ties: the lowest user id) gets the lead and loses 1

Eligible means a seller of the channel (the configured sellers, else the channel's members
from the membership cache) who is not away, is not the one a re-offered lead is moving away
from, and holds fewer open leads than the policy's cap. Only eligible sellers gain credit:
someone back from away, or under the cap again, is owed nothing for the time they were out,
so they are not handed a backlog; fairness is measured over the time each was eligible.

Starting afresh, while the same sellers stay eligible, each stays within one lead of their
share (smooth weighted round-robin's guarantee). When sellers come and go between
assignments, the credit one takes out is missing from (or surplus to) those who stay, and no
rule can keep everyone within one lead against every schedule: for four equal sellers the
least any rule can promise is 7/6 of a lead, which this one keeps; with weights 3:2:1:1 it
never passes 1.36 (every schedule checked). Realistic schedules go over one rarely, and by
a tenth of a lead.

Two replicas assigning in one channel at once take turns: the channel's places are locked
for the rest of the caller's transaction, so an offer that fails rolls its turn back with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.domain.lifecycle import OPEN_STAGES
from bot.domain.roles import Role, RoleDirectory
from bot.domain.sla import Policy
from storage import queries

# Credits closer than this are a tie: float sums of the same shares may differ in their
# last bits, and a tie must go to the lowest user id on every replica and backend alike.
TIE = 1e-9

_OPEN_STAGES = sorted(stage.value for stage in OPEN_STAGES)


@dataclass(frozen=True)
class Turn:
    """One assignment: who gets the lead, and every eligible seller's credit after it."""

    seller: str
    credits: dict[str, float]


def next_turn(credits: Mapping[str, float], weights: Mapping[str, int]) -> Turn:
    """The turn among the eligible sellers `weights` (user → weight > 0), whose credits
    before it are `credits` (a seller missing has none yet)."""
    total = sum(weights.values())
    after = {user: credits.get(user, 0.0) + weight / total for user, weight in weights.items()}
    most = max(after.values())
    seller = min(user for user, credit in after.items() if credit >= most - TIE)
    after[seller] -= 1
    return Turn(seller=seller, credits=after)


def sellers_of(session: Session, *, channel_id: str, roles: RoleDirectory) -> list[str]:
    """The sellers a lead in `channel_id` can go to: the configured sellers, else the
    channel's members as the membership cache has them."""
    if roles.sellers:
        return sorted(set(roles.sellers))
    return queries.channel_member_ids(session, channel_id=channel_id)


def assign(
    session: Session,
    *,
    channel_id: str,
    policy: Policy,
    roles: RoleDirectory,
    at: datetime,
    exclude: str | None = None,
) -> str | None:
    """Give the next lead in `channel_id` to the eligible seller whose turn it is, record
    the turn, and return that seller; None when nobody is eligible (nothing is written).

    `exclude` is the seller a re-offered lead moves away from. The turn is part of the
    caller's transaction: roll it back and the turn never happened.
    """
    candidates = [
        user for user in sellers_of(session, channel_id=channel_id, roles=roles) if user != exclude
    ]
    if not _eligible(session, candidates, policy):
        return None
    queries.add_rotation_slots(session, channel_id=channel_id, user_ids=candidates, at=at)
    slots = {
        slot.user_id: slot for slot in queries.lock_rotation_slots(session, channel_id=channel_id)
    }
    # Again under the lock: a turn taken meanwhile in another replica may have filled a cap.
    weights = _eligible(session, [user for user in candidates if user in slots], policy)
    if not weights:
        return None
    turn = next_turn({user: slots[user].credit for user in weights}, weights)
    queries.save_rotation_slots(
        session,
        channel_id=channel_id,
        slots={
            user: (credit, slots[user].assigned + (user == turn.seller))
            for user, credit in turn.credits.items()
        },
        at=at,
    )
    return turn.seller


def _eligible(session: Session, candidates: Sequence[str], policy: Policy) -> dict[str, int]:
    """{seller: weight} of the `candidates` who may get a lead now."""
    weights = {user: policy.seller_weights.get(user, 1) for user in candidates}
    weights = {user: weight for user, weight in weights.items() if weight > 0}
    if not weights:
        return {}
    away = queries.away_user_ids(session, user_ids=list(weights))
    weights = {user: weight for user, weight in weights.items() if user not in away}
    if policy.open_leads_cap is not None and weights:
        held = queries.count_open_leads_held(session, user_ids=list(weights), stages=_OPEN_STAGES)
        weights = {
            user: weight
            for user, weight in weights.items()
            if held.get(user, 0) < policy.open_leads_cap
        }
    return weights


class Duty(StrEnum):
    """What a seller's `/sla away` or `/sla back` (or the App Home's button) came to."""

    NOW_AWAY = "now_away"
    ALREADY_AWAY = "already_away"
    NOW_BACK = "now_back"
    ALREADY_BACK = "already_back"
    NOT_A_SELLER = "not_a_seller"


def change_duty(
    session: Session,
    *,
    user_id: str,
    away: bool,
    roles: RoleDirectory,
    at: datetime,
    channel_id: str | None = None,
) -> Duty:
    """A seller leaves (`away`) or rejoins the round-robin. Only sellers may: of the sales
    channel, or of `channel_id` where they asked (a routed channel's members sell there)."""
    seller = roles.has_role(session, role=Role.SELLER, user_id=user_id) or (
        channel_id is not None
        and roles.has_role(session, role=Role.SELLER, user_id=user_id, channel_id=channel_id)
    )
    if not seller:
        return Duty.NOT_A_SELLER
    changed = set_away(session, user_id=user_id, away=away, at=at)
    if away:
        return Duty.NOW_AWAY if changed else Duty.ALREADY_AWAY
    return Duty.NOW_BACK if changed else Duty.ALREADY_BACK


def set_away(session: Session, *, user_id: str, away: bool, at: datetime) -> bool:
    """`user_id` leaves (`away`) or rejoins the round-robin; True when that changed
    anything. Their credit waits for them untouched: back, they take turns at their weight's
    pace, with no backlog."""
    return queries.set_person_away(session, user_id=user_id, away=away, at=at)


def is_away(session: Session, user_id: str) -> bool:
    """True when `user_id` is away from the round-robin."""
    return queries.is_person_away(session, user_id=user_id)
