"""What each person's App Home shows: a seller's open leads, marketing's and managers' week.

A seller (by role, or because they hold an open lead) sees the leads they are working,
oldest hand-off first. A marketer or a manager sees this week's hand-off in figures and the
contests no SLA review has discussed yet. Someone with several roles gets each part; someone
with none gets nothing here (the view then only introduces the bot).

Every figure is an SQL aggregation and every list is capped in SQL, so the work is the same
whether a seller holds three leads or three thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.lifecycle import OPEN_STAGES
from bot.domain.roles import Role, RoleDirectory
from bot.domain.rotation import is_away
from bot.domain.scorecard import Period
from bot.domain.sla import current_policy
from bot.domain.vocabulary import Exit, Stage
from storage import queries

# How many rows each list shows at most; the rest are counted. Together they keep the view
# well within Slack's 100 blocks (one block per row).
LEADS_SHOWN = 40
CONTESTS_SHOWN = 20
TOP_REASONS = 3

_OPEN_STAGES = sorted(OPEN_STAGES, key=lambda stage: stage.rank)


@dataclass(frozen=True)
class CardPlace:
    """Where a lead's card is in Slack."""

    channel_id: str
    ts: str


@dataclass(frozen=True)
class LeadRef:
    """A lead as a list names it: who, and where its card is (None when it has none)."""

    id: int
    name: str
    company: str | None
    card: CardPlace | None


@dataclass(frozen=True)
class OpenLead:
    lead: LeadRef
    stage: Stage
    handed_over_at: datetime


@dataclass(frozen=True)
class SellerLeads:
    """The first `LEADS_SHOWN` of a seller's open leads, and how many there are in all."""

    leads: tuple[OpenLead, ...]
    total: int


@dataclass(frozen=True)
class WeekFigures:
    """The hand-off since Monday 00:00 in the team's time zone, until now."""

    since: datetime  # Monday 00:00, in `timezone`
    until: datetime
    timezone: str
    handed_over: int
    accepted: int
    rejected: int
    top_rejection_reasons: tuple[tuple[str | None, int], ...]  # (reason code, leads)
    lost: int
    nurture: int
    won: int
    revenue: float


@dataclass(frozen=True)
class OpenContest:
    """A marketer's objection to a seller's verdict, not yet discussed in a review."""

    id: int
    lead: LeadRef
    exit: Exit
    reason_code: str | None
    seller_id: str
    marketer_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ContestList:
    """The newest `CONTESTS_SHOWN` open contests, and how many are open in all."""

    contests: tuple[OpenContest, ...]
    total: int


@dataclass(frozen=True)
class Rotation:
    """A seller's place in the round-robin: away or on duty, and whether leads are assigned
    by round-robin now (else sellers claim them, and being away counts later)."""

    away: bool
    round_robin: bool


@dataclass(frozen=True)
class Home:
    """One person's App Home: each part is None when it is not theirs to see."""

    seller: SellerLeads | None = None
    week: WeekFigures | None = None
    contests: ContestList | None = None
    rotation: Rotation | None = None

    @property
    def has_role(self) -> bool:
        return any(part is not None for part in (self.seller, self.week, self.contests))


def home_for(
    session: Session, *, user_id: str, roles: RoleDirectory, now: datetime, tz: ZoneInfo
) -> Home:
    """`user_id`'s App Home at `now`: the parts their roles (and their open leads) give them;
    a seller by role also sees whether they are away from the round-robin."""
    mine = seller_leads(session, user_id=user_id)
    sells = roles.has_role(session, role=Role.SELLER, user_id=user_id)
    is_seller = sells or mine.total > 0
    place = seller_rotation(session, user_id=user_id) if sells else None
    watches_the_funnel = any(
        roles.has_role(session, role=role, user_id=user_id)
        for role in (Role.MARKETER, Role.MANAGER)
    )
    if not watches_the_funnel:
        return Home(seller=mine if is_seller else None, rotation=place)
    return Home(
        seller=mine if is_seller else None,
        week=week_figures(session, now=now, tz=tz),
        contests=open_contests(session),
        rotation=place,
    )


def seller_rotation(session: Session, *, user_id: str) -> Rotation:
    """Whether `user_id` is away from the round-robin, and whether it is in use."""
    return Rotation(
        away=is_away(session, user_id),
        round_robin=current_policy(session).assignment == "round_robin",
    )


def seller_leads(session: Session, *, user_id: str, limit: int = LEADS_SHOWN) -> SellerLeads:
    """The open leads `user_id` owns, oldest hand-off first (at most `limit`), and their
    number."""
    stages = [stage.value for stage in _OPEN_STAGES]
    rows = queries.open_leads_of_owner(session, owner_id=user_id, stages=stages, limit=limit)
    leads = tuple(
        OpenLead(
            lead=LeadRef(row.id, row.name, row.company, _card(row.card_channel, row.card_ts)),
            stage=Stage(row.stage),
            handed_over_at=row.handed_over_at,
        )
        for row in rows
    )
    total = (
        len(leads)
        if len(leads) < limit
        else queries.count_open_leads_of_owner(session, owner_id=user_id, stages=stages)
    )
    return SellerLeads(leads=leads, total=total)


def week_start(now: datetime, tz: ZoneInfo) -> datetime:
    """Monday 00:00 of `now`'s week, in `tz` (the scorecard's week)."""
    return Period.containing("week", now, tz).start.astimezone(tz)


def week_figures(session: Session, *, now: datetime, tz: ZoneInfo) -> WeekFigures:
    """The hand-off from Monday 00:00 (in `tz`) until `now`: leads handed over, accepted,
    won (with the value won) and gone each way, with the top reasons for not a fit."""
    since = week_start(now, tz)
    window = {"since": since, "until": now}
    handed_over, accepted, won = queries.count_stamped_between(
        session, columns=["profiled_at", "accepted_at", "won_at"], **window
    )
    exits = queries.exits_between(session, **window)
    reasons = queries.exit_reasons_between(
        session, exit=Exit.REJECTED.value, limit=TOP_REASONS, **window
    )
    return WeekFigures(
        since=since,
        until=now,
        timezone=tz.key,
        handed_over=handed_over,
        accepted=accepted,
        rejected=exits.get(Exit.REJECTED, 0),
        top_rejection_reasons=tuple(reasons),
        lost=exits.get(Exit.LOST, 0),
        nurture=exits.get(Exit.NURTURE, 0),
        won=won,
        revenue=queries.revenue_won_between(session, **window),
    )


def open_contests(session: Session, *, limit: int = CONTESTS_SHOWN) -> ContestList:
    """The contests no SLA review has discussed yet, newest first (at most `limit`), and
    their number."""
    rows = queries.open_contests(session, limit=limit)
    contests = tuple(
        OpenContest(
            id=contest.id,
            lead=LeadRef(contest.lead_id, name, company, _card(card_channel, card_ts)),
            exit=Exit(contest.exit),
            reason_code=contest.reason_code,
            seller_id=contest.seller_id,
            marketer_id=contest.marketer_id,
            text=contest.text,
            created_at=contest.created_at,
        )
        for contest, name, company, card_channel, card_ts in rows
    )
    total = len(contests) if len(contests) < limit else queries.count_open_contests(session)
    return ContestList(contests=contests, total=total)


def _card(channel_id: str | None, ts: str | None) -> CardPlace | None:
    return CardPlace(channel_id, ts) if channel_id and ts else None
