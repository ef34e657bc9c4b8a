"""A fake Slack Web API served over real HTTP on loopback.

    with FakeSlack() as fake:
        client = WebClient(token=BOT_TOKEN, base_url=fake.api_url, retry_handlers=[])
        client.chat_postMessage(channel=SALES, text="hi")
        assert fake.calls_to("chat.postMessage")[0].params["text"] == "hi"

It checks tokens, keeps messages, views and files (`web_api.WebApi`), refuses what Slack
would refuse (`blockkit`), records every call with its decoded parameters, and fails on
demand (`faults`). `fake.socket` is the Socket Mode side (`socket_mode.SocketModeServer`).
Besides `/api/<method>` it serves the upload URLs it hands out and `response_url`s
(`fake.response_url()`), recorded as calls to `"upload"` and `"response_url"`.
"""

from __future__ import annotations

import copy
import json
import secrets
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .faults import ChannelRateLimiter, Fault, FaultPlan, Predicate, rate_limited
from .socket_mode import SocketModeServer
from .web_api import (
    ApiError,
    Caller,
    Channel,
    StoredMessage,
    UploadedFile,
    User,
    WebApi,
)
from .workspace import (
    APP_ID,
    APP_TOKEN,
    BOT_ID,
    BOT_NAME,
    BOT_TOKEN,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
)

# Parameters Slack accepts as JSON text inside form bodies.
JSON_PARAMS = frozenset({"attachments", "blocks", "files", "metadata", "view"})


@dataclass
class Call:
    """One request that reached the fake, recorded when it was answered or dropped."""

    method: str
    params: dict[str, Any]
    token: str | None
    fault: str | None = None
    status: int | None = None  # None: the connection was dropped unanswered
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


