"""Indexes a report of every lead is grouped from without sorting: the leads by outcome
(stage, exit, reason; it replaces the SLA sweep's index on stage and exit, which it also
serves) and, on SQLite only, for each breakdown by a lead column, the leads by that
column (PostgreSQL groups by hashing). Each carries the stage, the value won and the
creation time, so the report reads the index alone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOME = ("stage", "exit", "exit_reason", "won_value", "created_at")
CARRIED = ("stage", "won_value", "created_at")
BREAKDOWNS = {
    "seller": "owner_id",
    "zone": "zone",
    "age": "age_range",
    "service": "service",
    "source": "source",
    "campaign": "campaign",
    "channel": "channel",
}


def sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.drop_index("ix_lead_stage_exit", table_name="lead")
    op.create_index("ix_lead_outcome", "lead", list(OUTCOME))
    if sqlite():
        for name, column in BREAKDOWNS.items():
            op.create_index(f"ix_lead_by_{name}", "lead", [column, *CARRIED])


def downgrade() -> None:
    if sqlite():
        for name in reversed(BREAKDOWNS):
            op.drop_index(f"ix_lead_by_{name}", table_name="lead")
    op.drop_index("ix_lead_outcome", table_name="lead")
    op.create_index("ix_lead_stage_exit", "lead", ["stage", "exit"])
