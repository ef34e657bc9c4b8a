"""The SLA policy and its history (one row per version), and the two SLA clocks of a lead
measured apart: routing delay (posted → accepted) and response time (accepted → first touch).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_policy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("version", name="uq_sla_policy_version"),
    )
    with op.batch_alter_table("lead") as lead:
        lead.add_column(sa.Column("routing_minutes", sa.Float()))
        lead.add_column(sa.Column("response_minutes", sa.Float()))


def downgrade() -> None:
    with op.batch_alter_table("lead") as lead:
        lead.drop_column("response_minutes")
        lead.drop_column("routing_minutes")
    op.drop_table("sla_policy")
