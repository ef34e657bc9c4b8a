"""What the fake Slack knows, and what each Web API method does to it.

A method takes the caller and the decoded parameters and returns the body Slack would
answer; `ApiError` is an `ok: false` answer. The HTTP side (`fake_slack.FakeSlack`) holds
one lock around every call, so nothing here locks.

Where Slack's behaviour is unclear the fake is the stricter of the two, and says so.
"""

from __future__ import annotations

import base64
import itertools
import mimetypes
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from . import blockkit

DEFAULT_PAGE_SIZE = 100


class ApiError(Exception):
    """An `ok: false` answer; `extra` goes into the body beside `error`."""

    def __init__(self, error: str, **extra: Any):
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


@dataclass(frozen=True)
class Caller:
    """Who a token speaks for."""

    user_id: str
    kind: Literal["bot", "user", "app"]
    bot_id: str | None = None


@dataclass
class Channel:
    id: str
    name: str
    members: list[str]
    is_private: bool = False
    is_im: bool = False
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str | None = None
    is_bot: bool = False
    bot_id: str | None = None
    tz: str = "America/New_York"
    locale: str = "en-US"


@dataclass
class StoredMessage:
    """A message as the fake keeps it; `versions` holds what each `chat.update` replaced."""

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    reply_broadcast: bool = False
    metadata: dict[str, Any] | None = None
    bot_id: str | None = None
    files: list[dict[str, Any]] | None = None
    edited: dict[str, str] | None = None
    versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    upload_id: str
    user: str
    title: str | None = None
    content: bytes | None = None
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False


Method = Callable[["WebApi", Caller, dict[str, Any]], dict[str, Any]]
_METHODS: dict[str, Method] = {}


def _method(name: str) -> Callable[[Method], Method]:
    def register(function: Method) -> Method:
        _METHODS[name] = function
        return function

    return register


