"""Marketers contest a seller's verdict; the objection stays open until an SLA review.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=False),
        sa.Column("exit_event_id", sa.Integer(), sa.ForeignKey("lead_event.id"), nullable=False),
        sa.Column("exit", sa.String(16), nullable=False),
        sa.Column("reason_code", sa.String(32)),
        sa.Column("seller_id", sa.String(64), nullable=False),
        sa.Column("marketer_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("exit_event_id", name="uq_contest_exit_event"),
    )
    op.create_index("ix_contest_open", "contest", ["reviewed_at", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_contest_open", table_name="contest")
    op.drop_table("contest")
