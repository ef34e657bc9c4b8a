"""Notices rendered as Slack text: people as mentions, states as labels, the rest inert."""

from __future__ import annotations

from bot.i18n import Translator
from handlers.slack.notices import render_notice

EN, ES = Translator("en"), Translator("es")


def test_people_are_mentions_and_states_are_labels_in_the_teams_language():
    taken = {"key": "claim.taken", "params": {"owner": "U0ALICE"}}
    assert render_notice(taken, EN) == "<@U0ALICE> already has this lead."
    closed = {"key": "claim.closed", "params": {"state": "rejected"}}
    assert render_notice(closed, ES) == "Este lead ya no se puede tomar: ahora está en «No encaja»."
    assert render_notice({"key": "claim.closed", "params": {"state": "won"}}, EN).endswith(
        "it is Won now."
    )


def test_a_value_that_is_not_a_user_id_is_never_a_mention():
    forged = {"key": "claim.taken", "params": {"owner": "<!channel>"}}
    assert render_notice(forged, EN) == "&lt;!channel&gt; already has this lead."
