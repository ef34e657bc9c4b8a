"""The bot running for real, for end-to-end tests.

- `run_bot(env, cwd)`: the real `smarketing serve` as a subprocess on a free loopback port,
  with the environment a test gives it (usually pointing at the fake Slack and a fresh
  database), stopped and its log kept when the block ends.
- `serve_in_thread(app)`: any ASGI app on a real uvicorn server in a thread, for tests that
  build the app themselves.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment() -> dict[str, str]:
    """The process environment without any of the bot's own settings."""
    ours = ("SLACK_", "BOT_", "DATABASE_URL", "LEADS_", "HUBSPOT_", "RDSTATION_", "PUBLIC_URL")
    return {k: v for k, v in os.environ.items() if not k.startswith(ours)}


@dataclass
class RunningBot:
    url: str
    process: subprocess.Popen
    log_path: Path

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return httpx.post(self.url + path, timeout=10, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_until(condition: Callable[[], object], *, timeout: float, interval: float = 0.05):
    """Poll `condition` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


@contextmanager
def run_bot(env: dict[str, str], cwd: Path, *, expect_healthy: bool = True) -> Iterator[RunningBot]:
    """`smarketing serve` with `env` (on top of a clean environment) in `cwd`."""
    port = free_port()
    log_path = cwd / f"serve-{port}.log"
    full_env = clean_environment() | {"HOST": "127.0.0.1", "PORT": str(port)} | env
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=cwd,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    bot = RunningBot(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        if expect_healthy:
            wait_until(lambda: _answers(bot) or process.poll() is not None, timeout=STARTUP_TIMEOUT)
            if process.poll() is not None:
                raise AssertionError(f"serve exited with {process.returncode}:\n{bot.log()}")
        yield bot
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(bot: RunningBot) -> bool:
    try:
        return bot.get("/healthz").status_code in (200, 503)
    except httpx.TransportError:
        return False


@contextmanager
def serve_in_thread(app) -> Iterator[str]:
    """Serve an ASGI app on a real loopback port; yields its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout=STARTUP_TIMEOUT)
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


def run_cli(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`smarketing ARGS` as a subprocess in `cwd`, with only the variables given."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean_environment() | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
