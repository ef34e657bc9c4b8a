"""The fake Slack Web API, driven by slack-sdk's real WebClient over loopback HTTP."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slackkit.fake_slack import FakeSlack
from slackkit.workspace import ALICE, BOT_TOKEN, BOT_USER_ID, BRUNO, CARLA, MANAGERS, SALES

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*New lead*"}}


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]


# -- auth -----------------------------------------------------------------------------------


def test_auth_test_names_the_bot(slack_client):
    answer = slack_client.auth_test()

    assert answer["user_id"] == BOT_USER_ID
    assert answer["bot_id"] == "B0BOT"
    assert answer["team_id"] == "T0SMARKET"


def test_a_wrong_token_is_refused_and_nothing_is_posted(fake_slack):
    client = WebClient(token="xoxb-wrong", base_url=fake_slack.api_url, retry_handlers=[])

    assert error_of(lambda: client.chat_postMessage(channel=SALES, text="hi")) == "invalid_auth"
    assert fake_slack.messages(SALES) == []


def test_a_missing_token_is_not_authed(fake_slack):
    client = WebClient(base_url=fake_slack.api_url, retry_handlers=[])

    assert error_of(client.auth_test) == "not_authed"


def test_an_app_token_cannot_call_web_api_methods(fake_slack):
    client = WebClient(token="xapp-test-token", base_url=fake_slack.api_url, retry_handlers=[])

    assert error_of(client.auth_test) == "not_allowed_token_type"


def test_a_token_in_a_form_body_is_accepted(fake_slack):
    request = urllib.request.Request(
        fake_slack.api_url + "auth.test", data=f"token={BOT_TOKEN}".encode()
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["ok"] is True


# -- messages -------------------------------------------------------------------------------


def test_a_posted_message_is_in_the_channel_history(slack_client):
    posted = slack_client.chat_postMessage(channel=SALES, text="New lead", blocks=[SECTION])

    history = slack_client.conversations_history(channel=SALES)["messages"]

    assert [m["ts"] for m in history] == [posted["ts"]]
    assert history[0]["text"] == "New lead"
    assert history[0]["blocks"] == [SECTION]
    assert history[0]["bot_id"] == "B0BOT"


def test_history_is_newest_first_and_pages_with_a_cursor(slack_client):
    sent = [slack_client.chat_postMessage(channel=SALES, text=f"m{i}")["ts"] for i in range(5)]

    first = slack_client.conversations_history(channel=SALES, limit=3)
    rest = slack_client.conversations_history(
        channel=SALES, limit=3, cursor=first["response_metadata"]["next_cursor"]
    )

    assert first["has_more"] is True
    assert rest["has_more"] is False
    assert [m["ts"] for m in first["messages"] + rest["messages"]] == sent[::-1]


def test_history_honours_oldest(slack_client):
    first = slack_client.chat_postMessage(channel=SALES, text="old")["ts"]
    second = slack_client.chat_postMessage(channel=SALES, text="new")["ts"]

    newer = slack_client.conversations_history(channel=SALES, oldest=first)["messages"]

    assert [m["ts"] for m in newer] == [second]


def test_message_ts_are_unique_and_increasing_under_concurrency(fake_slack, slack_client):
    def post(index: int) -> None:
        slack_client.chat_postMessage(channel=SALES, text=f"lead {index}")

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stamps = [m.ts for m in fake_slack.messages(SALES)]
    assert len(stamps) == 20
    assert len(set(stamps)) == 20
    assert stamps == sorted(stamps, key=float)
    assert len(fake_slack.calls_to("chat.postMessage")) == 20


def test_an_update_changes_the_text_and_keeps_the_earlier_version(fake_slack, slack_client):
    ts = slack_client.chat_postMessage(channel=SALES, text="Lead: unclaimed")["ts"]

    updated = slack_client.chat_update(channel=SALES, ts=ts, text="Lead: claimed by Alice")

    assert updated["message"]["text"] == "Lead: claimed by Alice"
    assert updated["message"]["edited"]["user"] == BOT_USER_ID
    stored = fake_slack.message(SALES, ts)
    assert stored.text == "Lead: claimed by Alice"
    assert [v["text"] for v in stored.versions] == ["Lead: unclaimed"]
    history = slack_client.conversations_history(channel=SALES)["messages"]
    assert [m["text"] for m in history] == ["Lead: claimed by Alice"]


def test_an_update_without_blocks_keeps_the_blocks(fake_slack, slack_client):
    ts = slack_client.chat_postMessage(channel=SALES, text="card", blocks=[SECTION])["ts"]

    slack_client.chat_update(channel=SALES, ts=ts, text="card, claimed")

    assert fake_slack.message(SALES, ts).blocks == [SECTION]


def test_updating_an_unknown_message_is_message_not_found(slack_client):
    assert (
        error_of(lambda: slack_client.chat_update(channel=SALES, ts="1.000001", text="x"))
        == "message_not_found"
    )


def test_the_bot_cannot_update_someone_elses_message(fake_slack, slack_client):
    fake_slack.add_token("xoxp-alice", user_id=ALICE)
    alice = WebClient(token="xoxp-alice", base_url=fake_slack.api_url, retry_handlers=[])
    ts = alice.chat_postMessage(channel=SALES, text="mine")["ts"]

    assert (
        error_of(lambda: slack_client.chat_update(channel=SALES, ts=ts, text="x"))
        == "cant_update_message"
    )


def test_replies_stay_in_their_thread(slack_client):
    parent = slack_client.chat_postMessage(channel=SALES, text="Lead card")["ts"]
    reply = slack_client.chat_postMessage(channel=SALES, text="Touch logged", thread_ts=parent)

    thread = slack_client.conversations_replies(channel=SALES, ts=parent)["messages"]
    history = slack_client.conversations_history(channel=SALES)["messages"]

    assert [m["text"] for m in thread] == ["Lead card", "Touch logged"]
    assert thread[1]["thread_ts"] == parent
    assert reply["message"]["thread_ts"] == parent
    assert [m["text"] for m in history] == ["Lead card"]
    assert history[0]["reply_count"] == 1
    assert history[0]["latest_reply"] == reply["ts"]


def test_a_reply_to_an_unknown_thread_is_refused(slack_client):
    assert (
        error_of(lambda: slack_client.chat_postMessage(channel=SALES, text="x", thread_ts="1.2"))
        == "thread_not_found"
    )


def test_metadata_is_kept_and_returned_when_asked_for(slack_client):
    metadata = {"event_type": "lead_posted", "event_payload": {"lead_id": "42"}}
    slack_client.chat_postMessage(channel=SALES, text="card", metadata=metadata)

    plain = slack_client.conversations_history(channel=SALES)["messages"][0]
    full = slack_client.conversations_history(channel=SALES, include_all_metadata=True)

    assert "metadata" not in plain
    assert full["messages"][0]["metadata"] == metadata


def test_a_deleted_message_leaves_the_history(slack_client):
    ts = slack_client.chat_postMessage(channel=SALES, text="oops")["ts"]

    slack_client.chat_delete(channel=SALES, ts=ts)

    assert slack_client.conversations_history(channel=SALES)["messages"] == []


def test_a_permalink_points_at_the_message(slack_client):
    ts = slack_client.chat_postMessage(channel=SALES, text="card")["ts"]

    link = slack_client.chat_getPermalink(channel=SALES, message_ts=ts)["permalink"]

    assert link.endswith(f"/archives/{SALES}/p{ts.replace('.', '')}")


def test_an_ephemeral_message_reaches_only_its_user(fake_slack, slack_client):
    answer = slack_client.chat_postEphemeral(channel=SALES, user=ALICE, text="Only you")

    assert answer["message_ts"]
    assert fake_slack.ephemeral_messages()[0]["user"] == ALICE
    assert fake_slack.messages(SALES) == []


def test_an_ephemeral_message_to_a_non_member_is_refused(slack_client):
    assert (
        error_of(lambda: slack_client.chat_postEphemeral(channel=SALES, user=BRUNO, text="x"))
        == "user_not_in_channel"
    )


def test_posting_where_the_bot_is_not_a_member_is_refused(fake_slack, slack_client):
    fake_slack.add_channel("C0RANDOM", name="random", members=[ALICE])

    assert (
        error_of(lambda: slack_client.chat_postMessage(channel="C0RANDOM", text="x"))
        == "not_in_channel"
    )
    assert error_of(lambda: slack_client.chat_postMessage(channel="C0NOPE", text="x")) == (
        "channel_not_found"
    )


def test_a_message_without_text_or_blocks_is_no_text(slack_client):
    with pytest.warns(UserWarning, match="`text` argument is missing"):
        assert error_of(lambda: slack_client.chat_postMessage(channel=SALES)) == "no_text"


def test_posting_to_a_user_id_lands_in_their_dm(fake_slack, slack_client):
    opened = slack_client.conversations_open(users=ALICE)["channel"]["id"]

    posted = slack_client.chat_postMessage(channel=ALICE, text="Your lead is overdue")

    assert posted["channel"] == opened
    assert [m.text for m in fake_slack.messages(opened)] == ["Your lead is overdue"]


# -- bodies and the call log ----------------------------------------------------------------


def test_blocks_sent_as_json_text_in_a_form_body_are_decoded(fake_slack, slack_client):
    slack_client.api_call(
        "chat.postMessage",
        params={"channel": SALES, "text": "form", "blocks": json.dumps([SECTION])},
    )

    call = fake_slack.last_call("chat.postMessage")
    assert call.params["blocks"] == [SECTION]
    assert call.token == BOT_TOKEN
    assert fake_slack.messages(SALES)[0].blocks == [SECTION]


def test_every_call_is_recorded_with_its_answer(fake_slack, slack_client):
    slack_client.chat_postMessage(channel=SALES, text="hi")
    with pytest.raises(SlackApiError):
        slack_client.chat_postMessage(channel="C0NOPE", text="hi")

    calls = fake_slack.calls_to("chat.postMessage")
    assert [c.params["channel"] for c in calls] == [SALES, "C0NOPE"]
    assert [c.ok for c in calls] == [True, False]
    assert calls[1].response == {"ok": False, "error": "channel_not_found"}


def test_an_unknown_method_is_unknown_method(slack_client):
    assert error_of(lambda: slack_client.api_call("leads.invent")) == "unknown_method"


# -- conversations and users ----------------------------------------------------------------


def test_members_info_and_users_come_from_the_seed(slack_client):
    members = slack_client.conversations_members(channel=MANAGERS)["members"]
    info = slack_client.conversations_info(channel=SALES, include_num_members=True)["channel"]
    carla = slack_client.users_info(user=CARLA, include_locale=True)["user"]

    assert members == [BOT_USER_ID, CARLA]
    assert (info["name"], info["is_member"], info["num_members"]) == ("sales", True, 3)
    assert (carla["real_name"], carla["locale"]) == ("Carla Gerente", "es-ES")
    assert error_of(lambda: slack_client.users_info(user="U0NOBODY")) == "user_not_found"


def test_members_page_with_a_cursor(fake_slack, slack_client):
    fake_slack.set_members(SALES, [f"U{i:04d}" for i in range(7)])

    members, cursor = [], None
    while True:
        page = slack_client.conversations_members(channel=SALES, limit=3, cursor=cursor)
        members += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break

    assert members == [f"U{i:04d}" for i in range(7)]


def test_opening_the_same_dm_twice_says_it_was_open(slack_client):
    first = slack_client.conversations_open(users=ALICE)
    second = slack_client.conversations_open(users=ALICE)

    assert first["channel"]["id"] == second["channel"]["id"]
    assert (first["already_open"], second["already_open"]) == (False, True)


# -- views ----------------------------------------------------------------------------------

MODAL = {
    "type": "modal",
    "callback_id": "log_touch",
    "title": {"type": "plain_text", "text": "Log a touch"},
    "submit": {"type": "plain_text", "text": "Save"},
    "private_metadata": "lead-42",
    "blocks": [
        {
            "type": "input",
            "block_id": "note",
            "label": {"type": "plain_text", "text": "Note"},
            "element": {"type": "plain_text_input", "action_id": "note"},
        }
    ],
}


def test_a_modal_opens_and_updates_by_id(fake_slack, slack_client):
    opened = slack_client.views_open(trigger_id="1.2.abc", view=MODAL)["view"]

    changed = {**MODAL, "private_metadata": "lead-43"}
    updated = slack_client.views_update(view_id=opened["id"], hash=opened["hash"], view=changed)

    assert opened["callback_id"] == "log_touch"
    assert updated["view"]["id"] == opened["id"]
    assert fake_slack.views()[0]["private_metadata"] == "lead-43"


def test_a_stale_view_hash_is_a_conflict(slack_client):
    opened = slack_client.views_open(trigger_id="1.2.abc", view=MODAL)["view"]
    slack_client.views_update(view_id=opened["id"], view=MODAL)

    assert (
        error_of(
            lambda: slack_client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)
        )
        == "hash_conflict"
    )


def test_a_trigger_opens_one_view_only(slack_client):
    slack_client.views_open(trigger_id="1.2.abc", view=MODAL)

    assert (
        error_of(lambda: slack_client.views_open(trigger_id="1.2.abc", view=MODAL))
        == "exchanged_trigger_id"
    )


def test_a_pushed_view_is_recorded(fake_slack, slack_client):
    slack_client.views_push(trigger_id="9.9.push", view=MODAL)

    assert fake_slack.last_call("views.push").params["view"]["callback_id"] == "log_touch"
    assert len(fake_slack.views()) == 1


def test_publishing_home_twice_keeps_one_home_view(fake_slack, slack_client):
    home = {"type": "home", "blocks": [SECTION]}

    first = slack_client.views_publish(user_id=ALICE, view=home)["view"]
    second = slack_client.views_publish(user_id=ALICE, view={**home, "blocks": []})["view"]

    assert first["id"] == second["id"]
    assert fake_slack.home_view(ALICE)["blocks"] == []
    assert fake_slack.home_view(BRUNO) is None


# -- files ----------------------------------------------------------------------------------


def test_files_upload_v2_sends_the_bytes_and_shares_the_file(fake_slack, slack_client):
    answer = slack_client.files_upload_v2(
        channel=SALES,
        content=b"email,stage\nana@example.com,MQL\n",
        filename="leads.csv",
        title="This week's leads",
        initial_comment="Weekly export",
    )

    [uploaded] = fake_slack.files()
    assert uploaded.content == b"email,stage\nana@example.com,MQL\n"
    assert uploaded.channels == [SALES]
    assert uploaded.completed
    assert answer["file"]["id"] == uploaded.id
    assert answer["file"]["title"] == "This week's leads"
    [shared] = fake_slack.messages(SALES)
    assert shared.text == "Weekly export"
    assert shared.files[0]["id"] == uploaded.id
    assert [c.method for c in fake_slack.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_completing_an_upload_whose_bytes_never_arrived_fails(slack_client):
    issued = slack_client.files_getUploadURLExternal(filename="a.csv", length=3)

    assert (
        error_of(
            lambda: slack_client.files_completeUploadExternal(
                files=[{"id": issued["file_id"], "title": "a"}], channel_id=SALES
            )
        )
        == "file_not_found"
    )


# -- response_url and lifecycle -------------------------------------------------------------


def test_posts_to_a_response_url_are_recorded(fake_slack):
    url = fake_slack.response_url()
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": "Claimed", "replace_original": True}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200

    call = fake_slack.last_call("response_url")
    assert call.params["text"] == "Claimed"
    assert call.params["replace_original"] is True


def test_the_fake_releases_its_threads_and_ports():
    before = set(threading.enumerate())
    with FakeSlack() as fake:
        client = WebClient(token=BOT_TOKEN, base_url=fake.api_url, retry_handlers=[])
        client.auth_test()
        port = int(fake.api_url.split(":")[2].split("/")[0])

    assert set(threading.enumerate()) <= before
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/auth.test", timeout=1)