class WebApi:
    """The workspace's state and Slack's Web API methods over it."""

    def __init__(self, *, team_id: str, team_domain: str, app_id: str, bot: User):
        self.team_id = team_id
        self.team_domain = team_domain
        self.app_id = app_id
        self.bot = bot
        self.base_url = ""  # set by the server once it has a port; upload URLs need it
        self.users: dict[str, User] = {bot.id: bot}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, dict[str, StoredMessage]] = {}  # channel -> ts -> message
        self.ephemeral_messages: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, str] = {}  # user -> view id
        self.files: dict[str, UploadedFile] = {}
        self._uploads: dict[str, str] = {}  # upload id -> file id
        self._used_triggers: set[str] = set()
        self._last_ts_micros = 0
        self._ids = itertools.count(1)

    def call(self, method: str, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        """Slack's answer body for one call; raises `ApiError` for `ok: false`."""
        handler = _METHODS.get(method)
        if handler is None:
            raise ApiError("unknown_method", req_method=method)
        return {"ok": True, **handler(self, caller, params)}

    # -- seeding ------------------------------------------------------------------------

    def add_channel(self, channel: Channel) -> None:
        self.channels[channel.id] = channel
        self.messages.setdefault(channel.id, {})

    # -- auth ---------------------------------------------------------------------------

    @_method("auth.test")
    def _auth_test(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        answer = {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_domain.title(),
            "user": self.users[caller.user_id].name,
            "team_id": self.team_id,
            "user_id": caller.user_id,
            "is_enterprise_install": False,
        }
        if caller.bot_id:
            answer["bot_id"] = caller.bot_id
        return answer

    # -- chat ---------------------------------------------------------------------------

    @_method("chat.postMessage")
    def _chat_post_message(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable_channel(caller, params.get("channel"))
        _check_message(params)
        thread_ts = self._thread_of(channel.id, params.get("thread_ts"))
        message = StoredMessage(
            channel=channel.id,
            ts=self._new_ts(),
            user=caller.user_id,
            text=params.get("text") or "",
            blocks=params.get("blocks"),
            thread_ts=thread_ts,
            reply_broadcast=bool(thread_ts) and _flag(params.get("reply_broadcast")),
            metadata=params.get("metadata"),
            bot_id=caller.bot_id,
        )
        self.messages[channel.id][message.ts] = message
        return {
            "channel": channel.id,
            "ts": message.ts,
            "message": self._render(message, with_metadata=True),
        }

    @_method("chat.update")
    def _chat_update(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(caller, params.get("channel"), params.get("ts"), "update")
        _check_message(params, require_content=False)
        message.versions.append({"text": message.text, "blocks": message.blocks})
        # Slack keeps whatever the update leaves out; an empty `blocks` list removes them.
        if "text" in params:
            message.text = params["text"] or ""
        if "blocks" in params:
            message.blocks = params["blocks"] or None
        if "metadata" in params:
            message.metadata = params["metadata"]
        message.edited = {"user": caller.user_id, "ts": self._new_ts()}
        return {
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text,
            "message": self._render(message, with_metadata=True),
        }

    @_method("chat.delete")
    def _chat_delete(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(caller, params.get("channel"), params.get("ts"), "delete")
        del self.messages[message.channel][message.ts]
        return {"channel": message.channel, "ts": message.ts}

    @_method("chat.postEphemeral")
    def _chat_post_ephemeral(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable_channel(caller, params.get("channel"))
        user = params.get("user")
        if user not in self.users:
            raise ApiError("user_not_found")
        if user not in channel.members:
            raise ApiError("user_not_in_channel")
        _check_message(params)
        ts = self._new_ts()
        self.ephemeral_messages.append(
            {
                "channel": channel.id,
                "user": user,
                "message_ts": ts,
                "text": params.get("text") or "",
                "blocks": params.get("blocks"),
                "thread_ts": params.get("thread_ts"),
            }
        )
        return {"message_ts": ts}

    @_method("chat.getPermalink")
    def _chat_get_permalink(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params.get("channel"), params.get("message_ts"))
        link = (
            f"https://{self.team_domain}.slack.com/archives/{message.channel}"
            f"/p{message.ts.replace('.', '')}"
        )
        if message.is_reply:
            link += f"?thread_ts={message.thread_ts}&cid={message.channel}"
        return {"channel": message.channel, "permalink": link}

    # -- conversations ------------------------------------------------------------------

    @_method("conversations.history")
    def _conversations_history(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(caller, params.get("channel"))
        visible = [
            m
            for m in self.messages[channel.id].values()
            if (not m.is_reply or m.reply_broadcast) and _in_window(m.ts, params)
        ]
        visible.reverse()  # newest first, as Slack answers
        page, next_cursor = _page(visible, params)
        with_metadata = _flag(params.get("include_all_metadata"))
        return {
            "messages": [self._render(m, with_metadata=with_metadata) for m in page],
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    @_method("conversations.replies")
    def _conversations_replies(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable_channel(caller, params.get("channel"))
        parent = self.messages[channel.id].get(params.get("ts") or "")
        if parent is None:
            raise ApiError("thread_not_found")
        if parent.is_reply:
            parent = self.messages[channel.id][parent.thread_ts or ""]
        thread = [parent, *self._replies(parent)]
        thread = [m for m in thread if _in_window(m.ts, params)]
        page, next_cursor = _page(thread, params)
        with_metadata = _flag(params.get("include_all_metadata"))
        return {
            "messages": [self._render(m, with_metadata=with_metadata) for m in page],
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    @_method("conversations.members")
    def _conversations_members(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        page, next_cursor = _page(channel.members, params)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    @_method("conversations.info")
    def _conversations_info(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        info = self._render_channel(channel, caller)
        if _flag(params.get("include_num_members")):
            info["num_members"] = len(channel.members)
        return {"channel": info}

    @_method("conversations.open")
    def _conversations_open(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if len(users) != 1:
            # Multi-person DMs are not modelled; the bot only opens one-to-one DMs.
            raise ApiError("invalid_arguments" if not users else "not_implemented_in_fake")
        existed = _dm_id(users[0]) in self.channels
        channel = self._direct_message(caller, users[0])
        return {"no_op": existed, "already_open": existed, "channel": {"id": channel.id}}

    # -- users --------------------------------------------------------------------------

    @_method("users.info")
    def _users_info(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(params.get("user") or "")
        if user is None:
            raise ApiError("user_not_found")
        return {"user": self._render_user(user, with_locale=_flag(params.get("include_locale")))}

    # -- views --------------------------------------------------------------------------

    @_method("views.open")
    def _views_open(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(params.get("trigger_id"))
        return {"view": self._new_view(caller, _checked_view(params))}

    @_method("views.push")
    def _views_push(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(params.get("trigger_id"))
        return {"view": self._new_view(caller, _checked_view(params))}

    @_method("views.update")
    def _views_update(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        view = _checked_view(params)
        current = self._find_view(params.get("view_id"), params.get("external_id"))
        if params.get("hash") and params["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        current.update(self._view_fields(view), hash=_view_hash())
        return {"view": current}

    @_method("views.publish")
    def _views_publish(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id") or ""
        if user_id not in self.users:
            raise ApiError("user_not_found")
        view = _checked_view(params)
        if view.get("type") != "home":
            raise ApiError("invalid_arguments", **_view_messages(["views.publish takes a home"]))
        current = self.views.get(self.home_views.get(user_id, ""))
        if current is None:
            current = self._new_view(caller, view)
            self.home_views[user_id] = current["id"]
        elif params.get("hash") and params["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        else:
            current.update(self._view_fields(view), hash=_view_hash())
        return {"view": current}

    # -- files --------------------------------------------------------------------------

    @_method("files.getUploadURLExternal")
    def _files_get_upload_url(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        try:
            length = int(params.get("length") or "")
        except ValueError:
            length = -1
        if not filename or length < 0:
            raise ApiError("invalid_arguments")
        upload = UploadedFile(
            id=f"F{self._next_id()}",
            filename=filename,
            length=length,
            upload_id=secrets.token_hex(8),
            user=caller.user_id,
        )
        self.files[upload.id] = upload
        self._uploads[upload.upload_id] = upload.id
        return {"upload_url": f"{self.base_url}upload/v1/{upload.upload_id}", "file_id": upload.id}

    def receive_upload(self, upload_id: str, content: bytes) -> bool:
        """Store the bytes posted to an upload URL; False if the URL was never issued."""
        file_id = self._uploads.get(upload_id)
        if file_id is None:
            return False
        self.files[file_id].content = content
        return True

    @_method("files.completeUploadExternal")
    def _files_complete_upload(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments")
        uploads = []
        for entry in entries:
            upload = self.files.get(entry.get("id", ""))
            # Slack cannot complete a file whose bytes never arrived.
            if upload is None or upload.content is None:
                raise ApiError("file_not_found")
            upload.title = entry.get("title") or upload.filename
            uploads.append(upload)
        channel_ids = _channel_list(params)
        channels = [self._postable_channel(caller, c) for c in channel_ids]
        for upload in uploads:
            upload.completed = True
            upload.channels = list(channel_ids)
            upload.initial_comment = params.get("initial_comment")
            upload.thread_ts = params.get("thread_ts")
        for channel in channels:
            self._share_files(caller, channel, uploads, params)
        return {"files": [self._render_file(u) for u in uploads]}

    def _share_files(
        self, caller: Caller, channel: Channel, uploads: list[UploadedFile], params: dict
    ) -> None:
        """Slack shares completed files as one message in each channel."""
        message = StoredMessage(
            channel=channel.id,
            ts=self._new_ts(),
            user=caller.user_id,
            text=params.get("initial_comment") or "",
            thread_ts=self._thread_of(channel.id, params.get("thread_ts")),
            files=[self._render_file(u) for u in uploads],
        )
        self.messages[channel.id][message.ts] = message

    # -- lookups ------------------------------------------------------------------------

    def _channel(self, channel_id: Any) -> Channel:
        channel = self.channels.get(channel_id or "")
        if channel is None:
            raise ApiError("channel_not_found")
        return channel

    def _postable_channel(self, caller: Caller, channel_id: Any) -> Channel:
        """The channel a message goes to; a user id means that user's DM, as in Slack."""
        if isinstance(channel_id, str) and channel_id.startswith(("U", "W")):
            if channel_id not in self.users:
                raise ApiError("channel_not_found")
            return self._direct_message(caller, channel_id)
        channel = self._channel(channel_id)
        if caller.user_id not in channel.members:
            raise ApiError("not_in_channel")
        return channel

    def _readable_channel(self, caller: Caller, channel_id: Any) -> Channel:
        channel = self._channel(channel_id)
        if caller.user_id not in channel.members:
            raise ApiError("not_in_channel")
        return channel

    def _direct_message(self, caller: Caller, user_id: str) -> Channel:
        if user_id not in self.users:
            raise ApiError("user_not_found")
        channel_id = _dm_id(user_id)
        if channel_id not in self.channels:
            self.add_channel(Channel(channel_id, "", [caller.user_id, user_id], is_im=True))
        return self.channels[channel_id]

    def _message(self, channel_id: Any, ts: Any) -> StoredMessage:
        channel = self._channel(channel_id)
        message = self.messages[channel.id].get(ts or "")
        if message is None:
            raise ApiError("message_not_found")
        return message

    def _own_message(self, caller: Caller, channel_id: Any, ts: Any, verb: str) -> StoredMessage:
        message = self._message(channel_id, ts)
        if message.user != caller.user_id:
            raise ApiError(f"cant_{verb}_message")
        return message

    def _thread_of(self, channel_id: str, thread_ts: Any) -> str | None:
        """The parent ts a reply belongs to. Unknown parents are refused (stricter than
        Slack, which may post them as plain channel messages)."""
        if not thread_ts:
            return None
        parent = self.messages[channel_id].get(thread_ts)
        if parent is None:
            raise ApiError("thread_not_found")
        return parent.thread_ts if parent.is_reply else parent.ts

    def _replies(self, parent: StoredMessage) -> list[StoredMessage]:
        return [
            m
            for m in self.messages[parent.channel].values()
            if m.thread_ts == parent.ts and m.ts != parent.ts
        ]

    def _find_view(self, view_id: Any, external_id: Any) -> dict[str, Any]:
        if not view_id and not external_id:
            raise ApiError("invalid_arguments")
        for view in self.views.values():
            if view["id"] == view_id or (external_id and view["external_id"] == external_id):
                return view
        raise ApiError("not_found")

    def _use_trigger(self, trigger_id: Any) -> None:
        """Triggers are single use in Slack."""
        if not trigger_id:
            raise ApiError("invalid_arguments")
        if trigger_id in self._used_triggers:
            raise ApiError("exchanged_trigger_id")
        self._used_triggers.add(trigger_id)

    # -- rendering ----------------------------------------------------------------------

    def _render(self, message: StoredMessage, *, with_metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "message",
            "user": message.user,
            "text": message.text,
            "ts": message.ts,
            "team": self.team_id,
        }
        if message.bot_id:
            out |= {"bot_id": message.bot_id, "app_id": self.app_id}
        if message.blocks is not None:
            out["blocks"] = message.blocks
        if message.edited:
            out["edited"] = message.edited
        if message.files:
            out |= {"files": message.files, "upload": True}
        if with_metadata and message.metadata:
            out["metadata"] = message.metadata
        if message.is_reply:
            parent = self.messages[message.channel].get(message.thread_ts or "")
            out["thread_ts"] = message.thread_ts
            out["parent_user_id"] = parent.user if parent else None
            return out
        replies = self._replies(message)
        if replies:
            users = sorted({r.user for r in replies})
            out |= {
                "thread_ts": message.ts,
                "reply_count": len(replies),
                "reply_users": users,
                "reply_users_count": len(users),
                "latest_reply": replies[-1].ts,
            }
        return out

    def _render_channel(self, channel: Channel, caller: Caller) -> dict[str, Any]:
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_im and not channel.is_private,
            "is_group": channel.is_private,
            "is_im": channel.is_im,
            "is_private": channel.is_private or channel.is_im,
            "is_archived": False,
            "is_general": False,
            "is_member": caller.user_id in channel.members,
            "created": channel.created,
            "context_team_id": self.team_id,
        }

    def _render_user(self, user: User, *, with_locale: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "real_name": user.real_name,
            "deleted": False,
            "tz": user.tz,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "profile": {
                "real_name": user.real_name,
                "display_name": user.name,
                "email": user.email,
                "team": self.team_id,
            },
        }
        if user.bot_id:
            out["profile"]["bot_id"] = user.bot_id
        if with_locale:
            out["locale"] = user.locale
        return out

    def _render_file(self, upload: UploadedFile) -> dict[str, Any]:
        mimetype = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        url = f"https://files.slack.com/files-pri/{self.team_id}-{upload.id}/{upload.filename}"
        return {
            "id": upload.id,
            "name": upload.filename,
            "title": upload.title or upload.filename,
            "mimetype": mimetype,
            "filetype": upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "",
            "user": upload.user,
            "size": upload.length,
            "url_private": url,
            "permalink": f"https://{self.team_domain}.slack.com/files/{upload.user}/{upload.id}",
            "channels": list(upload.channels),
        }

    def _new_view(self, caller: Caller, view: dict[str, Any]) -> dict[str, Any]:
        view_id = f"V{self._next_id()}"
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            **self._view_fields(view),
            "state": {"values": {}},
            "hash": _view_hash(),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": caller.bot_id,
        }
        self.views[view_id] = stored
        return stored

    @staticmethod
    def _view_fields(view: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "type": view.get("type"),
            "blocks": view.get("blocks") or [],
            "private_metadata": view.get("private_metadata") or "",
            "callback_id": view.get("callback_id") or "",
            "external_id": view.get("external_id") or "",
            "title": view.get("title"),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "clear_on_close": bool(view.get("clear_on_close")),
            "notify_on_close": bool(view.get("notify_on_close")),
        }

    # -- ids ----------------------------------------------------------------------------

    def _new_ts(self) -> str:
        """A message ts: wall-clock based like Slack's, and strictly increasing here."""
        micros = max(time.time_ns() // 1000, self._last_ts_micros + 1)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self) -> str:
        return f"0FAKE{next(self._ids):05d}"


def _check_message(params: Mapping[str, Any], *, require_content: bool = True) -> None:
    text, blocks = params.get("text"), params.get("blocks")
    if require_content and not text and not blocks and not params.get("attachments"):
        raise ApiError("no_text")
    if isinstance(text, str) and len(text) > blockkit.MAX_MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    problems = blockkit.check_blocks(blocks, max_blocks=blockkit.MAX_MESSAGE_BLOCKS)
    if problems:
        raise ApiError(
            "invalid_blocks",
            errors=problems,
            response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
        )


def _checked_view(params: Mapping[str, Any]) -> dict[str, Any]:
    """The `view` argument, refused as Slack refuses views: `invalid_arguments`."""
    view = params.get("view")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments", **_view_messages(["missing required field: view"]))
    problems = blockkit.check_view(view)
    if problems:
        raise ApiError("invalid_arguments", **_view_messages(problems))
    return view


def _view_messages(problems: list[str]) -> dict[str, Any]:
    return {"response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]}}


def _view_hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def _dm_id(user_id: str) -> str:
    return f"D{user_id[1:]}"


def _channel_list(params: Mapping[str, Any]) -> list[str]:
    if params.get("channel_id"):
        return [params["channel_id"]]
    return [c for c in str(params.get("channels") or "").split(",") if c]


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _ts_value(ts: Any, default: str) -> Decimal:
    try:
        return Decimal(str(ts or default))
    except InvalidOperation:
        raise ApiError("invalid_ts_latest" if default != "0" else "invalid_ts_oldest") from None


def _in_window(ts: str, params: Mapping[str, Any]) -> bool:
    """Slack's `oldest`/`latest` filter: exclusive unless `inclusive` is set."""
    if not params.get("oldest") and not params.get("latest"):
        return True
    oldest = _ts_value(params.get("oldest"), "0")
    latest = _ts_value(params.get("latest"), "99999999999")
    value = Decimal(ts)
    if _flag(params.get("inclusive")):
        return oldest <= value <= latest
    return oldest < value < latest


def _page(items: list[Any], params: Mapping[str, Any]) -> tuple[list[Any], str]:
    """One page of `items` and the cursor of the next ('' when none)."""
    try:
        limit = int(params.get("limit") or DEFAULT_PAGE_SIZE)
        cursor = str(params.get("cursor") or "")
        start = int(base64.b64decode(cursor).decode().removeprefix("offset:")) if cursor else 0
    except ValueError:
        raise ApiError("invalid_cursor") from None
    end = start + max(limit, 1)
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], next_cursor
