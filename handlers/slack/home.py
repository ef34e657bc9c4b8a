"""The App Home tab: each person's part of the agreement, from `bot.domain.home`.

`build_home_view` is pure: a `Home`, the time, the team's language and a way to link to a
message in; a `home` view out. Lead data is escaped (a lead's name cannot ping `@channel` or
fake a mention) and every list is capped, so the view is valid whatever the data.
`publish_home` reads the database, builds the view and publishes it; it runs after the ack
(never on a request thread) and logs a failure instead of raising it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.domain.home import (
    CONTESTS_SHOWN,
    LEADS_SHOWN,
    ContestList,
    Home,
    LeadRef,
    OpenContest,
    OpenLead,
    Rotation,
    SellerLeads,
    WeekFigures,
    home_for,
)
from bot.domain.vocabulary import Exit, Stage
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers.slack import ids
from handlers.slack.blocks import (
    amount,
    button,
    context,
    escape,
    field,
    header,
    lead_title,
    mention,
    safe_url,
    section,
    shorten,
)
from handlers.slack.card import elapsed
from handlers.slack.identity import BotIdentity
from storage.types import utcnow

logger = logging.getLogger(__name__)

# The view's blocks. A row's block id is its prefix and the lead's (or contest's) id.
HOME_TITLE = "home_title"
HOME_INTRO = "home_intro"
HOME_COMMANDS = "home_commands"
HOME_LEADS_TITLE = "home_leads_title"
HOME_LEAD = "home_lead_"
HOME_LEADS_NONE = "home_leads_none"
HOME_LEADS_MORE = "home_leads_more"
HOME_WEEK_TITLE = "home_week_title"
HOME_WEEK_PERIOD = "home_week_period"
HOME_WEEK_FIGURES = "home_week_figures"
HOME_WEEK_REASONS = "home_week_reasons"
HOME_CONTESTS_TITLE = "home_contests_title"
HOME_CONTEST = "home_contest_"
HOME_CONTESTS_NONE = "home_contests_none"
HOME_CONTESTS_MORE = "home_contests_more"
HOME_FOOTER = "home_footer"
# A seller's place in the round-robin, and its button's values (what a click asks for).
HOME_ROTATION = "home_rotation"
HOME_ROTATION_NOTE = "home_rotation_note"
GO_AWAY, COME_BACK = "away", "back"
# The SLA review's part: a button to add an item to the next meeting's agenda.
HOME_REVIEW = "home_review"
NEXT_MEETING = "next"

# How much of a marketer's words a contest row quotes.
CONTEST_WORDS_MAX = 300

# `BotIdentity.message_link`: a link to the message (channel, ts), None when there is none.
MessageLink = Callable[[str, str], str | None]


def _no_link(channel_id: str, ts: str) -> None:
    return None


def build_home_view(
    home: Home,
    _: Translator,
    *,
    now: datetime,
    message_link: MessageLink = _no_link,
    review_items: bool = False,
) -> dict[str, Any]:
    """`home` as a Home tab at `now`: each part it holds, then what the bot is and its
    commands; only the introduction for someone with no role. `review_items`: SLA-review
    meetings are scheduled, and the tab offers to add an item to the next one's agenda."""
    blocks: list[dict] = [header(HOME_TITLE, _("home.title"))]
    if not home.has_role:
        blocks.append(section(HOME_INTRO, _("home.intro")))
        blocks.append(context(HOME_COMMANDS, _("home.commands")))
        return {"type": "home", "blocks": blocks}
    if home.rotation is not None:
        blocks += _rotation_part(home.rotation, _)
    if home.seller is not None:
        blocks += _seller_part(home.seller, _, now, message_link)
    if home.week is not None:
        blocks += _week_part(home.week, _)
    if home.contests is not None:
        blocks += _contests_part(home.contests, _, message_link)
    if review_items:
        line = section(HOME_REVIEW, _("review.home.line"))
        line["accessory"] = button(
            ids.ACTION_REVIEW_ADD_ITEM, _("review.button.add"), value=NEXT_MEETING
        )
        blocks.append(line)
    blocks.append(context(HOME_FOOTER, _("home.intro"), _("home.commands")))
    return {"type": "home", "blocks": blocks}


def _rotation_part(place: Rotation, _: Translator) -> list:
    """On duty or away, with the button that changes it; while sellers claim leads, a note
    that it counts once round-robin is on."""
    if place.away:
        line = section(HOME_ROTATION, _("rotation.home.away"))
        toggle = button(
            ids.ACTION_TOGGLE_AWAY, _("rotation.home.come_back"), value=COME_BACK, style="primary"
        )
    else:
        line = section(HOME_ROTATION, _("rotation.home.on_duty"))
        toggle = button(ids.ACTION_TOGGLE_AWAY, _("rotation.home.go_away"), value=GO_AWAY)
    line["accessory"] = toggle
    if place.round_robin:
        return [line]
    return [line, context(HOME_ROTATION_NOTE, _("rotation.claim_mode"))]


def _seller_part(mine: SellerLeads, _: Translator, now: datetime, link: MessageLink) -> list:
    total = max(mine.total, len(mine.leads))
    blocks = [header(HOME_LEADS_TITLE, _("home.leads.title", count=total))]
    if not mine.leads:
        blocks.append(section(HOME_LEADS_NONE, _("home.leads.none")))
    shown = mine.leads[:LEADS_SHOWN]
    blocks += [_lead_row(item, _, now, link) for item in shown]
    if total > len(shown):
        blocks.append(context(HOME_LEADS_MORE, _("home.more", count=total - len(shown))))
    return [*blocks, {"type": "divider"}]


