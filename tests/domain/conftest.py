"""Fixtures of the domain tests: a handed-over lead, and the same lead claimed."""

from __future__ import annotations

import pytest
from workbench import NOW, OWNER, ROLES, SALES

from bot.domain.claim import claim_lead
from storage.db import session_scope
from storage.models import Lead


@pytest.fixture
def lead_id(sessions) -> int:
    with session_scope(sessions) as session:
        lead = Lead(name="Lucía", stage="profiled", profiled_at=NOW, estimated_value=6667)
        session.add(lead)
        session.flush()
        return lead.id


@pytest.fixture
def claimed(sessions, lead_id) -> int:
    with session_scope(sessions) as session:
        claim_lead(session, lead_id=lead_id, user_id=OWNER, channel_id=SALES, roles=ROLES, at=NOW)
    return lead_id
