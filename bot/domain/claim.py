"""Claiming a lead: exactly one seller becomes its owner, and everyone is told what happened.

The decision is the database's (`lifecycle.perform`'s conditional update), taken before the
click is acknowledged; what people see — the card redrawn with its owner, a line in its
thread, a private answer to whoever did not get it — is queued as notices in the same
transaction and delivered after the acknowledgement.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.domain import notices
from bot.domain.lifecycle import Action, Refusal, State, perform, perform_expected, state_of
from bot.domain.roles import Role, RoleDirectory
from bot.domain.vocabulary import Stage

HANDED_OVER = State(Stage.PROFILED)


class ClaimAnswer(StrEnum):
    CLAIMED = "claimed"
    ALREADY_YOURS = "already_yours"  # a double click: nothing to say
    TAKEN = "taken"  # another seller has it
    CLOSED = "closed"  # it is no longer open for claiming
    OFFERED = "offered"  # round-robin offered it to another seller
    NOT_A_SELLER = "not_a_seller"
    NOT_FOUND = "not_found"


def quick_claim(
    session: Session,
    *,
    lead_id: int,
    user_id: str,
    channel_id: str,
    roles: RoleDirectory,
    at: datetime,
) -> bool:
    """The claim most clicks are: a seller taking a lead as it was handed over, decided in
    one compare-and-set that also writes its event and notices (`perform_expected`, one
    statement on PostgreSQL). False, with nothing written, for anything else: `claim_lead`
    then decides and says why."""
    if not roles.has_role(session, role=Role.SELLER, user_id=user_id, channel_id=channel_id):
        return False
    claimed = _taken(lead_id, channel_id, user_id, at, accept=False)
    return perform_expected(
        session, lead_id=lead_id, state=HANDED_OVER, owner=None, action=Action.CLAIM,
        actor=user_id, at=at, outbox=claimed,
    )  # fmt: skip


def claim_lead(
    session: Session,
    *,
    lead_id: int,
    user_id: str,
    channel_id: str,
    roles: RoleDirectory,
    at: datetime,
    accept: bool = False,
    quick: bool = True,
) -> ClaimAnswer:
    """`user_id` clicks Claim on the lead's card in `channel_id` (or Accept, `accept`, on a
    card round-robin offered them: only its assignee may). A lead offered to someone else
    is refused with their name; Accept on a lead offered to anyone again meanwhile claims
    it. `quick=False`: the caller tried `quick_claim` already."""
    if (
        quick
        and not accept
        and quick_claim(
            session, lead_id=lead_id, user_id=user_id, channel_id=channel_id, roles=roles, at=at
        )
    ):
        return ClaimAnswer.CLAIMED
    if not roles.has_role(session, role=Role.SELLER, user_id=user_id, channel_id=channel_id):
        notices.tell(
            session,
            user_id=user_id,
            channel_id=channel_id,
            key="claim.not_a_seller",
            params={},
            at=at,
            lead_id=lead_id,
        )
        return ClaimAnswer.NOT_A_SELLER
    claimed = _taken(lead_id, channel_id, user_id, at, accept=accept)
    action = Action.ACCEPT if accept else Action.CLAIM
    outcome = perform(session, lead_id=lead_id, action=action, actor=user_id, at=at)
    if outcome.refusal is Refusal.NOT_FOUND:
        notices.tell(
            session, user_id=user_id, channel_id=channel_id, key="claim.not_found", params={}, at=at
        )
        return ClaimAnswer.NOT_FOUND
    lead = outcome.lead
    if outcome.done:
        notices.queue(session, claimed)
        return ClaimAnswer.CLAIMED
    if lead.owner_id == user_id:
        return ClaimAnswer.ALREADY_YOURS
    if outcome.refusal is Refusal.OFFERED_ELSEWHERE and lead.assignee_id is None:
        # Accept on a card offered to anyone again since: the click is a claim.
        return claim_lead(
            session, lead_id=lead_id, user_id=user_id, channel_id=channel_id, roles=roles, at=at
        )
    if outcome.refusal is Refusal.OFFERED_ELSEWHERE:
        answer, key = ClaimAnswer.OFFERED, "claim.offered"
        params = {"user": lead.assignee_id}
    elif lead.owner_id:
        answer, key = ClaimAnswer.TAKEN, "claim.taken"
        params = {"owner": lead.owner_id}
    else:
        answer, key = ClaimAnswer.CLOSED, "claim.closed"
        params = {"state": state_of(lead).label}
    notices.tell(
        session,
        user_id=user_id,
        channel_id=channel_id,
        key=key,
        params=params,
        at=at,
        lead_id=lead_id,
    )
    return answer


def _taken(
    lead_id: int, channel_id: str, user_id: str, at: datetime, *, accept: bool
) -> list[dict]:
    """What a claim or an acceptance tells: the card redrawn, and a line in its thread."""
    line = "thread.accepted" if accept else "thread.claimed"
    return notices.card_and_thread(
        lead_id=lead_id, channel_id=channel_id, key=line, params={"user": user_id}, at=at
    )