def _lead_row(item: OpenLead, _: Translator, now: datetime, link: MessageLink) -> dict:
    since = elapsed(item.handed_over_at, now, _)
    state = _("home.leads.line", state=_.stage(item.stage), elapsed=since)
    row = section(f"{HOME_LEAD}{item.lead.id}", f"*{lead_title(item.lead, _)}*\n{state}")
    return _with_card_button(row, item.lead, _, link)


def _week_part(week: WeekFigures, _: Translator) -> list:
    won = _("home.week.won_value", count=week.won, revenue=amount(week.revenue))
    figures = [
        (_("home.week.handed_over"), str(week.handed_over)),
        (_("home.week.accepted"), str(week.accepted)),
        (_.exit(Exit.REJECTED), str(week.rejected)),
        (_.exit(Exit.LOST), str(week.lost)),
        (_.exit(Exit.NURTURE), str(week.nurture)),
        (_.stage(Stage.WON), won),
    ]
    period = _(
        "home.week.period", date=week.since.date().isoformat(), timezone=escape(week.timezone)
    )
    blocks = [
        header(HOME_WEEK_TITLE, _("home.week.title")),
        context(HOME_WEEK_PERIOD, period),
        {
            "type": "section",
            "block_id": HOME_WEEK_FIGURES,
            "fields": [field(label, value) for label, value in figures],
        },
    ]
    if week.top_rejection_reasons:
        lines = [f"*{_('home.week.reasons')}*"] + [
            _("home.week.reason", reason=_.reason(code) if code else "—", count=count)
            for code, count in week.top_rejection_reasons
        ]
        blocks.append(section(HOME_WEEK_REASONS, "\n".join(lines)))
    return [*blocks, {"type": "divider"}]


def _contests_part(open_: ContestList, _: Translator, link: MessageLink) -> list:
    total = max(open_.total, len(open_.contests))
    blocks = [header(HOME_CONTESTS_TITLE, _("home.contests.title", count=total))]
    if not open_.contests:
        blocks.append(section(HOME_CONTESTS_NONE, _("home.contests.none")))
    shown = open_.contests[:CONTESTS_SHOWN]
    blocks += [_contest_row(contest, _, link) for contest in shown]
    if total > len(shown):
        blocks.append(context(HOME_CONTESTS_MORE, _("home.more", count=total - len(shown))))
    return [*blocks, {"type": "divider"}]


def _contest_row(contest: OpenContest, _: Translator, link: MessageLink) -> dict:
    verdict = _.exit(contest.exit)
    if contest.reason_code:
        verdict = f"{verdict} ({_.reason(contest.reason_code)})"
    line = _(
        "home.contests.line",
        marketer=mention(contest.marketer_id) or "—",
        seller=mention(contest.seller_id) or "—",
        verdict=verdict,
    )
    # One line of the marketer's words: a newline could end the quote and start markup.
    words = shorten(" ".join(contest.text.split()), CONTEST_WORDS_MAX)
    quote = _("home.contests.words", text=escape(words))
    row = section(
        f"{HOME_CONTEST}{contest.id}", f"*{lead_title(contest.lead, _)}*\n{line}\n{quote}"
    )
    return _with_card_button(row, contest.lead, _, link)


def _with_card_button(row: dict, lead: LeadRef, _: Translator, link: MessageLink) -> dict:
    """The row with a button to the lead's card, when there is a card to link to."""
    url = safe_url(link(lead.card.channel_id, lead.card.ts)) if lead.card else None
    if url:
        row["accessory"] = button(ids.ACTION_OPEN_CARD, _("home.open_card"), url=url)
    return row


def publish_home(
    runtime: Runtime, client: WebClient, identity: BotIdentity | None, user_id: str
) -> None:
    """Publish `user_id`'s App Home as the database has it now.

    Calls Slack, so it runs off the request thread (see `publish_home_after_ack`); a failure
    is logged with its traceback, never raised. Without a known identity the rows have no
    link to their cards.
    """
    try:
        now = utcnow()
        with runtime.sessions() as session:
            home = home_for(
                session,
                user_id=user_id,
                roles=runtime.roles,
                now=now,
                tz=runtime.settings.timezone,
            )
        link = identity.message_link if identity is not None else _no_link
        view = build_home_view(
            home, runtime.translate, now=now, message_link=link,
            review_items=bool(runtime.settings.sla_review_schedule),
        )  # fmt: skip
        client.views_publish(user_id=user_id, view=view)
    except Exception:
        logger.exception("App Home for %s not published", user_id)


def publish_home_after_ack(context: BoltContext, client: WebClient, *, user_id: str) -> None:
    """From a listener: refresh `user_id`'s App Home once the request is answered (on
    `runtime.after_ack`), with the runtime and identity the listener's context carries."""
    runtime: Runtime = context["runtime"]
    runtime.home_viewers.add(user_id)
    runtime.after_ack.submit(publish_home, runtime, client, context.get("identity"), user_id)


def refresh_after_action(context: BoltContext, client: WebClient, *user_ids: str) -> None:
    """After people's own action on a lead: refresh the App Home of those among them who
    opened it since start (the rest see it fresh when they open it), after the ack."""
    runtime: Runtime = context["runtime"]
    for user_id in dict.fromkeys(user_ids):
        if user_id in runtime.home_viewers:
            runtime.after_ack.submit(
                publish_home, runtime, client, context.get("identity"), user_id
            )
