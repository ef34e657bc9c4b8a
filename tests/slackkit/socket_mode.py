"""Slack's side of Socket Mode, on a loopback WebSocket.

`apps.connections.open` (answered by the fake Web API) hands out a single-use
`ws://127.0.0.1:PORT/link/?ticket=…` URL; the app connects, gets Slack's `hello`, and then
receives envelopes and sends back acks:

    envelope_id = fake.socket.send_envelope("slash_commands", payloads.slash_command("/leads"))
    ack = fake.socket.wait_for_ack(envelope_id)   # {"envelope_id": ..., "payload": {...}?}

slack-sdk's built-in `SocketModeClient` (what Bolt's `SocketModeHandler` uses) speaks plain
`ws://` to any port but 443, so no TLS is needed.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosedError
from websockets.sync.server import Server, ServerConnection, serve

EnvelopeType = Literal["events_api", "slash_commands", "interactive"]
# Slack pings every few seconds; pinging often also lets slack-sdk's client close quickly,
# since its reader only notices a close between frames.
PING_INTERVAL_SECONDS = 0.2
DEFAULT_TIMEOUT_SECONDS = 5.0

logger = logging.getLogger(__name__)


class SocketModeServer:
    """Hands out connection URLs, sends envelopes to the connected app, collects its acks."""

    def __init__(self, *, app_id: str):
        self.app_id = app_id
        self._tickets: set[str] = set()
        self._connections: list[ServerConnection] = []
        self._received: list[dict[str, Any]] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._server = serve(
            self._serve_connection,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
            ping_interval=PING_INTERVAL_SECONDS,
            logger=logger,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-slack-socket-mode", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()  # closes open connections and waits for their handlers
        if self._thread is not None:
            self._thread.join()

    @property
    def port(self) -> int:
        assert self._server is not None, "the fake is not started"
        return self._server.socket.getsockname()[1]

    def new_url(self) -> str:
        """A single-use WebSocket URL, as `apps.connections.open` returns."""
        ticket = uuid.uuid4().hex
        with self._changed:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    @property
    def connection_count(self) -> int:
        with self._changed:
            return len(self._connections)

    def wait_for_connection(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._connections, timeout):
                raise TimeoutError("no Socket Mode connection to the fake")

    def send_envelope(
        self,
        type: EnvelopeType,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> str:
        """Deliver `payload` to the newest connection; returns the envelope id to ack."""
        envelope_id = str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = _accepts_response_payload(type, payload)
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": retry_reason}
        self.wait_for_connection(timeout)
        with self._changed:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> dict:
        """The app's ack for `envelope_id`: `{"envelope_id": ..., "payload": ...}`."""
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"no ack for envelope {envelope_id} within {timeout}s")
            return self._acks[envelope_id]

    def acks(self) -> dict[str, dict[str, Any]]:
        with self._changed:
            return dict(self._acks)

    def received(self) -> list[dict[str, Any]]:
        """Every message the app sent over the socket, in order."""
        with self._changed:
            return list(self._received)

    def request_reconnect(self, reason: str = "refresh_requested") -> None:
        """Tell connected apps to reconnect, as Slack does every few hours."""
        message = json.dumps({"type": "disconnect", "reason": reason})
        with self._changed:
            connections = list(self._connections)
        for connection in connections:
            connection.send(message)

    # -- server side --------------------------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Any) -> Any:
        ticket = parse_qs(urlsplit(request.path).query).get("ticket", [""])[0]
        with self._changed:
            if ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    def _serve_connection(self, connection: ServerConnection) -> None:
        with self._changed:
            self._connections.append(connection)
            count = len(self._connections)
            self._changed.notify_all()
        try:
            connection.send(json.dumps(self._hello(count)))
            for raw in connection:
                self._record(raw)
        except ConnectionClosedError:
            pass  # slack-sdk's client drops the socket without a close frame; so do networks
        finally:
            with self._changed:
                self._connections.remove(connection)
                self._changed.notify_all()

    def _record(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            logger.warning("ignoring a non-JSON Socket Mode message: %r", raw)
            return
        with self._changed:
            self._received.append(message)
            if isinstance(message, dict) and "envelope_id" in message:
                self._acks[message["envelope_id"]] = message
            self._changed.notify_all()

    def _hello(self, num_connections: int) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {
                "host": "applink-fake-slack",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }


def _accepts_response_payload(type: EnvelopeType, payload: dict[str, Any]) -> bool:
    """Slack lets the ack carry a response for commands, view submissions and options."""
    if type == "slash_commands":
        return True
    if type == "interactive":
        return payload.get("type") in ("view_submission", "block_suggestion")
    return False
