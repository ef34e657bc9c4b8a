"""On SQLite, the leads by the UTC hour they were created in (`substr(created_at, 1, 13)`),
carrying the stage, the value won and the creation time: a report of every lead broken
down by local hour or weekday groups this index's few thousand hours without sorting, then
moves them to local time. PostgreSQL groups by hashing and needs no such index.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_lead_by_utc_hour"


def sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if sqlite():
        columns = [sa.text("substr(created_at, 1, 13)"), "stage", "won_value", "created_at"]
        op.create_index(NAME, "lead", columns)


def downgrade() -> None:
    if sqlite():
        op.drop_index(NAME, table_name="lead")
