"""Intake throughput: leads accepted per second through `POST /leads`, against a no-op route.

What it measures. The real web app (`create_web_app(build_runtime(...))`) runs in its own
process on uvicorn (one worker, a free 127.0.0.1 port), with one extra route added for the
benchmark: `POST /bench/noop`, which answers `202 {}` without reading its body or touching
the database. Eight client threads, each with one keep-alive `httpx.Client`, post distinct
new leads (unique `external_id` and email) for a fixed time: first to the no-op route, then
to `/leads`. A lead counts only when it is answered `202 accepted`; any other answer is an
error, reported with the server's log, and makes the run exit non-zero.

Why the baseline is in the same run. An absolute leads/s figure says as much about the
machine, its load at that moment and the HTTP client as about the intake. The no-op route
goes through the same client threads, the same loopback, the same uvicorn and the same
bearer header, so its requests/s is the ceiling this harness reaches on this machine right
now; the ratio (leads/s ÷ no-op req/s) is the share of that ceiling the intake keeps once it
validates, normalises and stores each lead. The aim is a ratio of at least 0.5. The report
also gives the server process's CPU use in each window (Linux): about 1.0 core means the
server's one event loop and GIL were the limit; well below it, the clients or the database.

The server runs in a separate process so the load generator does not share its GIL. The
database is a fresh SQLite file in a temporary directory, or `--database-url`; a PostgreSQL
URL gets a schema of its own, made before the run and dropped after. Before the clock starts
it holds `--seed` leads (20,000) with fresh planner statistics: a database in use, not an
empty one (see `seed_leads`).

    .venv/bin/python scripts/bench_intake.py [--seconds 5] [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import uvicorn
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from bot.app import create_web_app
from bot.config import load_settings
from bot.domain.intake import LeadInput, store_received_leads
from bot.runtime import build_runtime
from handlers.intake.schemas import EXAMPLE
from storage.db import make_engine, session_factory, upgrade
from storage.types import utcnow

CLIENTS = 8
AIM = 0.5
NOOP_PATH = "/bench/noop"
LEADS_PATH = "/leads"
STARTUP_TIMEOUT = 30.0
SEED = 20_000
SEED_CHUNK = 1000
# The database URL travels to the server process in its environment, not on its command line.
URL_VARIABLE = "SMARKETING_BENCH_DATABASE_URL"
TOKEN_VARIABLE = "SMARKETING_BENCH_TOKEN"


# -- the server process ------------------------------------------------------------------------


def serve(port: int) -> None:
    """Run the real app plus the no-op route on 127.0.0.1:`port` until terminated."""
    settings = load_settings(
        {"DATABASE_URL": os.environ[URL_VARIABLE], "LEADS_API_TOKEN": os.environ[TOKEN_VARIABLE]}
    )
    web = create_web_app(build_runtime(settings), bolt_app=None)

    @web.post(NOOP_PATH, status_code=202, include_in_schema=False)
    async def noop() -> JSONResponse:
        return JSONResponse(status_code=202, content={})

    uvicorn.run(web, host="127.0.0.1", port=port, workers=1, log_level="warning", access_log=False)


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def server_process(database_url: str, token: str, workdir: Path) -> Iterator[Server]:
    """The app in a child process, healthy on a free loopback port; stopped on exit."""
    port = free_port()
    log_path = workdir / "server.log"
    environ = os.environ | {URL_VARIABLE: database_url, TOKEN_VARIABLE: token}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, __file__, "--serve-on", str(port)],
            cwd=workdir,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        wait_until_healthy(server)
        yield server
    finally:
        stop(process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"the server exited with {server.process.returncode}", server)
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise BenchError(f"the server was not healthy within {STARTUP_TIMEOUT:.0f} s", server)


def stop(process: subprocess.Popen) -> None:
    """SIGINT lets uvicorn finish its requests and shut down; kill only if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the database ------------------------------------------------------------------------------


@contextmanager
def fresh_database(given: str | None, workdir: Path, seed: int) -> Iterator[tuple[str, str]]:
    """(URL, description) of a database migrated to the newest schema, holding `seed` leads."""
    with ExitStack() as stack:
        if given is None:
            url, description = f"sqlite:///{workdir / 'bench.db'}", "sqlite (temp file)"
        elif given.startswith("postgresql"):
            url = stack.enter_context(postgres_schema(given))
            description = "postgresql (dedicated schema, dropped after)"
        else:
            url, description = given, f"{given.split(':', 1)[0]} (as given)"
        engine = make_engine(url)
        try:
            upgrade(engine)
            seed_leads(engine, seed)
        finally:
            engine.dispose()
        yield url, description


