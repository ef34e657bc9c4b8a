"""The business time between each stage and the next, stored per lead when the later stage
is reached, so the funnel's medians are read from columns instead of computed per report.

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


def upgrade() -> None:
    with op.batch_alter_table("lead") as lead:
        for name in COLUMNS:
            lead.add_column(sa.Column(name, sa.Float()))


def downgrade() -> None:
    with op.batch_alter_table("lead") as lead:
        for name in reversed(COLUMNS):
            lead.drop_column(name)
