"""SLA enforcement: what the sweep did per lead and deadline (each once), the seller a lead
was offered to by round-robin, and each seller's place in a channel's rotation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lead") as lead:
        lead.add_column(sa.Column("assignee_id", sa.String(32)))
    op.create_index("ix_lead_stage_exit", "lead", ["stage", "exit"])
    op.create_table(
        "sla_alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("lead_id", "kind", "deadline", name="uq_sla_alert_deadline"),
    )
    op.create_index("ix_sla_alert_kind_created", "sla_alert", ["kind", "created_at"])
    op.create_table(
        "rotation_slot",
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("credit", sa.Float(), nullable=False),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rotation_slot")
    op.drop_index("ix_sla_alert_kind_created", table_name="sla_alert")
    op.drop_table("sla_alert")
    op.drop_index("ix_lead_stage_exit", table_name="lead")
    with op.batch_alter_table("lead") as lead:
        lead.drop_column("assignee_id")
