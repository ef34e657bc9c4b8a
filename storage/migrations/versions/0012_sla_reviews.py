"""SLA-review meetings: the meetings marked reviewed, and the items people add to the next
meeting's agenda.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("reviewed_by", sa.String(64)),
        sa.UniqueConstraint("scheduled_for", name="uq_review_meeting_scheduled_for"),
    )
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id")),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_in", sa.Integer(), sa.ForeignKey("review_meeting.id")),
    )
    op.create_index("ix_agenda_item_open", "agenda_item", ["reviewed_in", "added_at"])


def downgrade() -> None:
    op.drop_index("ix_agenda_item_open", table_name="agenda_item")
    op.drop_table("agenda_item")
    op.drop_table("review_meeting")
