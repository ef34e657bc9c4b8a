"""The business time between each stage and the next, stored per lead when the later stage
is reached, so the funnel's medians are read from columns instead of computed per report;
and the funnel's indexes: the cohort's counts read from one covering index (which replaces
the plain index on `created_at`), each median from a partial index of the leads that have
the figure.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("profile_minutes", "contact_minutes", "qualify_minutes", "win_minutes")
MEDIANS = ("routing_minutes", "response_minutes", *COLUMNS)
FUNNEL = ("created_at", "stage", "exit", "exit_reason", "won_value")


def upgrade() -> None:
    with op.batch_alter_table("lead") as lead:
        for name in COLUMNS:
            lead.add_column(sa.Column(name, sa.Float()))
    op.drop_index("ix_lead_created_at", table_name="lead")
    op.create_index("ix_lead_funnel", "lead", list(FUNNEL))
    for name in MEDIANS:
        where = sa.text(f"{name} IS NOT NULL")
        op.create_index(f"ix_lead_{name}", "lead", ["created_at", name],
                        sqlite_where=where, postgresql_where=where)  # fmt: skip


def downgrade() -> None:
    for name in reversed(MEDIANS):
        op.drop_index(f"ix_lead_{name}", table_name="lead")
    op.drop_index("ix_lead_funnel", table_name="lead")
    op.create_index("ix_lead_created_at", "lead", ["created_at"])
    with op.batch_alter_table("lead") as lead:
        for name in reversed(COLUMNS):
            lead.drop_column(name)
