"""SLA enforcement: what happens when a commitment slips, each thing once per lead and deadline.

The sweep (`sweep`, run by the scheduler every `SLA_SWEEP_SECONDS`, and by tests at any
instant they choose) looks at the open leads and the policy in force, all deadlines counted
in the team's business time:

- **First touch.** An accepted lead with no attempt logged: its owner gets a direct message
  at 75% of `first_touch_minutes`, and the managers an escalation once the allowance is
  used up (the card then shows how late it is).
- **Nobody accepts it.** A card nobody claimed (or its round-robin assignee did not accept)
  is re-offered each `unclaimed_after_minutes` after it was posted: a reply in its thread
  also sent to the channel. In round-robin mode the lead moves to the next seller (up to
  `REOFFERS_MAX` times); in claim mode it is re-offered once. At the second deadline the
  managers are told.
- **Attempts window.** `attempts_window_days` business days after acceptance without a
  connected attempt: with at least `attempts_min` attempts logged the `give_up` rule closes
  the lead as unreachable (marketing gets the closed-loop message); with fewer, the managers
  get an escalation for the missing attempts.

Exactly once: each of these first records an `sla_alert` row for (lead, kind, deadline),
whose unique key lets one sweep through and turns any other — overlapping, on another
replica, after a restart — into a no-op; the row, the move and the notices it queues commit
together, one lead at a time, or not at all. Deadlines are computed from stored instants
(acceptance, the card's posting), so every sweep finds the same ones.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.domain import notices, rotation
from bot.domain.business_time import Calendar, business_day_minutes
from bot.domain.lifecycle import Action, perform, state_of
from bot.domain.roles import RoleDirectory
from bot.domain.sla import Policy, current_policy
from bot.domain.vocabulary import Exit, Stage
from storage import queries
from storage.db import session_scope
from storage.models import Lead, LeadEvent

logger = logging.getLogger(__name__)

# What the sweep records, one row per lead, kind and deadline.
REMINDER = "first_touch_reminder"  # a DM to the owner before the first-touch deadline
FIRST_TOUCH_LATE = "first_touch_late"  # escalated: no first touch in time
REOFFER = "reoffer"  # nobody accepted it in time: offered again
UNCLAIMED_LATE = "unclaimed_late"  # escalated: still nobody's at the second deadline
ATTEMPTS_MISSING = "attempts_missing"  # escalated: the window passed with too few attempts
GIVE_UP = "give_up"  # the window passed after enough attempts: the give-up rule applied
# The breaches: what managers are told about, and `/sla` counts.
ESCALATIONS = (FIRST_TOUCH_LATE, UNCLAIMED_LATE, ATTEMPTS_MISSING)

# Who the sweep's own moves and events are by.
SLA_ACTOR = "sla"
REMIND_AT = Fraction(3, 4)  # of the first-touch allowance
REOFFERS_MAX = 3  # round-robin moves of a lead nobody accepts
ESCALATE_UNCLAIMED_AT = 2  # the re-offer deadline at which managers hear of it
GIVE_UP_REASON = "unreachable"
BATCH = 500  # leads looked at per kind and sweep; the next sweep takes the rest

# `rotation.assign`'s shape: the next seller of a channel for a lead, or None.
Assign = Callable[..., str | None]


@dataclass(frozen=True)
class Clock:
    """The first-touch clock of an accepted lead, as its card shows it: when it is due and,
    at the moment it was read, how many business minutes late it is (0: not yet due)."""

    due: datetime
    late_minutes: int


def first_touch_due(lead: Lead, policy: Policy, calendar: Calendar) -> datetime | None:
    """When the lead's first touch is due; None when it is not waiting for one."""
    if lead.accepted_at is None or lead.first_touch_at is not None or lead.exit is not None:
        return None
    if Stage(lead.stage) is not Stage.ACCEPTED:
        return None
    return calendar.add_business_minutes(lead.accepted_at, policy.first_touch_minutes)


def first_touch_clock(lead: Lead, policy: Policy, tz: ZoneInfo, now: datetime) -> Clock | None:
    """The card's SLA clock for `lead` at `now`, or None when no first touch is awaited."""
    calendar = policy.calendar(tz)
    due = first_touch_due(lead, policy, calendar)
    if due is None:
        return None
    late = calendar.business_minutes_between(due, now) if now > due else 0.0
    return Clock(due=due, late_minutes=math.floor(late))


