"""SLA reviews end to end, through the real server and the fake Slack: the meeting's start
message in the managers, marketing and sales channels; an item added with the reminder's
button (a bad lead id refused in the modal first) showing in the next reminder with who
added it, and one added from the App Home; Mark reviewed refused to a seller, and by a
manager closing what the meeting discussed and saying so in the reminder's thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from desk import Desk, value
from liveserver import run_bot, wait_until
from slackkit import payloads
from slackkit.workspace import ALICE, BRUNO, CARLA, MANAGERS, MARKETING, SALES
from sqlmodel import select

from bot import review_delivery
from bot.config import load_settings
from bot.runtime import build_runtime
from handlers.slack import ids
from handlers.slack.delivery import MESSAGE_EVENT
from storage.db import session_scope
from storage.models import AgendaItem, Contest, Lead, LeadEvent, ReviewMeeting

pytestmark = pytest.mark.any_backend


@dataclass(frozen=True)
class Meetings:
    """A meeting every week; this week's started half an hour ago, so `serve` catches its
    start message up when it starts (inside the hour of grace), and the next is a week
    ahead. Made when the test runs, however long after collection that is."""

    meeting: datetime
    schedule: str

    @property
    def next(self) -> datetime:
        return self.meeting + timedelta(weeks=1)

    @property
    def when(self) -> str:
        return f"{self.meeting:%A} {self.meeting:%Y-%m-%d %H:%M}"


CHANNELS = (MANAGERS, MARKETING, SALES)


@pytest.fixture
def meetings() -> Meetings:
    meeting = (datetime.now(UTC) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    first = meeting - timedelta(weeks=1)
    schedule = f"every week {first:%a} {first:%H:%M} from {first.date().isoformat()}".lower()
    return Meetings(meeting, schedule)


@pytest.fixture
def review_env(team_env, meetings):
    return team_env | {"SLA_REVIEW_SCHEDULE": meetings.schedule}


@pytest.fixture
def desk(review_env, fake_slack, slack_signer, sessions, engine, tmp_path):
    with run_bot(review_env, tmp_path) as bot:
        yield Desk(bot, fake_slack, slack_signer, sessions)


def reminders(desk: Desk, channel: str) -> list:
    return [
        m
        for m in desk.fake.messages(channel)
        if (m.metadata or {}).get("event_type") == MESSAGE_EVENT and m.thread_ts is None
    ]


def started(desk: Desk, channel: str = SALES):
    """The meeting's start message in `channel`, once it is there."""
    return wait_until(lambda: reminders(desk, channel), timeout=15)[0]


def button_value(message, action_id: str) -> str:
    [actions] = [b for b in message.blocks if b.get("block_id") == ids.REVIEW_ACTIONS]
    return next(e["value"] for e in actions["elements"] if e["action_id"] == action_id)


def click(desk: Desk, action_id: str, user: str, *, message=None) -> None:
    """Click a reminder's button in the sales channel, or (no `message`) the App Home's."""
    if message is None:
        home = {"id": "V0HOME", "type": "home", "blocks": []}
        payload = payloads.block_actions(action_id, value="next", user_id=user, view=home)
    else:
        shown = {"type": "message", "ts": message.ts, "text": message.text}
        payload = payloads.block_actions(
            action_id, value=button_value(message, action_id), user_id=user,
            channel_id=SALES, message=shown,
        )  # fmt: skip
    signed = desk.signer.interactive(payload)
    response = desk.bot.post("/slack/events", content=signed.body, headers=signed.headers)
    assert response.status_code == 200


def both_reminders(desk: Desk, channel: str) -> list | None:
    found = reminders(desk, channel)
    return found if len(found) == 2 else None


def item(text: str, lead: str = "") -> dict:
    values = value(ids.BLOCK_AGENDA_TEXT, payloads.text_input(text))
    return values | value(ids.BLOCK_AGENDA_LEAD, payloads.text_input(lead))


def agenda_items(desk: Desk) -> list[AgendaItem]:
    with desk.sessions() as session:
        return list(session.exec(select(AgendaItem).order_by(AgendaItem.id)))


def test_the_meeting_start_reaches_the_three_channels_once(desk, meetings):
    for channel in CHANNELS:
        message = started(desk, channel)
        assert message.blocks[0]["text"]["text"] == f"SLA review starts now · {meetings.when}"
    assert all(len(reminders(desk, channel)) == 1 for channel in CHANNELS)


