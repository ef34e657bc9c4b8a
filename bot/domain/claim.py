"""Claiming a lead: exactly one seller becomes its owner, and everyone is told what happened.

The decision is the database's (`lifecycle.perform`'s conditional update), taken before the
click is acknowledged; what people see — the card redrawn with its owner, a line in its
thread, a private answer to whoever did not get it — is queued as notices in the same
transaction and delivered after the acknowledgement.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.domain import notices
from bot.domain.batching import Coalescer
from bot.domain.lifecycle import (
    Action,
    Refusal,
    State,
    expected_move,
    perform,
    perform_expected,
    state_of,
)
from bot.domain.roles import Role, RoleDirectory
from bot.domain.vocabulary import Stage
from storage import queries
from storage.db import statement_scope

logger = logging.getLogger(__name__)

HANDED_OVER = State(Stage.PROFILED)


class ClaimAnswer(StrEnum):
    CLAIMED = "claimed"
    ALREADY_YOURS = "already_yours"  # a double click: nothing to say
    TAKEN = "taken"  # another seller has it
    CLOSED = "closed"  # it is no longer open for claiming
    OFFERED = "offered"  # round-robin offered it to another seller
    NOT_A_SELLER = "not_a_seller"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Click:
    """A seller's Claim click on a lead's card in a channel, at an instant."""

    lead_id: int
    user_id: str
    channel_id: str
    at: datetime

    @cached_property
    def move(self) -> queries.TrailedMove:
        """The claim as a compare-and-set that writes its event and notices."""
        taken = _taken(self.lead_id, self.channel_id, self.user_id, self.at, accept=False)
        return expected_move(
            lead_id=self.lead_id, state=HANDED_OVER, owner=None, action=Action.CLAIM,
            actor=self.user_id, at=self.at, outbox=taken,
        )  # fmt: skip


def quick_claims(session: Session, clicks: Sequence[Click], *, roles: RoleDirectory) -> list[bool]:
    """The claim most clicks are: a seller taking a lead as it was handed over. All of
    `clicks` are decided in one compare-and-set that also writes each winner's event and
    notices (`perform_expected`, one statement on PostgreSQL); of clicks on one lead, one
    wins. Per click, True if it won; False, with nothing written for it, for anything else:
    `claim_lead` then decides and says why."""
    sellers = roles.sellers_among(session, ((c.user_id, c.channel_id) for c in clicks))
    eligible = [i for i, c in enumerate(clicks) if (c.user_id, c.channel_id) in sellers]
    moves = [clicks[i].move for i in eligible]
    applied = perform_expected(session, moves)
    won = {i for i, done in zip(eligible, applied, strict=True) if done}
    return [i in won for i in range(len(clicks))]


def quick_claim(
    session: Session,
    *,
    lead_id: int,
    user_id: str,
    channel_id: str,
    roles: RoleDirectory,
    at: datetime,
) -> bool:
    """`quick_claims` for one click."""
    click = Click(lead_id=lead_id, user_id=user_id, channel_id=channel_id, at=at)
    return quick_claims(session, [click], roles=roles)[0]


class ClaimLane:
    """Claim clicks that arrive together, decided together.

    Twenty sellers clicking at once would otherwise take twenty connections for twenty
    statements, each thread waiting its turn for the database and then for the interpreter.
    Here the clicks that come while a decision is being taken wait for it to end and are
    then decided by one `quick_claims`, in one statement on PostgreSQL (one transaction on
    SQLite); a lone click is decided at once. A click that does not win, or whose batch
    failed, gets False, as from `quick_claim`: the caller then decides it on its own.
    """

    def __init__(self, sessions: sessionmaker[Session], roles: RoleDirectory) -> None:
        self._sessions = sessions
        self._roles = roles
        self._batches: Coalescer[Click, bool] = Coalescer(self._decide)

    @property
    def batches(self) -> int:
        """How many decisions have been taken (or begun)."""
        return self._batches.runs

    @property
    def waiting(self) -> int:
        """How many clicks wait for the next decision."""
        return self._batches.waiting

    def claim(self, click: Click) -> bool:
        """True if `click` won its lead (see `quick_claims`)."""
        _ = click.move  # built in the clicking thread, not in the decision others wait for
        return self._batches.submit(click)

    def _decide(self, clicks: Sequence[Click]) -> list[bool]:
        try:
            with statement_scope(self._sessions) as session:
                return quick_claims(session, clicks, roles=self._roles)
        except DBAPIError:
            # Each click is decided again on its own, which also says what went wrong.
            logger.warning("%d claims decided together failed", len(clicks), exc_info=True)
            return [False] * len(clicks)


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
