"""Sellers rate lead quality (1-5) when they close a lead.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lead") as lead:
        lead.add_column(sa.Column("quality_rating", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("lead") as lead:
        lead.drop_column("quality_rating")