def test_an_item_added_with_the_modal_is_on_the_next_reminder(desk, review_env, meetings):
    lead_id, _card = desk.hand_over()
    click(desk, ids.ACTION_REVIEW_ADD_ITEM, BRUNO, message=started(desk))
    modal = desk.opened_modal(ids.VIEW_AGENDA_ITEM)

    bad = desk.submit(modal, item("Price objections", "9999"), user=BRUNO).json()
    assert bad == {
        "response_action": "errors",
        "errors": {ids.BLOCK_AGENDA_LEAD: "There is no lead 9999 to link the agenda item to."},
    }
    not_a_number = desk.submit(modal, item("Price objections", "Lucía"), user=BRUNO).json()
    assert not_a_number["errors"] == {ids.BLOCK_AGENDA_LEAD: "A lead id is a number, like 12."}
    assert agenda_items(desk) == []

    accepted = desk.submit(modal, item("Price objections", str(lead_id)), user=BRUNO)
    assert accepted.status_code == 200
    [kept] = agenda_items(desk)
    assert (kept.text, kept.lead_id, kept.added_by) == ("Price objections", lead_id, BRUNO)
    wait_until(lambda: desk.answers_to(BRUNO), timeout=10)
    assert desk.answers_to(BRUNO) == [
        "Added to the agenda of the next SLA review; it stays there until a meeting discusses it."
    ]

    # The next meeting's reminder, queued as its job queues it, delivered by the server.
    runtime = build_runtime(load_settings(review_env, dotenv=False))
    try:
        review_delivery.queue_reminder(
            runtime, meeting=meetings.next, now=datetime.now(UTC), starting=False
        )
    finally:
        runtime.engine.dispose()
    for channel in CHANNELS:
        _start, upcoming = wait_until(lambda c=channel: both_reminders(desk, c), timeout=15)
        assert upcoming.blocks[0]["text"]["text"].startswith("SLA review in ")
        items = " ".join(
            b["text"]["text"]
            for b in upcoming.blocks
            if b.get("block_id", "").startswith("review_items")
        )
        assert "Price objections" in items and f"<@{BRUNO}>" in items
        assert f"(lead {lead_id}: Lucía García" in items


def test_an_item_added_from_the_app_home_is_confirmed_in_a_direct_message(desk):
    click(desk, ids.ACTION_REVIEW_ADD_ITEM, ALICE)
    modal = desk.opened_modal(ids.VIEW_AGENDA_ITEM)
    assert desk.submit(modal, item("Lead quality from the fair"), user=ALICE).status_code == 200
    [kept] = agenda_items(desk)
    assert (kept.text, kept.lead_id, kept.added_by) == ("Lead quality from the fair", None, ALICE)
    [told] = wait_until(lambda: desk.fake.messages("D0ALICE"), timeout=10)
    assert told.text.startswith("Added to the agenda of the next SLA review")


def test_mark_reviewed_is_for_managers_and_closes_what_the_meeting_discussed(desk, meetings):
    when = meetings.when
    before = meetings.meeting - timedelta(hours=1)
    with session_scope(desk.sessions) as session:
        lead = Lead(name="Bea", stage="profiled", exit="rejected", exit_reason="not_icp",
                    created_at=before, profiled_at=before, exited_at=before)  # fmt: skip
        session.add(lead)
        session.flush()
        verdict = LeadEvent(lead_id=lead.id, at=before, actor=ALICE, kind="reject",
                            reason_code="not_icp", to_stage="rejected")  # fmt: skip
        session.add(verdict)
        session.flush()
        session.add_all([
            Contest(lead_id=lead.id, exit_event_id=verdict.id, exit="rejected",
                    reason_code="not_icp", seller_id=ALICE, marketer_id=BRUNO,
                    text="They have budget.", created_at=before),
            AgendaItem(text="Lead quality", added_by=BRUNO, added_at=before),
        ])  # fmt: skip
    start = started(desk)

    click(desk, ids.ACTION_REVIEW_MARK_REVIEWED, ALICE, message=start)
    wait_until(lambda: desk.answers_to(ALICE), timeout=10)
    assert desk.answers_to(ALICE) == ["Only managers mark an SLA review meeting reviewed."]
    with desk.sessions() as session:
        assert list(session.exec(select(ReviewMeeting))) == []

    click(desk, ids.ACTION_REVIEW_MARK_REVIEWED, CARLA, message=start)
    wait_until(lambda: desk.answers_to(CARLA), timeout=10)
    assert desk.answers_to(CARLA) == [
        f"The meeting of {when} is marked reviewed: 1 agenda items and 1 contested verdicts closed."
    ]
    [line] = wait_until(
        lambda: [m for m in desk.fake.messages(SALES) if m.thread_ts == start.ts], timeout=10
    )
    assert line.text == f":white_check_mark: <@{CARLA}> marked the meeting of {when} reviewed."
    with desk.sessions() as session:
        [meeting] = session.exec(select(ReviewMeeting))
        assert meeting.reviewed_by == CARLA
        assert meeting.scheduled_for.replace(tzinfo=UTC) == meetings.meeting
        [closed] = session.exec(select(AgendaItem))
        assert closed.reviewed_in == meeting.id
        [contest] = session.exec(select(Contest))
        assert contest.reviewed_at is not None

    click(desk, ids.ACTION_REVIEW_MARK_REVIEWED, CARLA, message=start)  # a second click
    wait_until(lambda: len(desk.answers_to(CARLA)) == 2, timeout=10)
    assert desk.answers_to(CARLA)[1].startswith(
        f"The meeting of {when} was already marked reviewed by <@{CARLA}> at "
    )
    assert len([m for m in desk.fake.messages(SALES) if m.thread_ts == start.ts]) == 1