@dataclass
class _Answer:
    status: int = 200
    body: dict[str, Any] | None = None  # None: drop the connection
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """Slack's Web API and Socket Mode on 127.0.0.1, with OS-chosen ports."""

    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        team_id: str = TEAM_ID,
        team_domain: str = TEAM_DOMAIN,
        app_id: str = APP_ID,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        bot_name: str = BOT_NAME,
        clock: Callable[[], float] = time.monotonic,
    ):
        bot = User(bot_user_id, bot_name, bot_name, is_bot=True, bot_id=bot_id)
        self._api = WebApi(team_id=team_id, team_domain=team_domain, app_id=app_id, bot=bot)
        self._tokens = {
            bot_token: Caller(bot_user_id, "bot", bot_id),
            app_token: Caller(bot_user_id, "app"),
        }
        self._calls: list[Call] = []
        self._lock = threading.RLock()  # guards the workspace state and the call log
        self._faults = FaultPlan()
        self._clock = clock
        self._rate_limiter: ChannelRateLimiter | None = None
        self._stopping = threading.Event()
        self._http: _HttpServer | None = None
        self._http_thread: threading.Thread | None = None
        self.socket = SocketModeServer(app_id=app_id)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._http = _HttpServer(("127.0.0.1", 0), _Handler)
        self._http.fake = self
        self._api.base_url = self.base_url
        # serve_forever notices shutdown() only between polls; a short poll keeps every
        # test's teardown quick.
        self._http_thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="fake-slack-http",
            daemon=True,
        )
        self._http_thread.start()
        self.socket.start()
        return self

    def stop(self) -> None:
        """Stop both servers; waits for in-flight requests (delays are cut short)."""
        self._stopping.set()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._http_thread is not None:
            self._http_thread.join()
        self.socket.stop()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._http is not None, "the fake is not started"
        return f"http://127.0.0.1:{self._http.server_address[1]}/"

    @property
    def api_url(self) -> str:
        """What a bot gets as `SLACK_API_URL` (a `WebClient`'s `base_url`)."""
        return f"{self.base_url}api/"

    def response_url(self) -> str:
        """A fresh `response_url` served by the fake; posts to it are recorded."""
        return f"{self.base_url}hooks/actions/{self._api.team_id}/{secrets.token_hex(8)}"

    # -- seeding ------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
        locale: str = "en-US",
        tz: str = "America/New_York",
    ) -> None:
        user = User(user_id, name, real_name or name, email, is_bot, tz=tz, locale=locale)
        with self._lock:
            self._api.users[user_id] = user

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        members: tuple[str, ...] | list[str] = (),
        private: bool = False,
    ) -> None:
        channel = Channel(channel_id, name, list(members), is_private=private)
        with self._lock:
            self._api.add_channel(channel)

    def set_members(self, channel_id: str, members: tuple[str, ...] | list[str]) -> None:
        with self._lock:
            self._api.channels[channel_id].members = list(members)

    def add_token(self, token: str, *, user_id: str, bot_id: str | None = None) -> None:
        """Accept another token: a bot's if `bot_id` is given, else a user's (`xoxp-`)."""
        with self._lock:
            self._tokens[token] = Caller(user_id, "bot" if bot_id else "user", bot_id)

    # -- faults -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        fault: Fault,
        *,
        times: int | None = 1,
        when: Predicate | None = None,
    ) -> None:
        """Make the next `times` calls of `method` ("*": any) fail with `fault` (see
        `slackkit.faults`); `when(params)` narrows which calls; `times=None` never stops."""
        self._faults.add(method, fault, times=times, when=when)

    def clear_faults(self) -> None:
        self._faults.clear()

    def rate_limit_messages(
        self, enabled: bool = True, *, per_second: float = 1.0, burst: int = 3
    ) -> None:
        """Switch Slack's per-channel `chat.postMessage` limit on (off by default)."""
        limiter = ChannelRateLimiter(per_second=per_second, burst=burst, clock=self._clock)
        with self._lock:
            self._rate_limiter = limiter if enabled else None

    # -- what happened ------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def last_call(self, method: str) -> Call:
        found = self.calls_to(method)
        if not found:
            raise AssertionError(f"no call to {method}; calls: {[c.method for c in self.calls]}")
        return found[-1]

    def messages(self, channel_id: str) -> list[StoredMessage]:
        """Every message in a channel, replies included, oldest first."""
        with self._lock:
            return copy.deepcopy(list(self._api.messages.get(channel_id, {}).values()))

    def message(self, channel_id: str, ts: str) -> StoredMessage:
        with self._lock:
            return copy.deepcopy(self._api.messages[channel_id][ts])

    def ephemeral_messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._api.ephemeral_messages)

    def views(self) -> list[dict[str, Any]]:
        """Every view opened, pushed or published, as last updated."""
        with self._lock:
            return copy.deepcopy(list(self._api.views.values()))

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view_id = self._api.home_views.get(user_id)
            return copy.deepcopy(self._api.views[view_id]) if view_id else None

    def files(self) -> list[UploadedFile]:
        with self._lock:
            return copy.deepcopy(list(self._api.files.values()))

    # -- request handling (called on the server's threads) ------------------------------

    def _answer_api(self, method: str, request: _Request) -> _Answer:
        """Decode, authenticate, apply any injected fault, act, answer (or drop)."""
        call = Call(method, {}, None)
        try:
            call.params, call.token = _decode_params(request)
            caller = self._authenticate(method, call.token)
        except ApiError as refusal:
            return self._finish(call, _Answer(body=refusal.body()))
        fault = self._faults.take(method, call.params)
        if fault is None:
            return self._finish(call, self._act(method, caller, call.params))
        call.fault = fault.kind
        if fault.kind not in ("delay", "drop_after"):
            return self._finish(call, _fault_answer(fault))  # answered without acting
        if fault.kind == "delay":
            self._stopping.wait(fault.seconds)  # cut short if the fake stops
        answer = self._act(method, caller, call.params)
        if fault.kind == "drop_after":
            answer = _Answer(body=None)  # acted, then hung up
        return self._finish(call, answer)

    def _authenticate(self, method: str, token: str | None) -> Caller:
        if not token:
            raise ApiError("not_authed")
        with self._lock:
            caller = self._tokens.get(token)
        if caller is None:
            raise ApiError("invalid_auth")
        # App-level tokens open Socket Mode connections and do nothing else.
        if (method == "apps.connections.open") != (caller.kind == "app"):
            raise ApiError("not_allowed_token_type")
        return caller

    def _act(self, method: str, caller: Caller, params: dict[str, Any]) -> _Answer:
        if method == "apps.connections.open":
            return _Answer(body={"ok": True, "url": self.socket.new_url()})
        with self._lock:
            if method == "chat.postMessage" and self._rate_limiter is not None:
                wait = self._rate_limiter.retry_after(str(params.get("channel")))
                if wait is not None:
                    return _fault_answer(rate_limited(wait))
            try:
                return _Answer(body=self._api.call(method, caller, params))
            except ApiError as error:
                return _Answer(body=error.body())

    def _answer_upload(self, upload_id: str, content: bytes) -> tuple[int, str]:
        with self._lock:
            received = self._api.receive_upload(upload_id, content)
            status = 200 if received else 404
            self._calls.append(
                Call("upload", {"upload_id": upload_id, "size": len(content)}, None, None, status)
            )
        return (200, f"OK - {len(content)}") if received else (404, "Not Found")

    def _answer_response_url(self, path: str, request: _Request) -> _Answer:
        try:
            params = json.loads(request.body or b"{}")
        except ValueError:
            params = dict(parse_qsl(request.body.decode(errors="replace")))
        return self._finish(
            Call("response_url", {"path": path, **params}, None), _Answer(body={"ok": True})
        )

    def _finish(self, call: Call, answer: _Answer) -> _Answer:
        call.status = answer.status if answer.body is not None else None
        call.response = answer.body
        with self._lock:
            self._calls.append(call)
        return answer


