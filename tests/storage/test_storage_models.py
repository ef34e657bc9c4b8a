"""Leads, the event log, identity and timestamps against a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from storage import queries
from storage.db import session_scope
from storage.models import ChannelMember, Lead, LeadEvent, SentMessage


def make_lead(**overrides) -> Lead:
    fields = {"name": "Lucía García", "email": "lucia@andino.example", "platform": "api"}
    return Lead(**(fields | overrides))


def test_a_lead_is_stored_with_its_fields_and_read_back_identically(sessions):
    created = datetime(2026, 10, 5, 14, 30, tzinfo=UTC)
    with session_scope(sessions) as session:
        lead = queries.add_lead(
            session,
            lead=make_lead(
                external_id="rd-1",
                company="Grupo Andino",
                score=87.5,
                custom_fields={"Cargo": "Gerente", "visits": 3},
                created_at=created,
            ),
        )
        lead_id = lead.id
    with sessions() as session:
        stored = session.get(Lead, lead_id)
    assert isinstance(lead_id, int)
    assert stored.company == "Grupo Andino"
    assert stored.score == 87.5
    assert stored.custom_fields == {"Cargo": "Gerente", "visits": 3}
    assert stored.stage == "lead" and stored.exit is None and stored.attempts == 0
    assert stored.created_at == created


def test_timestamps_come_back_timezone_aware_in_utc(sessions):
    mexico = timezone(timedelta(hours=-6))
    with session_scope(sessions) as session:
        lead = queries.add_lead(
            session, lead=make_lead(profiled_at=datetime(2026, 11, 2, 9, 0, tzinfo=mexico))
        )
        lead_id = lead.id
    with sessions() as session:
        stored = session.get(Lead, lead_id)
    assert stored.profiled_at.tzinfo is not None
    assert stored.profiled_at.utcoffset() == timedelta(0)
    assert stored.profiled_at == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    assert stored.received_at.tzinfo is not None


def test_a_naive_timestamp_is_refused(sessions):
    with sessions() as session:
        session.add(make_lead(created_at=datetime(2026, 1, 1, 12, 0)))
        with pytest.raises(StatementError, match="timezone-aware"):
            session.flush()


def test_the_same_platform_and_external_id_cannot_be_stored_twice(sessions):
    with session_scope(sessions) as session:
        queries.add_lead(session, lead=make_lead(platform="rdstation", external_id="42"))
    with sessions() as session, pytest.raises(IntegrityError):
        queries.add_lead(session, lead=make_lead(platform="rdstation", external_id="42"))


def test_identity_is_per_platform_and_leads_without_ids_do_not_collide(sessions):
    with session_scope(sessions) as session:
        queries.add_lead(session, lead=make_lead(platform="rdstation", external_id="42"))
        queries.add_lead(session, lead=make_lead(platform="hubspot", external_id="42"))
        queries.add_lead(session, lead=make_lead(email="a@x.example"))
        queries.add_lead(session, lead=make_lead(email="b@x.example"))
    with sessions() as session:
        assert queries.count_leads(session) == 4
        (found,) = queries.leads_matching_identities(
            session, platform="hubspot", external_ids=["42"], emails=[]
        )
        assert found is not None and found.external_id == "42"
        (by_email,) = queries.leads_matching_identities(
            session, platform="api", external_ids=[], emails=["b@x.example"]
        )
        assert by_email is not None and by_email.email == "b@x.example"
        assert (
            queries.leads_matching_identities(
                session, platform="hubspot", external_ids=[], emails=["b@x.example"]
            )
            == []
        )


def test_events_keep_a_leads_history_in_order(sessions):
    start = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    with session_scope(sessions) as session:
        lead = queries.add_lead(session, lead=make_lead())
        for minutes, kind in ((30, "claimed"), (0, "handed_over"), (90, "exit")):
            queries.add_event(
                session,
                event=LeadEvent(
                    lead_id=lead.id,
                    at=start + timedelta(minutes=minutes),
                    actor="U0SELLER01" if kind != "handed_over" else "intake",
                    kind=kind,
                    from_stage="profiled" if kind == "exit" else None,
                    to_stage="rejected" if kind == "exit" else None,
                    reason_code="not_icp" if kind == "exit" else None,
                    note="Freelancer" if kind == "exit" else None,
                    data={"via": "test"},
                ),
            )
        lead_id = lead.id
    with sessions() as session:
        history = queries.lead_events(session, lead_id=lead_id)
    assert [e.kind for e in history] == ["handed_over", "claimed", "exit"]
    assert history[2].reason_code == "not_icp" and history[2].note == "Freelancer"
    assert history[0].actor == "intake" and history[0].data == {"via": "test"}


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_event_log_is_append_only(sessions, change):
    with session_scope(sessions) as session:
        lead = queries.add_lead(session, lead=make_lead())
        event = queries.add_event(
            session, event=LeadEvent(lead_id=lead.id, actor="intake", kind="handed_over")
        )
        event_id = event.id
    with sessions() as session:
        event = session.get(LeadEvent, event_id)
        if change == "update":
            event.note = "rewritten history"
        else:
            session.delete(event)
        with pytest.raises(ValueError, match="append-only"):
            session.flush()
    with sessions() as session:
        assert session.get(LeadEvent, event_id).note is None


def test_an_event_must_belong_to_a_stored_lead(sessions):
    with sessions() as session, pytest.raises(IntegrityError):
        queries.add_event(
            session, event=LeadEvent(lead_id=999_999, actor="intake", kind="handed_over")
        )


def test_a_sent_message_is_unique_per_channel_and_ts(sessions):
    with session_scope(sessions) as session:
        lead = queries.add_lead(session, lead=make_lead())
        session.add(SentMessage(lead_id=lead.id, kind="card", channel_id="C0SALES", ts="1.000100"))
    with sessions() as session:
        session.add(SentMessage(lead_id=None, kind="digest", channel_id="C0SALES", ts="1.000100"))
        with pytest.raises(IntegrityError):
            session.flush()


def test_channel_membership_is_one_row_per_channel_and_user(sessions):
    with session_scope(sessions) as session:
        session.add_all(
            [
                ChannelMember(channel_id="C0SALES", user_id="U0SELLER01"),
                ChannelMember(channel_id="C0SALES", user_id="U0SELLER02"),
                ChannelMember(channel_id="C0MANAGERS", user_id="U0SELLER01"),
            ]
        )
    with sessions() as session:
        members = session.exec(
            select(ChannelMember.user_id).where(ChannelMember.channel_id == "C0SALES")
        ).all()
        assert sorted(members) == ["U0SELLER01", "U0SELLER02"]
        session.add(ChannelMember(channel_id="C0SALES", user_id="U0SELLER01"))
        with pytest.raises(IntegrityError):
            session.flush()
