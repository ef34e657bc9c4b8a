"""The delivery outbox; one id-less lead per platform and email.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WITHOUT_ID = sa.text("external_id IS NULL AND email IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id")),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(64)),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
    )
    op.create_index("ix_outbox_pending", "outbox", ["done_at", "available_at"])
    op.create_index(
        "uq_lead_platform_email_without_id",
        "lead",
        ["platform", "email"],
        unique=True,
        sqlite_where=WITHOUT_ID,
        postgresql_where=WITHOUT_ID,
    )


def downgrade() -> None:
    op.drop_index("uq_lead_platform_email_without_id", table_name="lead")
    op.drop_table("outbox")
