"""The tables. Values are plain strings and numbers; their meaning lives in `bot.domain`.

Families follow the SQLModel convention: `LeadBase` holds the generic lead's fields (the
intake contract), `Lead` adds identity, lifecycle and one timestamp per funnel stage reached.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Index,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow

NAME_MAX = 200
TEXT_MAX = 3000
URL_MAX = 2000


def _when(*, nullable: bool = True, default: bool = False) -> Any:
    """A UTC timestamp column; `default=True` stamps rows with the insertion time."""
    if default:
        return Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=nullable)
    return Field(default=None, sa_type=UTCDateTime(), nullable=nullable)


class LeadBase(SQLModel):
    """The generic lead as the intake receives it."""

    external_id: str | None = Field(default=None, max_length=NAME_MAX)
    source: str | None = Field(default=None, max_length=NAME_MAX)
    campaign: str | None = Field(default=None, max_length=NAME_MAX)
    channel: str | None = Field(default=None, max_length=NAME_MAX)
    name: str = Field(max_length=NAME_MAX)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    company: str | None = Field(default=None, max_length=NAME_MAX)
    job_title: str | None = Field(default=None, max_length=NAME_MAX)
    zone: str | None = Field(default=None, max_length=NAME_MAX)
    age_range: str | None = Field(default=None, max_length=NAME_MAX)
    service: str | None = Field(default=None, max_length=NAME_MAX)
    score: float | None = None
    summary: str | None = Field(default=None, sa_type=Text)
    history: str | None = Field(default=None, sa_type=Text)
    approach: str | None = Field(default=None, sa_type=Text)
    profile_url: str | None = Field(default=None, max_length=URL_MAX)
    estimated_value: float | None = None


# The columns of the indexes a report of every lead is grouped from (see `Lead`).
OUTCOME_INDEX = ("stage", "exit", "exit_reason", "won_value", "created_at")
BREAKDOWN_INDEX = ("stage", "won_value", "created_at")
# A lead's UTC hour of creation, as SQLite stores it: `2026-11-30 14` (its index and the
# report's query must spell it the same for SQLite to match them).
UTC_HOUR_TEXT = "substr(created_at, 1, 13)"
# The lead columns a report can be broken down by, under the report's names for them.
BREAKDOWN_INDEXES = {
    "zone": "zone",
    "service": "service",
    "source": "source",
    "campaign": "campaign",
    "channel": "channel",
    "age": "age_range",
    "seller": "owner_id",
}


class Lead(LeadBase, table=True):
    """A lead, its place in the funnel, and when it reached each stage.

    Identity is the platform plus its external id (unique); failing an id, the intake
    matches the platform and the normalised email (indexed, not unique).
    """

    __tablename__ = "lead"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_lead_platform_external_id"),
        Index("ix_lead_platform_email", "platform", "email"),
        # Without an external id, platform + email is the identity: one such lead per email.
        Index(
            "uq_lead_platform_email_without_id",
            "platform",
            "email",
            unique=True,
            sqlite_where=text("external_id IS NULL AND email IS NOT NULL"),
            postgresql_where=text("external_id IS NULL AND email IS NOT NULL"),
        ),
        # The funnel's cohort counts, from the index alone (also every `created_at` range).
        Index("ix_lead_funnel", "created_at", "stage", "exit", "exit_reason", "won_value"),
        # Each stage-to-stage median reads only the leads that have the figure.
        *(
            Index(
                f"ix_lead_{name}",
                "created_at",
                name,
                sqlite_where=text(f"{name} IS NOT NULL"),
                postgresql_where=text(f"{name} IS NOT NULL"),
            )
            for name in (
                "routing_minutes",
                "response_minutes",
                "profile_minutes",
                "contact_minutes",
                "qualify_minutes",
                "win_minutes",
            )
        ),
        Index("ix_lead_owner_stage", "owner_id", "stage"),
        # The SLA sweep's open leads (handed over or accepted, not left); and a report of
        # every lead groups them by outcome in this index's order, without sorting.
        Index("ix_lead_outcome", *OUTCOME_INDEX),
        # On SQLite, which groups by sorting, each breakdown of a report of every lead by a
        # lead column is grouped in its own index's order. PostgreSQL groups by hashing and
        # does better without them (a full scan of each of these indexes in order was slower
        # than hashing the table), and each would cost every update of a lead.
        *(
            Index(f"ix_lead_by_{name}", column, *BREAKDOWN_INDEX).ddl_if(dialect="sqlite")
            for name, column in BREAKDOWN_INDEXES.items()
        ),
        # The same on SQLite for the local hour and weekday: the leads by the UTC hour they
        # were created in (the stored text's `YYYY-MM-DD HH`), whose few groups are then
        # moved to local time.
        Index("ix_lead_by_utc_hour", text(UTC_HOUR_TEXT), *BREAKDOWN_INDEX).ddl_if(
            dialect="sqlite"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(default="api", max_length=32)
    phone_valid: bool = True
    custom_fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    # The furthest stage reached (lead, profiled, accepted, contacted, qualified, won).
    stage: str = Field(default="lead", max_length=16)
    # rejected, lost or nurture once the lead left the funnel; None while open or won.
    exit: str | None = Field(default=None, max_length=16)
    exit_reason: str | None = Field(default=None, max_length=32)
    owner_id: str | None = Field(default=None, max_length=32)
    # The seller round-robin offered it to, until someone accepts it (then the owner).
    assignee_id: str | None = Field(default=None, max_length=32)
    attempts: int = 0
    won_value: float | None = None
    # The seller's view of the lead's quality, 1-5, given when closing it.
    quality_rating: int | None = None
    # Business minutes (the SLA calendar's) from card posted to accepted (the routing delay),
    # and from accepted to first touch (the seller's response): measured apart.
    routing_minutes: float | None = None
    response_minutes: float | None = None
    # Business minutes from the stage before to each later stage, once reached: captured →
    # profiled, accepted → contacted, → qualified, → won (from the latest earlier stamp).
    profile_minutes: float | None = None
    contact_minutes: float | None = None
    qualify_minutes: float | None = None
    win_minutes: float | None = None
    created_at: datetime = _when(nullable=False, default=True)
    received_at: datetime = _when(nullable=False, default=True)
    updated_at: datetime = _when(nullable=False, default=True)
    profiled_at: datetime | None = _when()
    accepted_at: datetime | None = _when()
    first_touch_at: datetime | None = _when()
    contacted_at: datetime | None = _when()
    qualified_at: datetime | None = _when()
    won_at: datetime | None = _when()
    exited_at: datetime | None = _when()


class LeadEvent(SQLModel, table=True):
    """One move or action on a lead: append-only (see `storage.db` for the guard)."""

    __tablename__ = "lead_event"
    __table_args__ = (Index("ix_lead_event_lead_at", "lead_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", nullable=False)
    at: datetime = _when(nullable=False, default=True)
    # A Slack user id, or a system actor such as "intake" or "sla".
    actor: str = Field(max_length=64)
    # What happened: handed_over, claimed, attempt, stage, exit, reopened, reassigned…
    kind: str = Field(max_length=32)
    from_stage: str | None = Field(default=None, max_length=16)
    to_stage: str | None = Field(default=None, max_length=16)
    reason_code: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_type=Text)
    value: float | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class Person(SQLModel, table=True):
    """Someone the bot knows from Slack, with what they chose (away from round-robin)."""

    __tablename__ = "person"

    user_id: str = Field(primary_key=True, max_length=32)
    display_name: str | None = Field(default=None, max_length=NAME_MAX)
    away: bool = False
    updated_at: datetime = _when(nullable=False, default=True)


class ChannelMember(SQLModel, table=True):
    """The membership cache: who is in each channel the bot posts to.

    Roles fall back to these rows when a role's user list is empty, so a role check never
    asks Slack while a user waits.
    """

    __tablename__ = "channel_member"

    channel_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    synced_at: datetime = _when(nullable=False, default=True)


# What a `SentMessage` is (its `kind`) for the messages delivery posts.
CARD_MESSAGE = "card"
THREAD_MESSAGE = "thread_reply"
FEEDBACK_MESSAGE = "feedback"
DIRECT_MESSAGE = "direct"
ALERT_MESSAGE = "alert"
DIGEST_MESSAGE = "digest"
PREBUILT_MESSAGE = "message"  # rendered when queued: an SLA-review reminder, a line under it


class SentMessage(SQLModel, table=True):
    """A message the bot posted: where it is, so it can be updated or replied to."""

    __tablename__ = "sent_message"
    __table_args__ = (
        UniqueConstraint("channel_id", "ts", name="uq_sent_message_channel_ts"),
        Index("ix_sent_message_lead_kind", "lead_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    # card, thread_reply, feedback, digest, reminder, dm…
    kind: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = _when(nullable=False, default=True)


class ProcessedEvent(SQLModel, table=True):
    """Slack events already handled, by `event_id`: Slack retries events it thinks were lost."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = _when(nullable=False, default=True)