def attempts_due(lead: Lead, policy: Policy, calendar: Calendar) -> datetime:
    """When the lead's attempts window ends (`attempts_window_days` business days after
    acceptance)."""
    minutes = policy.attempts_window_days * business_day_minutes(calendar)
    return calendar.add_business_minutes(lead.accepted_at, minutes)


def offer_deadline(
    posted_at: datetime, number: int, policy: Policy, calendar: Calendar
) -> datetime:
    """The `number`-th time a card posted at `posted_at` has waited `unclaimed_after_minutes`
    (1: the first re-offer is due)."""
    return calendar.add_business_minutes(posted_at, number * policy.unclaimed_after_minutes)


def offer_new_lead(
    session: Session,
    *,
    lead: Lead,
    channel_id: str,
    policy: Policy,
    roles: RoleDirectory,
    at: datetime,
    assign: Assign | None = None,
) -> str | None:
    """In round-robin mode, give a lead whose card is about to be posted in `channel_id` to
    the next seller there: the card then offers them Accept. The seller, or None (claim
    mode, nobody eligible, or the lead already offered or taken)."""
    if policy.assignment != "round_robin" or lead.owner_id or lead.assignee_id:
        return None
    if lead.exit is not None or Stage(lead.stage) is not Stage.PROFILED:
        return None
    seller = (assign or rotation.assign)(
        session, channel_id=channel_id, policy=policy, roles=roles, at=at
    )
    if seller is None:
        return None
    if not _hand(session, lead, previous=None, to=seller, kind="offered", at=at):
        raise LeadChanged(lead.id)  # the rotation's turn is rolled back with it
    return seller


def _hand(
    session: Session, lead: Lead, *, previous: str | None, to: str | None, kind: str, at: datetime
) -> bool:
    """Offer the unaccepted lead to `to` instead of `previous` (None: anyone may claim it),
    with its `kind` event; False, with nothing written, when it is no longer offered to
    `previous` or someone took it."""
    moved = queries.move_lead(
        session,
        lead_id=lead.id,
        stage=lead.stage,
        exit=None,
        owner=None,
        also={"assignee_id": previous},
        changes={"assignee_id": to, "updated_at": at},
    )
    if moved:
        label = state_of(lead).label
        queries.add_event(session, event=LeadEvent(
            lead_id=lead.id, at=at, actor=SLA_ACTOR, kind=kind, from_stage=label,
            to_stage=label, data={"assignee": to, "before": {"assignee_id": previous}},
        ))  # fmt: skip
    return moved


class LeadChanged(Exception):
    """A lead changed while it was being offered: nothing of the offer is kept."""


def sweep(
    sessions: sessionmaker[Session],
    *,
    roles: RoleDirectory,
    tz: ZoneInfo,
    now: datetime,
    assign: Assign | None = None,
) -> Counter[str]:
    """Act on every SLA deadline passed at `now`, once each; how many of each kind were
    done by this sweep. `assign` picks a round-robin seller (`rotation.assign`)."""
    with session_scope(sessions) as session:
        policy = current_policy(session)
    calendar = policy.calendar(tz)
    sweeper = _Sweeper(sessions, policy, calendar, roles, now, assign)
    sweeper.first_touch_and_attempts()
    sweeper.unclaimed()
    if sweeper.done:
        logger.info("SLA sweep at %s: %s", now.isoformat(), dict(sweeper.done))
    return sweeper.done


