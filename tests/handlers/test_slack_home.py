"""The App Home as a pure builder: each role's parts, what hostile lead data cannot do to it,
and Slack's limits whatever the data, in both languages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slackkit.blockkit import MAX_VIEW_BLOCKS, check_view

from bot.domain.home import (
    CardPlace,
    ContestList,
    Home,
    LeadRef,
    OpenContest,
    OpenLead,
    SellerLeads,
    WeekFigures,
)
from bot.domain.vocabulary import Exit, Stage
from bot.i18n import Translator
from handlers.slack import home, ids

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
EN, ES = Translator("en"), Translator("es")
ALICE, BRUNO = "U0ALICE", "U0BRUNO"


def link(channel_id: str, ts: str) -> str:
    return f"https://acme.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"


def open_lead(lead_id: int, name: str = "Lucía García", **fields) -> OpenLead:
    return OpenLead(
        lead=LeadRef(
            id=lead_id,
            name=name,
            company=fields.pop("company", "Grupo Andino"),
            card=fields.pop("card", CardPlace("C0SALES", f"1700000000.{lead_id:06d}")),
        ),
        stage=fields.pop("stage", Stage.ACCEPTED),
        handed_over_at=fields.pop("handed_over_at", NOW - timedelta(days=2, hours=3)),
    )


def open_contest(contest_id: int, **fields) -> OpenContest:
    return OpenContest(
        id=contest_id,
        lead=fields.pop("lead", open_lead(100 + contest_id, "Rafa Ortiz", company=None).lead),
        exit=fields.pop("exit", Exit.REJECTED),
        reason_code=fields.pop("reason_code", "not_icp"),
        seller_id=fields.pop("seller_id", ALICE),
        marketer_id=fields.pop("marketer_id", BRUNO),
        text=fields.pop("text", "They match our ideal customer."),
        created_at=NOW - timedelta(hours=5),
    )


WEEK = WeekFigures(
    since=datetime(2026, 11, 23, tzinfo=SAO_PAULO),
    until=NOW,
    timezone="America/Sao_Paulo",
    handed_over=12,
    accepted=9,
    rejected=4,
    top_rejection_reasons=(("not_icp", 2), ("wrong_region", 1), ("duplicate", 1)),
    lost=2,
    nurture=1,
    won=3,
    revenue=15000.0,
)


def view_of(home_: Home, _: Translator = EN, **kwargs) -> dict:
    view = home.build_home_view(home_, _, now=NOW, message_link=kwargs.pop("message_link", link))
    assert check_view(view) == []
    block_ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    return view


def block(view: dict, block_id: str) -> dict:
    [found] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return found


def has_block(view: dict, block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in view["blocks"])


def text_of(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


def test_someone_with_no_role_gets_the_introduction():
    view = view_of(Home())

    assert view["type"] == "home"
    assert [b["type"] for b in view["blocks"]] == ["header", "section", "context"]
    assert block(view, home.HOME_INTRO)["text"]["text"] == EN("home.intro")
    assert block(view, home.HOME_COMMANDS)["elements"][0]["text"] == EN("home.commands")


def test_a_seller_sees_their_leads_with_state_time_and_a_link_to_each_card():
    mine = SellerLeads(
        leads=(
            open_lead(7, stage=Stage.CONTACTED),
            open_lead(8, "Rafa Ortiz", company=None, card=None, handed_over_at=NOW),
        ),
        total=2,
    )
    view = view_of(Home(seller=mine))

    assert block(view, home.HOME_LEADS_TITLE)["text"]["text"] == "Your open leads (2)"
    first = block(view, f"{home.HOME_LEAD}7")
    assert first["text"]["text"] == (
        "*Lucía García · Grupo Andino*\nContacted · handed over 2 d 3 h ago"
    )
    assert first["accessory"] == {
        "type": "button",
        "action_id": ids.ACTION_OPEN_CARD,
        "text": {"type": "plain_text", "text": "Open card"},
        "url": "https://acme.slack.com/archives/C0SALES/p1700000000000007",
    }
    second = block(view, f"{home.HOME_LEAD}8")
    assert second["text"]["text"] == "*Rafa Ortiz*\nAccepted (SAL) · handed over moments ago"
    assert "accessory" not in second  # no card to link to
    assert not has_block(view, home.HOME_WEEK_FIGURES)
    assert not has_block(view, home.HOME_CONTESTS_TITLE)
    # The introduction and the commands stay, at the bottom.
    footer = view["blocks"][-1]
    assert footer["block_id"] == home.HOME_FOOTER
    assert [e["text"] for e in footer["elements"]] == [EN("home.intro"), EN("home.commands")]


def test_a_seller_with_no_open_leads_is_told_so():
    view = view_of(Home(seller=SellerLeads(leads=(), total=0)))

    assert block(view, home.HOME_LEADS_TITLE)["text"]["text"] == "Your open leads (0)"
    assert block(view, home.HOME_LEADS_NONE)["text"]["text"] == EN("home.leads.none")


def test_without_a_known_identity_or_with_an_unsafe_link_there_is_no_button():
    mine = SellerLeads(leads=(open_lead(7),), total=1)

    unknown = view_of(Home(seller=mine), message_link=lambda channel, ts: None)
    unsafe = view_of(Home(seller=mine), message_link=lambda channel, ts: "javascript:alert(1)")

    assert "accessory" not in block(unknown, f"{home.HOME_LEAD}7")
    assert "accessory" not in block(unsafe, f"{home.HOME_LEAD}7")


def test_marketing_and_managers_see_the_week_and_the_open_contests():
    contests = ContestList(
        contests=(
            open_contest(2, exit=Exit.LOST, reason_code="price", text="Price never came up."),
            open_contest(1, lead=open_lead(5, card=None).lead, reason_code=None),
        ),
        total=2,
    )
    view = view_of(Home(week=WEEK, contests=contests))

    assert block(view, home.HOME_WEEK_TITLE)["text"]["text"] == "This week"
    assert block(view, home.HOME_WEEK_PERIOD)["elements"][0]["text"] == (
        "From Monday 2026-11-23, 00:00 (America/Sao_Paulo) until now"
    )
    assert [f["text"] for f in block(view, home.HOME_WEEK_FIGURES)["fields"]] == [
        "*Handed over*\n12",
        "*Accepted*\n9",
        "*Not a fit*\n4",
        "*Lost*\n2",
        "*Back to nurture*\n1",
        "*Won*\n3 · 15,000 won",
    ]
    assert block(view, home.HOME_WEEK_REASONS)["text"]["text"] == (
        "*Top reasons for not a fit*\n"
        "• Not our ideal customer: 2\n• Wrong region: 1\n• Duplicate: 1"
    )
    assert block(view, home.HOME_CONTESTS_TITLE)["text"]["text"] == "Open contests (2)"
    newest = block(view, f"{home.HOME_CONTEST}2")
    assert newest["text"]["text"] == (
        "*Rafa Ortiz*\n<@U0BRUNO> contests <@U0ALICE>'s verdict: *Lost (Price)*\n"
        "“Price never came up.”"
    )
    assert newest["accessory"]["url"] == "https://acme.slack.com/archives/C0SALES/p1700000000000102"
    older = block(view, f"{home.HOME_CONTEST}1")
    assert "verdict: *Not a fit*\n" in older["text"]["text"]
    assert "accessory" not in older
    # The contests come in the order given (newest first), after the week.
    ids_in_order = [b.get("block_id") for b in view["blocks"]]
    assert ids_in_order.index(home.HOME_WEEK_FIGURES) < ids_in_order.index(f"{home.HOME_CONTEST}2")
    assert ids_in_order.index(f"{home.HOME_CONTEST}2") < ids_in_order.index(f"{home.HOME_CONTEST}1")
    assert not has_block(view, home.HOME_LEADS_TITLE)


def test_a_quiet_week_has_no_reasons_and_no_contests():
    quiet = WeekFigures(WEEK.since, NOW, "UTC", 0, 0, 0, (), 0, 0, 0, 0.0)
    view = view_of(Home(week=quiet, contests=ContestList(contests=(), total=0)))

    assert not has_block(view, home.HOME_WEEK_REASONS)
    assert block(view, home.HOME_CONTESTS_NONE)["text"]["text"] == EN("home.contests.none")
    assert block(view, home.HOME_WEEK_FIGURES)["fields"][-1]["text"] == "*Won*\n0 · 0 won"


def test_someone_with_several_roles_sees_each_part_in_order():
    view = view_of(
        Home(
            seller=SellerLeads(leads=(open_lead(7),), total=1),
            week=WEEK,
            contests=ContestList(contests=(open_contest(1),), total=1),
        )
    )

    order = [b.get("block_id") for b in view["blocks"] if b["type"] == "header"]
    assert order == [
        home.HOME_TITLE,
        home.HOME_LEADS_TITLE,
        home.HOME_WEEK_TITLE,
        home.HOME_CONTESTS_TITLE,
    ]
    assert view["blocks"][-1]["block_id"] == home.HOME_FOOTER


def test_hostile_lead_data_cannot_ping_mention_or_link():
    hostile = "<!channel> <@U1> <https://evil.example|click>"
    mine = SellerLeads(leads=(open_lead(7, hostile, company="<!here> & co"),), total=1)
    contests = ContestList(
        contests=(
            open_contest(
                1,
                lead=open_lead(8, hostile, company=None).lead,
                marketer_id="<!channel>",
                seller_id="U0ALICE> <!here",
                text="Call now\n> <!everyone> *quoted* <@U1>",
            ),
        ),
        total=1,
    )
    view = view_of(Home(seller=mine, week=WEEK, contests=contests))
    shown = text_of(view)

    for forged in ("<!channel>", "<!here>", "<!everyone>", "<@U1>", "<https://evil"):
        assert forged not in shown
    assert "&lt;!channel&gt; &lt;@U1&gt;" in block(view, f"{home.HOME_LEAD}7")["text"]["text"]
    assert "&lt;!here&gt; &amp; co" in shown
    contest = block(view, f"{home.HOME_CONTEST}1")["text"]["text"]
    # Ids that are not plain Slack user ids are not rendered as mentions at all.
    assert "— contests —'s verdict" in contest
    # The marketer's words stay one quoted line.
    assert contest.endswith("“Call now &gt; &lt;!everyone&gt; *quoted* &lt;@U1&gt;”")


def test_long_lists_stay_within_slacks_limits_and_say_how_many_more():
    many = SellerLeads(
        leads=tuple(open_lead(i, "N" * 200, company="C" * 200) for i in range(1, 151)),
        total=1000,
    )
    contests = ContestList(
        contests=tuple(open_contest(i, text="words " * 2000) for i in range(1, 81)),
        total=95,
    )
    view = view_of(Home(seller=many, week=WEEK, contests=contests))

    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    rows = [b for b in view["blocks"] if b.get("block_id", "").startswith(home.HOME_LEAD)]
    assert len(rows) == 40
    assert block(view, home.HOME_LEADS_MORE)["elements"][0]["text"] == "…and 960 more."
    assert block(view, home.HOME_CONTESTS_MORE)["elements"][0]["text"] == "…and 75 more."
    quote = block(view, f"{home.HOME_CONTEST}1")["text"]["text"].splitlines()[-1]
    assert len(quote) <= home.CONTEST_WORDS_MAX + 2 and quote.endswith("…”")


def test_more_leads_than_the_domain_counted_still_fit():
    # The builder caps what it is given even when the count disagrees.
    many = SellerLeads(leads=tuple(open_lead(i) for i in range(1, 121)), total=0)
    view = view_of(Home(seller=many))

    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert block(view, home.HOME_LEADS_MORE)["elements"][0]["text"] == "…and 80 more."
    assert block(view, home.HOME_LEADS_TITLE)["text"]["text"] == "Your open leads (120)"


def test_every_part_speaks_spanish():
    view = view_of(
        Home(
            seller=SellerLeads(leads=(open_lead(7),), total=41),
            week=WEEK,
            contests=ContestList(contests=(open_contest(1),), total=1),
        ),
        ES,
    )

    assert block(view, home.HOME_LEADS_TITLE)["text"]["text"] == "Tus leads abiertos (41)"
    assert block(view, f"{home.HOME_LEAD}7")["text"]["text"].endswith(
        "Aceptado (SAL) · entregado hace 2 d 3 h"
    )
    assert block(view, f"{home.HOME_LEAD}7")["accessory"]["text"]["text"] == "Ver tarjeta"
    assert block(view, home.HOME_LEADS_MORE)["elements"][0]["text"] == "…y 40 más."
    assert block(view, home.HOME_WEEK_TITLE)["text"]["text"] == "Esta semana"
    assert block(view, home.HOME_WEEK_PERIOD)["elements"][0]["text"] == (
        "Desde el lunes 2026-11-23, 00:00 (America/Sao_Paulo) hasta ahora"
    )
    fields = [f["text"] for f in block(view, home.HOME_WEEK_FIGURES)["fields"]]
    assert fields[0] == "*Entregados*\n12"
    assert fields[2] == "*No encaja*\n4"
    assert fields[-1] == "*Ganado*\n3 · 15,000 ganados"
    assert "No es nuestro cliente ideal: 2" in block(view, home.HOME_WEEK_REASONS)["text"]["text"]
    assert (
        "<@U0BRUNO> impugna el veredicto de <@U0ALICE>: *No encaja (No es nuestro"
        in (block(view, f"{home.HOME_CONTEST}1")["text"]["text"])
    )
    assert [e["text"] for e in view["blocks"][-1]["elements"]] == [
        ES("home.intro"),
        ES("home.commands"),
    ]
    assert "Aquí verás tus leads" in text_of(view)