class OutboxEntry(SQLModel, table=True):
    """Something to deliver to chat, committed with the change that caused it.

    Written in the same transaction as the lead it concerns, so an accepted lead is never
    without its delivery; workers claim entries with a lease (`locked_until`), row locks
    keeping two workers off the same entry.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "done_at", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    # What to deliver: a lead card (handover) for now.
    kind: str = Field(max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = _when(nullable=False, default=True)
    available_at: datetime = _when(nullable=False, default=True)
    attempts: int = 0
    locked_by: str | None = Field(default=None, max_length=64)
    locked_until: datetime | None = _when()
    done_at: datetime | None = _when()
    last_error: str | None = Field(default=None, sa_type=Text)
    # Where it goes, decided by the routing rules when first taken, then kept: a retry
    # must look for an earlier attempt's message where that attempt posted it.
    channel_id: str | None = Field(default=None, max_length=32)
    # Set just before a post is sent, cleared when Slack's answer says nothing was posted;
    # still set when a worker next takes the entry, the post may have happened.
    posting_since: datetime | None = _when()


class RoutingRule(SQLModel, table=True):
    """Leads of a zone or a service go to their own channel instead of the sales channel."""

    __tablename__ = "routing_rule"
    __table_args__ = (UniqueConstraint("field", "match_key", name="uq_routing_rule_match"),)

    id: int | None = Field(default=None, primary_key=True)
    # "zone" or "service": the lead field the rule reads.
    field: str = Field(max_length=16)
    value: str = Field(max_length=NAME_MAX)
    # The value as compared: case and surrounding spaces do not count.
    match_key: str = Field(max_length=NAME_MAX)
    channel_id: str = Field(max_length=32)
    created_at: datetime = _when(nullable=False, default=True)


class Contest(SQLModel, table=True):
    """A marketer's objection to a seller's verdict on a lead (not a fit, lost, nurture).

    One per verdict (the exit event it answers). Open until an SLA review discusses it
    (`reviewed_at`), so the review's agenda and the managers' views can list what is open.
    """

    __tablename__ = "contest"
    __table_args__ = (
        UniqueConstraint("exit_event_id", name="uq_contest_exit_event"),
        Index("ix_contest_open", "reviewed_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", nullable=False)
    exit_event_id: int = Field(foreign_key="lead_event.id", nullable=False)
    # The verdict as it was contested: its exit, reason and the seller who gave it.
    exit: str = Field(max_length=16)
    reason_code: str | None = Field(default=None, max_length=32)
    seller_id: str = Field(max_length=64)
    marketer_id: str = Field(max_length=64)
    # Why the marketer thinks the lead was a fit, in their words.
    text: str = Field(sa_type=Text)
    created_at: datetime = _when(nullable=False, default=True)
    reviewed_at: datetime | None = _when()


class JobRun(SQLModel, table=True):
    """One run of a scheduled job for one period (a week's digest, a meeting's reminder):
    the unique key makes a second firing for the same period, from a restart or another
    replica, a no-op."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_id", "period", name="uq_job_run_period"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=64)
    # Which occurrence: its local date and time in the team's timezone (`2026-12-03T10:00`).
    period: str = Field(max_length=64)
    due_at: datetime = _when(nullable=False)
    # running, done, failed, or skipped (missed beyond its grace window).
    status: str = Field(max_length=16)
    worker: str | None = Field(default=None, max_length=64)
    started_at: datetime = _when(nullable=False, default=True)
    finished_at: datetime | None = _when()
    detail: str | None = Field(default=None, sa_type=Text)


