"""The top of the funnel: what the marketing platforms report per day, channel, source and
campaign (impressions, clicks and their own lead count), one row per key.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "marketing_metric",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        # "" for none, never NULL: the unique key below must hold on PostgreSQL too.
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("campaign", sa.String(200), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=False),
        sa.Column("clicks", sa.BigInteger(), nullable=False),
        sa.Column("leads", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "date", "channel", "source", "campaign", name="uq_marketing_metric_key"
        ),
        sa.CheckConstraint(
            "impressions >= 0 AND clicks >= 0 AND leads >= 0", name="ck_marketing_metric_counts"
        ),
    )


def downgrade() -> None:
    op.drop_table("marketing_metric")
