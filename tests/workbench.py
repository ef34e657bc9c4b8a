"""One sales team and its leads, for the domain tests of working a lead: who is who, and
small readers of what an action left behind."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from bot.domain import work
from bot.domain.roles import RoleDirectory
from bot.domain.vocabulary import Exit
from bot.domain.work import Who, WorkAnswer
from storage.db import session_scope
from storage.models import Lead, LeadEvent, OutboxEntry

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SALES = "C0SALES"
OWNER, SELLER, MARKETER, MANAGER, STRANGER = "U0OWNER", "U0SELLER", "U0MKT", "U0BOSS", "U0ZED"
ROLES = RoleDirectory((OWNER, SELLER), (MARKETER,), (MANAGER,), SALES, "C0MKT", "C0MGR")


def who(user: str) -> Who:
    return Who(user_id=user, channel_id=SALES, roles=ROLES)


def act(sessions, name: str, lead_id: int, user: str = OWNER, at=NOW, **details) -> WorkAnswer:
    with session_scope(sessions) as session:
        return getattr(work, name)(session, lead_id=lead_id, who=who(user), at=at, **details)


def lead(sessions, lead_id: int) -> Lead:
    with sessions() as session:
        return session.get(Lead, lead_id)


def kinds(sessions, lead_id: int) -> list[str]:
    with sessions() as session:
        statement = select(LeadEvent.kind).where(LeadEvent.lead_id == lead_id)
        return list(session.exec(statement.order_by(col(LeadEvent.id))))


def thread_lines(sessions) -> list[str]:
    with sessions() as session:
        entries = session.exec(select(OutboxEntry).where(OutboxEntry.kind == "thread_line"))
        return [e.payload["key"] for e in entries]


LOST = {"exit_": Exit.LOST, "reason": "price", "note": "Too expensive", "rating": 3}