def _fault_answer(fault: Fault) -> _Answer:
    if fault.kind == "rate_limited":
        return _Answer(
            429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(fault.retry_after)}
        )
    if fault.kind == "server_error":
        return _Answer(fault.status, {"ok": False, "error": "fatal_error"})
    if fault.kind == "api_error":
        return _Answer(body={"ok": False, "error": fault.error})
    return _Answer(body=None)  # drop_before


# -- HTTP plumbing ------------------------------------------------------------------------


@dataclass
class _Request:
    path: str
    query: str
    content_type: str
    body: bytes
    authorization: str


def _decode_params(request: _Request) -> tuple[dict[str, Any], str | None]:
    """The call's parameters from query, form or JSON body, and its token."""
    params: dict[str, Any] = dict(parse_qsl(request.query, keep_blank_values=True))
    if request.body:
        params.update(_decode_body(request))
    for name in JSON_PARAMS & params.keys():
        if isinstance(params[name], str) and params[name]:
            try:
                params[name] = json.loads(params[name])
            except ValueError:
                raise ApiError(
                    "invalid_blocks_format" if name == "blocks" else "invalid_arguments"
                ) from None
    token = params.pop("token", None)
    if request.authorization.startswith("Bearer "):
        token = request.authorization.removeprefix("Bearer ").strip()
    return params, token


def _decode_body(request: _Request) -> Mapping[str, Any]:
    if request.content_type == "application/json":
        try:
            document = json.loads(request.body)
        except ValueError:
            raise ApiError("invalid_json") from None
        if not isinstance(document, dict):
            raise ApiError("invalid_json")
        return document
    if request.content_type in ("application/x-www-form-urlencoded", "text/plain"):
        return dict(parse_qsl(request.body.decode(errors="replace"), keep_blank_values=True))
    # multipart/form-data (legacy files.upload) is not modelled.
    raise ApiError("invalid_form_data")


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True  # server_close() waits for every request thread
    # socketserver's default backlog of 5 drops concurrent connects, which then retry
    # after a second; bots under test post from many threads at once.
    request_queue_size = 128
    fake: FakeSlack

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout, closed socket) is expected here; others are not."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer

    def do_POST(self) -> None:
        self._route()

    def do_GET(self) -> None:
        self._route()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the call log is the record."""

    def _route(self) -> None:
        url = urlsplit(self.path)
        request = self._read(url.path, url.query)
        fake = self.server.fake
        if url.path.startswith("/api/"):
            self._reply(fake._answer_api(url.path.removeprefix("/api/"), request))
        elif url.path.startswith("/upload/v1/"):
            status, text = fake._answer_upload(url.path.removeprefix("/upload/v1/"), request.body)
            self._send(status, text.encode(), "text/plain; charset=utf-8")
        elif url.path.startswith("/hooks/"):
            self._reply(fake._answer_response_url(url.path, request))
        else:
            self._send(404, b"Not Found", "text/plain")

    def _read(self, path: str, query: str) -> _Request:
        length = int(self.headers.get("Content-Length") or 0)
        return _Request(
            path=path,
            query=query,
            content_type=self.headers.get_content_type(),
            body=self.rfile.read(length) if length else b"",
            authorization=self.headers.get("Authorization", ""),
        )

    def _reply(self, answer: _Answer) -> None:
        if answer.body is None:
            # No status line at all: the client sees the connection close unanswered.
            self.close_connection = True
            return
        body = json.dumps(answer.body).encode()
        self._send(answer.status, body, "application/json; charset=utf-8", answer.headers)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