def seed_leads(engine: Engine, count: int) -> None:
    """`count` leads already received, then fresh planner statistics, as autovacuum keeps them.

    An empty table is not what intake meets in use, and it misleads PostgreSQL: with no
    statistics the planner scans a table that grew by thousands of rows a second instead of
    using its identity indexes, and the run measures that instead of the intake.
    """
    sessions = session_factory(engine)
    now = utcnow()
    for start in range(0, count, SEED_CHUNK):
        leads = [
            LeadInput(
                platform="api",
                name=f"Seeded lead {number}",
                external_id=f"seed-{number}",
                email=f"seed-{number}@bench.example",
                post=False,
            )
            for number in range(start, min(start + SEED_CHUNK, count))
        ]
        store_received_leads(sessions, leads=leads, now=now)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """`base` narrowed to a new schema of its own, dropped when the block ends."""
    schema = f"bench_{secrets.token_hex(6)}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# -- the load ----------------------------------------------------------------------------------


@dataclass
class Load:
    """What the clients got from one route in one timed window."""

    seconds: float = 0.0
    server_cpu_seconds: float | None = None
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.statuses[202]

    @property
    def per_second(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0

    @property
    def server_cpu_share(self) -> float | None:
        """CPU seconds the server used per second of the window (1.0 = one core busy)."""
        if self.server_cpu_seconds is None or not self.seconds:
            return None
        return self.server_cpu_seconds / self.seconds

    @property
    def refused(self) -> dict[int, int]:
        return {status: n for status, n in sorted(self.statuses.items()) if status != 202}


def lead(run: str, client: int, number: int) -> dict:
    """A new, realistic lead: the documented example with its own identity."""
    key = f"{run}-{client}-{number}"
    return EXAMPLE | {"external_id": f"bench-{key}", "email": f"lead-{key}@bench.example"}


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of process `pid` (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(
    server: Server, path: str, token: str, *, run: str, seconds: float, max_requests: int
) -> Load:
    """`CLIENTS` threads post distinct leads to `path` until `seconds` pass or the cap is hit."""
    load = Load()
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS + 1, timeout=STARTUP_TIMEOUT)
    per_client = max(1, max_requests // CLIENTS)
    headers = {"Authorization": f"Bearer {token}"}

    def client(index: int) -> None:
        statuses: Counter = Counter()
        errors: list[str] = []
        try:
            with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
                try:
                    http.post(NOOP_PATH, json={})  # open the keep-alive connection first
                except httpx.HTTPError as error:
                    errors.append(f"client {index} could not connect: {error!r}")
                    start.abort()
                    return
                start.wait()
                deadline = time.monotonic() + seconds
                for number in range(per_client):
                    if time.monotonic() >= deadline:
                        break
                    try:
                        response = http.post(path, json=lead(run, index, number))
                    except httpx.HTTPError as error:
                        errors.append(f"{path}: {error!r}")
                        break
                    statuses[response.status_code] += 1
                    if response.status_code != 202 and len(errors) < 5:
                        errors.append(f"{path}: {response.status_code} {response.text[:300]}")
        except threading.BrokenBarrierError:
            pass  # another client could not connect; its error says why
        finally:
            with lock:
                load.statuses.update(statuses)
                load.errors.extend(errors)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise BenchError("; ".join(load.errors) or "the clients did not start", server) from None
    began, cpu_before = time.monotonic(), cpu_seconds(server.process.pid)
    for thread in threads:
        thread.join()
    load.seconds = time.monotonic() - began
    cpu_after = cpu_seconds(server.process.pid)
    if cpu_before is not None and cpu_after is not None:
        load.server_cpu_seconds = cpu_after - cpu_before
    return load


# -- the report --------------------------------------------------------------------------------


@dataclass
class Report:
    machine: str
    cpus: int | None
    python: str
    database: str
    seeded_leads: int
    clients: int
    seconds: float
    warmup_seconds: float
    noop_requests: int
    noop_requests_per_second: float
    noop_server_cpu: float | None
    leads: int
    leads_per_second: float
    leads_server_cpu: float | None
    ratio: float
    aim: float
    meets_aim: bool
    errors: list[str]

    def text(self) -> str:
        verdict = "met" if self.meets_aim else "NOT met"

        def cpu(share: float | None) -> str:
            return "server CPU n/a" if share is None else f"server CPU {share:.2f} cores"

        lines = [
            "Intake throughput: POST /leads against a no-op route of the same server",
            f"machine    {self.machine}, {self.cpus} CPUs, Python {self.python}",
            f"database   {self.database}, {self.seeded_leads:,} leads before the run",
            f"load       {self.clients} clients (threads, keep-alive), {self.seconds:g} s "
            f"per route after {self.warmup_seconds:g} s warm-up",
            f"no-op      {self.noop_requests_per_second:8.1f} req/s   "
            f"({self.noop_requests} requests; {cpu(self.noop_server_cpu)})",
            f"/leads     {self.leads_per_second:8.1f} leads/s "
            f"({self.leads} leads accepted; {cpu(self.leads_server_cpu)})",
            f"ratio      {self.ratio:8.3f}         aim >= {self.aim}: {verdict}",
        ]
        lines += [f"ERROR      {error}" for error in self.errors]
        return "\n".join(lines)


def benchmark(arguments: argparse.Namespace) -> Report:
    token = secrets.token_urlsafe(24)
    run = secrets.token_hex(4)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-intake-")))
        database_url, database = stack.enter_context(
            fresh_database(arguments.database_url, workdir, arguments.seed)
        )
        server = stack.enter_context(server_process(database_url, token, workdir))

        def measure(path: str, phase: str) -> Load:
            options = {"max_requests": arguments.max_requests}
            run_load(server, path, token, run=f"{run}w{phase}", seconds=arguments.warmup, **options)
            return run_load(
                server, path, token, run=f"{run}m{phase}", seconds=arguments.seconds, **options
            )

        noop = measure(NOOP_PATH, "n")
        leads = measure(LEADS_PATH, "l")
        errors = [*noop.errors, *leads.errors]
        errors += [f"{NOOP_PATH} answered {s} x{n}" for s, n in noop.refused.items()]
        errors += [f"{LEADS_PATH} answered {s} x{n}" for s, n in leads.refused.items()]
        if errors:
            errors.append("server log (last lines):\n" + server.log_tail())
    ratio = leads.per_second / noop.per_second if noop.per_second else 0.0
    return Report(
        machine=platform.platform(),
        cpus=os.cpu_count(),
        python=platform.python_version(),
        database=database,
        seeded_leads=arguments.seed,
        clients=CLIENTS,
        seconds=arguments.seconds,
        warmup_seconds=arguments.warmup,
        noop_requests=noop.accepted,
        noop_requests_per_second=round(noop.per_second, 1),
        noop_server_cpu=_rounded(noop.server_cpu_share),
        leads=leads.accepted,
        leads_per_second=round(leads.per_second, 1),
        leads_server_cpu=_rounded(leads.server_cpu_share),
        ratio=round(ratio, 3),
        aim=AIM,
        meets_aim=ratio >= AIM,
        errors=errors,
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class BenchError(RuntimeError):
    def __init__(self, message: str, server: Server | None = None):
        if server is not None:
            message += "\nserver log (last lines):\n" + server.log_tail()
        super().__init__(message)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with `share` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Aim:
    """One of a benchmark's aims: the figure, its limit, and whether the run met it."""

    name: str
    value: float
    limit: float
    met: bool


def positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        value = kind(raw)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {raw}")
        return value

    return parse


def non_negative(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {raw}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=positive(float), default=5.0, help="measured time per route (5)"
    )
    parser.add_argument(
        "--warmup", type=positive(float), default=1.0, help="warm-up time per route (1)"
    )
    parser.add_argument(
        "--max-requests",
        type=positive(int),
        default=100_000,
        help="cap on requests per route and phase, whatever the time (100000)",
    )
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file; a postgresql+psycopg:// URL gets its own schema",
    )
    parser.add_argument(
        "--seed",
        type=non_negative,
        default=SEED,
        help=f"leads in the database before the run ({SEED})",
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--serve-on", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)

    if arguments.serve_on is not None:
        serve(arguments.serve_on)
        return 0
    return run(benchmark, arguments, name="bench_intake")


def run(measure: Callable[[argparse.Namespace], Any], arguments, *, name: str) -> int:
    """Measure, print the report (and its JSON with `--json`); the exit code says whether
    the run had errors. Shared by the project's benchmark scripts."""
    try:
        report = measure(arguments)
    except BenchError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1
    print(report.text())
    if arguments.json:
        print(json.dumps(asdict(report), indent=2))
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