class _Sweeper:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        policy: Policy,
        calendar: Calendar,
        roles: RoleDirectory,
        now: datetime,
        assign: Assign | None,
    ):
        self.sessions = sessions
        self.policy = policy
        self.calendar = calendar
        self.roles = roles
        self.now = now
        self.assign = assign
        self.done: Counter[str] = Counter()

    # -- accepted leads: first touch and the attempts window --------------------------------

    def first_touch_and_attempts(self) -> None:
        # Business time never runs faster than the wall clock: nothing accepted since this
        # instant can have a deadline (or a reminder) passed.
        allowance = float(self.policy.first_touch_minutes * REMIND_AT)
        earliest = min(allowance, self.policy.attempts_window_days * 24 * 60)
        with session_scope(self.sessions) as session:
            rows = queries.accepted_without_contact(
                session,
                accepted_before=self.now - timedelta(minutes=earliest),
                finished=ATTEMPTS_MISSING,
                limit=BATCH,
            )
            session.expunge_all()
        for lead, card_channel in rows:
            if card_channel is None:
                continue  # never posted: nothing to link to, nobody saw it
            due = first_touch_due(lead, self.policy, self.calendar)
            if due is not None:
                self._first_touch(lead, card_channel, due)
            ends = attempts_due(lead, self.policy, self.calendar)
            if self.now >= ends:
                self._attempts_window(lead, card_channel, ends)

    def _first_touch(self, lead: Lead, card_channel: str, due: datetime) -> None:
        if self.now >= due:
            late = math.floor(self.calendar.business_minutes_between(due, self.now))
            params = {
                "owner": lead.owner_id,
                "when": lead.accepted_at.isoformat(),
                "allowed": self.policy.first_touch_minutes,
                "late": late,
            }
            self._once(lead, FIRST_TOUCH_LATE, due, lead.owner_id, lambda session: self._escalate(
                session, lead, card_channel, "sla.escalation.first_touch", params, redraw=True
            ))  # fmt: skip
            return
        remind = self.calendar.add_business_minutes(
            lead.accepted_at, float(self.policy.first_touch_minutes * REMIND_AT)
        )
        if self.now < remind:
            return
        left = math.ceil(self.calendar.business_minutes_between(self.now, due))
        params = {"when": due.isoformat(), "left": left}
        self._once(lead, REMINDER, due, lead.owner_id, lambda session: notices.direct(
            session, user_id=lead.owner_id, lead_id=lead.id, card_channel=card_channel,
            key="sla.reminder.first_touch", params=params, at=self.now,
        ))  # fmt: skip

    def _attempts_window(self, lead: Lead, card_channel: str, ends: datetime) -> None:
        days = self.policy.attempts_window_days
        if lead.attempts >= self.policy.attempts_min:
            self._once(lead, GIVE_UP, ends, lead.owner_id, lambda session: self._give_up(
                session, lead, card_channel
            ))  # fmt: skip
            return
        params = {
            "owner": lead.owner_id,
            "attempts": lead.attempts,
            "needed": self.policy.attempts_min,
            "days": days,
        }
        self._once(lead, ATTEMPTS_MISSING, ends, lead.owner_id, lambda session: self._escalate(
            session, lead, card_channel, "sla.escalation.attempts", params
        ))  # fmt: skip

    def _give_up(self, session: Session, lead: Lead, card_channel: str) -> bool:
        exit_ = Exit.NURTURE if self.policy.give_up == "nurture" else Exit.REJECTED
        action = Action.NURTURE if exit_ is Exit.NURTURE else Action.REJECT
        outcome = perform(
            session,
            lead_id=lead.id,
            action=action,
            actor=SLA_ACTOR,
            at=self.now,
            reason=GIVE_UP_REASON,
            data={"attempts": lead.attempts, "seller": lead.owner_id},
        )
        if not outcome.done:
            return False
        line_params = {
            "owner": lead.owner_id,
            "state": exit_.value,
            "attempts": lead.attempts,
            "days": self.policy.attempts_window_days,
        }
        notices.queue(session, notices.card_and_thread(
            lead_id=lead.id, channel_id=card_channel, key="thread.gave_up", params=line_params,
            at=self.now,
        ))  # fmt: skip
        if self.roles.marketing_channel:
            notices.feedback(
                session,
                lead_id=lead.id,
                marketing_channel=self.roles.marketing_channel,
                card_channel=card_channel,
                user_id=lead.owner_id,
                exit_=exit_.value,
                reason=GIVE_UP_REASON,
                note=None,
                rating=None,
                verdict_event=outcome.event.id,
                at=self.now,
            )
        return True

    # -- cards nobody accepted -------------------------------------------------------------

    def unclaimed(self) -> None:
        wait = timedelta(minutes=self.policy.unclaimed_after_minutes)
        round_robin = self.policy.assignment == "round_robin"
        with session_scope(self.sessions) as session:
            rows = queries.unclaimed_cards(
                session,
                posted_before=self.now - wait,
                escalated=UNCLAIMED_LATE,
                reoffered=REOFFER,
                reoffers=REOFFERS_MAX if round_robin else 1,
                limit=BATCH,
            )
            session.expunge_all()
        for lead, card_channel, posted_at in rows:
            self._unclaimed_card(lead, card_channel, posted_at, round_robin)

    def _unclaimed_card(
        self, lead: Lead, card_channel: str, posted_at: datetime, round_robin: bool
    ) -> None:
        last_reoffer = REOFFERS_MAX if round_robin else 1
        passed = self._deadlines_passed(posted_at, last=max(last_reoffer, ESCALATE_UNCLAIMED_AT))
        if not passed:
            return
        if len(passed) >= ESCALATE_UNCLAIMED_AT:
            deadline = passed[ESCALATE_UNCLAIMED_AT - 1]
            params = {
                "user": lead.assignee_id,
                "minutes": ESCALATE_UNCLAIMED_AT * self.policy.unclaimed_after_minutes,
            }
            key = "sla.escalation.unclaimed_offered" if lead.assignee_id else (
                "sla.escalation.unclaimed"
            )  # fmt: skip
            self._once(lead, UNCLAIMED_LATE, deadline, lead.assignee_id, lambda session: (
                self._escalate(session, lead, card_channel, key, params)
            ))  # fmt: skip
        number = min(len(passed), last_reoffer)
        self._once(lead, REOFFER, passed[number - 1], lead.assignee_id, lambda session: (
            self._reoffer(session, lead, card_channel, round_robin)
        ))  # fmt: skip

    def _deadlines_passed(self, posted_at: datetime, *, last: int) -> list[datetime]:
        passed = []
        for number in range(1, last + 1):
            deadline = offer_deadline(posted_at, number, self.policy, self.calendar)
            if deadline > self.now:
                break
            passed.append(deadline)
        return passed

    def _reoffer(self, session: Session, lead: Lead, card_channel: str, round_robin: bool) -> bool:
        previous = lead.assignee_id
        successor = None
        if round_robin:
            successor = (self.assign or rotation.assign)(
                session,
                channel_id=card_channel,
                policy=self.policy,
                roles=self.roles,
                at=self.now,
                exclude=previous,
            )
        if successor != previous:
            if not _hand(session, lead, previous=previous, to=successor, kind="reoffered",
                         at=self.now):  # fmt: skip
                return False  # accepted or changed meanwhile: nothing to re-offer
            notices.refresh_card(session, lead_id=lead.id, channel_id=card_channel, at=self.now)
        minutes = self.policy.unclaimed_after_minutes
        if successor:
            key, params = "thread.reoffered_to", {"user": successor, "minutes": minutes}
        else:
            key, params = "thread.reoffered", {"minutes": minutes}
        notices.thread_line(
            session, lead_id=lead.id, channel_id=card_channel, key=key, params=params,
            at=self.now, broadcast=True,
        )  # fmt: skip
        return True

    # -- the pieces ------------------------------------------------------------------------

    def _escalate(
        self,
        session: Session,
        lead: Lead,
        card_channel: str,
        key: str,
        params: dict,
        *,
        redraw: bool = False,
    ) -> bool:
        """Tell the managers: in their channel, or each listed manager directly; `redraw`:
        the card too, so its clock shows how late it is."""
        if redraw:
            notices.refresh_card(session, lead_id=lead.id, channel_id=card_channel, at=self.now)
        if self.roles.managers_channel:
            notices.alert(
                session,
                channel_id=self.roles.managers_channel,
                lead_id=lead.id,
                card_channel=card_channel,
                key=key,
                params=params,
                at=self.now,
            )
        else:
            for manager in self.roles.managers:
                notices.direct(
                    session,
                    user_id=manager,
                    lead_id=lead.id,
                    card_channel=card_channel,
                    key=key,
                    params=params,
                    at=self.now,
                )
        return True

    def _once(
        self,
        lead: Lead,
        kind: str,
        deadline: datetime,
        user_id: str | None,
        act: Callable[[Session], object],
    ) -> None:
        """Record (lead, kind, deadline) and `act`, in one transaction; nothing when another
        sweep recorded it first, when the lead (read again, locked) is no longer as the
        sweep saw it, or when `act` finds it changed (returns False)."""
        try:
            with session_scope(self.sessions) as session:
                current = session.get(Lead, lead.id, with_for_update=True)
                if current is None or not _as_seen(current, lead):
                    return
                if not queries.add_sla_alert(
                    session, lead_id=lead.id, kind=kind, deadline=deadline, user_id=user_id,
                    at=self.now,
                ):  # fmt: skip
                    return
                if act(session) is False:
                    raise _Changed
        except _Changed:
            return
        self.done[kind] += 1


def _as_seen(current: Lead, seen: Lead) -> bool:
    """Whether the lead is still in the state, with the owner, assignee and attempts, the
    sweep decided on."""
    return (
        current.stage == seen.stage
        and current.exit == seen.exit
        and current.owner_id == seen.owner_id
        and current.assignee_id == seen.assignee_id
        and current.first_touch_at == seen.first_touch_at
        and current.contacted_at == seen.contacted_at
        and current.attempts == seen.attempts
    )


class _Changed(Exception):
    """The lead changed under the sweep: its alert is rolled back with everything else."""
