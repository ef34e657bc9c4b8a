"""Delivery: where each outbox entry goes and whether a post may be in flight; routing rules.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as outbox:
        outbox.add_column(sa.Column("channel_id", sa.String(32)))
        outbox.add_column(sa.Column("posting_since", sa.DateTime(timezone=True)))
    op.create_table(
        "routing_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("match_key", sa.String(200), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("field", "match_key", name="uq_routing_rule_match"),
    )


def downgrade() -> None:
    op.drop_table("routing_rule")
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("posting_since")
        outbox.drop_column("channel_id")