class SchedulerLease(SQLModel, table=True):
    """Which `serve` process runs the scheduled jobs: the holder renews its lease; when it
    stops (killed, cut off), another takes the lease once it has expired."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=64)
    expires_at: datetime = _when(nullable=False)


class SlaPolicy(SQLModel, table=True):
    """One version of the SLA policy: every change writes a new row, so the rows are the
    history, and the highest version is the policy in force. With no row, the defaults are.

    `values` holds every key as a person would type it back (`bot.domain.sla` reads it);
    `changed` lists the keys this version changed.
    """

    __tablename__ = "sla_policy"
    __table_args__ = (UniqueConstraint("version", name="uq_sla_policy_version"),)

    id: int | None = Field(default=None, primary_key=True)
    version: int
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # A Slack user id, or "cli" for the command line.
    changed_by: str = Field(max_length=64)
    changed_at: datetime = _when(nullable=False, default=True)


class SlaAlert(SQLModel, table=True):
    """Something the SLA sweep did about one lead and one deadline: a reminder, an
    escalation, a re-offer, a give-up. The unique key makes each happen once, whatever
    restarts, replicas or overlapping sweeps do; escalations are the breaches `/sla` counts.
    """

    __tablename__ = "sla_alert"
    __table_args__ = (
        UniqueConstraint("lead_id", "kind", "deadline", name="uq_sla_alert_deadline"),
        Index("ix_sla_alert_kind_created", "kind", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", nullable=False)
    kind: str = Field(max_length=32)
    deadline: datetime = _when(nullable=False)
    # The seller it concerned (the owner, or the assignee of an unaccepted lead), if any.
    user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = _when(nullable=False, default=True)


class RotationSlot(SQLModel, table=True):
    """One seller's place in a channel's round-robin: the share of leads they were due
    while eligible minus the leads they were given (`credit`), and how many they got."""

    __tablename__ = "rotation_slot"

    channel_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    credit: float = 0.0
    assigned: int = 0
    updated_at: datetime = _when(nullable=False, default=True)


class MarketingMetric(SQLModel, table=True):
    """What a marketing platform reported for one day, channel, source and campaign.

    `date` is the calendar day as the platform reports it (the team's day, not a UTC
    instant). A missing source or campaign is "" rather than NULL, so the unique key holds
    on PostgreSQL too (NULLs never clash there); a re-send of the same key replaces the
    figures.
    """

    __tablename__ = "marketing_metric"
    __table_args__ = (
        UniqueConstraint("date", "channel", "source", "campaign", name="uq_marketing_metric_key"),
        CheckConstraint(
            "impressions >= 0 AND clicks >= 0 AND leads >= 0", name="ck_marketing_metric_counts"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    date: dt.date = Field(sa_type=Date, nullable=False)
    channel: str = Field(max_length=NAME_MAX)
    source: str = Field(default="", max_length=NAME_MAX)
    campaign: str = Field(default="", max_length=NAME_MAX)
    impressions: int = Field(default=0, sa_type=BigInteger, nullable=False)
    clicks: int = Field(default=0, sa_type=BigInteger, nullable=False)
    # The platform's own count of leads, shown beside the bot's (never added to its cohort).
    leads: int = Field(default=0, sa_type=BigInteger, nullable=False)
    updated_at: datetime = _when(nullable=False, default=True)


AGENDA_TEXT_MAX = 2000


class ReviewMeeting(SQLModel, table=True):
    """One SLA-review meeting, by the occurrence of `SLA_REVIEW_SCHEDULE` it was held at
    (unique), and who marked it reviewed, when. The latest reviewed meeting is where the
    next agenda's data starts."""

    __tablename__ = "review_meeting"
    __table_args__ = (UniqueConstraint("scheduled_for", name="uq_review_meeting_scheduled_for"),)

    id: int | None = Field(default=None, primary_key=True)
    scheduled_for: datetime = _when(nullable=False)
    reviewed_at: datetime | None = _when()
    # A Slack user id, or "cli".
    reviewed_by: str | None = Field(default=None, max_length=64)


class AgendaItem(SQLModel, table=True):
    """Something a person asked the next SLA review to discuss, maybe about one lead.
    Open until a meeting marked reviewed takes it (`reviewed_in`)."""

    __tablename__ = "agenda_item"
    __table_args__ = (Index("ix_agenda_item_open", "reviewed_in", "added_at"),)

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=AGENDA_TEXT_MAX)
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    # A Slack user id, or "cli".
    added_by: str = Field(max_length=64)
    added_at: datetime = _when(nullable=False, default=True)
    reviewed_in: int | None = Field(default=None, foreign_key="review_meeting.id")
