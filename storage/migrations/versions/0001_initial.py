"""Leads, their event log, people, the channel membership cache, sent messages.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("platform", 32, nullable=False),
        _text("external_id", 200),
        _text("source", 200),
        _text("campaign", 200),
        _text("channel", 200),
        _text("name", 200, nullable=False),
        _text("email", 320),
        _text("phone", 64),
        sa.Column("phone_valid", sa.Boolean(), nullable=False),
        _text("company", 200),
        _text("job_title", 200),
        _text("zone", 200),
        _text("age_range", 200),
        _text("service", 200),
        sa.Column("score", sa.Float()),
        sa.Column("summary", sa.Text()),
        sa.Column("history", sa.Text()),
        sa.Column("approach", sa.Text()),
        _text("profile_url", 2000),
        sa.Column("estimated_value", sa.Float()),
        sa.Column("custom_fields", sa.JSON()),
        _text("stage", 16, nullable=False),
        _text("exit", 16),
        _text("exit_reason", 32),
        _text("owner_id", 32),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("won_value", sa.Float()),
        _when("created_at", nullable=False),
        _when("received_at", nullable=False),
        _when("updated_at", nullable=False),
        _when("profiled_at"),
        _when("accepted_at"),
        _when("first_touch_at"),
        _when("contacted_at"),
        _when("qualified_at"),
        _when("won_at"),
        _when("exited_at"),
        sa.UniqueConstraint("platform", "external_id", name="uq_lead_platform_external_id"),
    )
    op.create_index("ix_lead_platform_email", "lead", ["platform", "email"])
    op.create_index("ix_lead_created_at", "lead", ["created_at"])
    op.create_index("ix_lead_owner_stage", "lead", ["owner_id", "stage"])

    op.create_table(
        "lead_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=False),
        _when("at", nullable=False),
        _text("actor", 64, nullable=False),
        _text("kind", 32, nullable=False),
        _text("from_stage", 16),
        _text("to_stage", 16),
        _text("reason_code", 32),
        sa.Column("note", sa.Text()),
        sa.Column("value", sa.Float()),
        sa.Column("data", sa.JSON()),
    )
    op.create_index("ix_lead_event_lead_at", "lead_event", ["lead_id", "at"])

    op.create_table(
        "person",
        _text("user_id", 32, nullable=False),
        _text("display_name", 200),
        sa.Column("away", sa.Boolean(), nullable=False),
        _when("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )

    op.create_table(
        "channel_member",
        _text("channel_id", 32, nullable=False),
        _text("user_id", 32, nullable=False),
        _when("synced_at", nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "user_id"),
    )

    op.create_table(
        "sent_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id")),
        _text("kind", 32, nullable=False),
        _text("channel_id", 32, nullable=False),
        _text("ts", 32, nullable=False),
        _text("thread_ts", 32),
        _when("created_at", nullable=False),
        sa.UniqueConstraint("channel_id", "ts", name="uq_sent_message_channel_ts"),
    )
    op.create_index("ix_sent_message_lead_kind", "sent_message", ["lead_id", "kind"])


def downgrade() -> None:
    for table in ("sent_message", "channel_member", "person", "lead_event", "lead"):
        op.drop_table(table)
