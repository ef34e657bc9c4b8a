"""Claim acknowledgement: how fast a Claim click is acked, against a no-op Bolt listener.

What it measures. Slack shows a person a spinner until the app answers an interactive
request, and gives up after three seconds. The Claim listener takes its decision in the
database (who owns the lead, the event, the notices for the card and its thread) before it
calls `ack()`, so the database work sits inside that wait (clicks that arrive while a
decision is being taken are decided together in the next one: `ClaimLane`). This script
times that answer through the real HTTP path: a signed `POST /slack/events` carrying
Slack's own `block_actions` payload, into FastAPI, into Bolt (signature check, middleware,
listener matching), into `handlers.slack.listeners.actions.claim`, and back.

Why the baseline is in the same run. A latency in milliseconds says as much about the
machine, its load at that moment and the HTTP client as about the listener. The server
carries one extra Bolt listener, `bench_noop`, which only calls `ack()`; its clicks have the
same shape and size, take the same loopback, the same uvicorn, the same Bolt pipeline and
the same signature check, so the no-op's latency is what this harness and this machine cost
by themselves right now, and Claim ÷ no-op is what the claim itself adds. The aims: under
20 concurrent clicks, Claim's p50 and p99 within 1.5 times the no-op's; one click at a time,
Claim acked in under 20 ms at p50. They are reported (met / NOT met), not enforced.

How it clicks. `--clients` (20) threads, each a seller of its own (U0BENCH00…) with one
keep-alive `httpx.Client`, are released together by a barrier for each round; each posts
one freshly signed click and times it from just before the post until the response is in.
Each route gets one warm-up round and then `--rounds` (25) measured ones, 500 samples by
default; the two routes take turns round by round (no-op, Claim, Claim, no-op…), so a
change in the machine's load during the run weighs on both alike. Then one thread clicks
`--single` (200) times, one click after the other, for each route. Every Claim click
targets a different unclaimed lead (stored beforehand, profiled, with no card queued), so
every one of them takes the path that writes: the lead changes owner, an event is
appended, two notices are queued. The clients' own process collects no garbage while they
click, so a pause of its collector never shows up as a slow answer.

What must hold. Every answer is 200, and afterwards the database agrees: each clicked lead
is owned by the seller who clicked it, with exactly one `claim` event by that seller, and no
other lead is owned. The server's log must hold no traceback or failed listener (the error
listener answers Slack 200 even when a listener raises, so the status alone would not show
it). Any of these failing makes the run exit non-zero.

The setting. The server runs in a separate process (re-running this script with a hidden
`--serve-on PORT`) so the load generator does not share its GIL; it is built as
`smarketing serve` builds it (`build_runtime`, `BotIdentity`, `build_bolt_app`,
`create_web_app`, uvicorn on 127.0.0.1) but without the delivery worker and the other
background work, so nothing else competes with the acks: the notices the claims queue stay
in the outbox. Slack is the test kit's fake (`tests/slackkit`, put on `sys.path`), served
by this process; the server asks it who the bot is (`auth.test`) before it serves, as Bolt's
`authorize` needs. The database is a fresh SQLite file in a temporary directory, or
`--database-url`; a PostgreSQL URL gets a schema of its own, made before the run and dropped
after. The report gives the server process's CPU time per phase (Linux).

    .venv/bin/python scripts/bench_ack.py [--rounds 25] [--single 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# The fake Slack and the payload builders live with the tests; `bench_intake` (for the
# server-process helpers) sits beside this file, which Python puts on the path for a script.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import httpx
import uvicorn
from bench_intake import (
    Aim,
    BenchError,
    Server,
    cpu_seconds,
    free_port,
    percentile,
    positive,
    postgres_schema,
    run,
    stop,
    wait_until_healthy,
)
from slackkit import payloads, workspace
from slackkit.fake_slack import FakeSlack
from slackkit.signing import SlackRequest, SlackSigner
from sqlalchemy import text
from sqlmodel import col, select

from bot.app import build_bolt_app, create_web_app
from bot.config import load_settings
from bot.domain.intake import IntakeStatus, LeadInput, store_received_leads
from bot.runtime import build_runtime
from bot.server import settle_heap
from handlers.slack import ids
from handlers.slack.client import make_web_client
from handlers.slack.identity import BotIdentity
from storage.db import make_engine, session_factory, upgrade
from storage.models import Lead, LeadEvent
from storage.types import utcnow

CLIENTS = 20
ROUNDS = 25
SINGLE = 200
# Unmeasured clicks before the single-click phase of each route: the connection is opened.
SINGLE_WARMUP = 10
RATIO_AIM = 1.5
SINGLE_AIM_MS = 20.0
EVENTS_PATH = "/slack/events"
NOOP_ACTION = "bench_noop"
STORE_CHUNK = 1000
# What `smarketing serve` would read from its environment, and all the server process reads.
SERVER_VARIABLES = (
    "DATABASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "SALES_CHANNEL_ID",
    "MARKETING_CHANNEL_ID",
    "MANAGERS_CHANNEL_ID",
    "SELLER_USER_IDS",
)
# Signs in the server's log that a request failed even though Slack was answered 200.
LOG_FAILURES = ("Traceback", "listener failed")


def sellers(count: int) -> list[str]:
    return [f"U0BENCH{n:02d}" for n in range(count)]


# -- the server process ------------------------------------------------------------------------


def serve(port: int) -> None:
    """The Slack endpoint as `serve` builds it, plus the no-op listener, on 127.0.0.1:`port`."""
    settings = load_settings({name: os.environ.get(name, "") for name in SERVER_VARIABLES})
    runtime = build_runtime(settings)
    identity = BotIdentity(
        make_web_client(token=settings.slack_bot_token, base_url=settings.slack_api_url),
        token=settings.slack_bot_token,
    )
    # Until it is known, `authorize` has no bot ids; the measurement is of a bot that has them.
    if not identity.refresh():
        sys.exit("bench_ack: the server could not learn its identity from the fake Slack")
    bolt = build_bolt_app(
        runtime,
        identity=identity,
        client=make_web_client(token=None, base_url=settings.slack_api_url),
    )
    bolt.action(NOOP_ACTION)(lambda ack: ack())
    web = create_web_app(runtime, bolt_app=bolt)
    settle_heap()  # as `serve` does
    uvicorn.run(web, host="127.0.0.1", port=port, workers=1, log_level="warning", access_log=False)


@contextmanager
def server_process(environment: dict[str, str], workdir: Path) -> Iterator[Server]:
    """The server in a child process, healthy (so its identity known) on a free port."""
    port = free_port()
    log_path = workdir / "server.log"
    # The bot's own variables come only from `environment`, never from the caller's shell.
    inherited = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, __file__, "--serve-on", str(port)],
            cwd=workdir,
            env=inherited | environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        wait_until_healthy(server)
        yield server
    finally:
        stop(process)


@contextmanager
def fake_slack(users: list[str]) -> Iterator[FakeSlack]:
    """The test workspace, with the bench's sellers as people and members of the sales channel."""
    with FakeSlack() as fake:
        workspace.populate(fake)
        for user in users:
            fake.add_user(user, name=user.lower(), email=f"{user.lower()}@bench.example")
        members = workspace.CHANNELS[workspace.SALES][1]
        fake.set_members(workspace.SALES, [*members, *users])
        yield fake


# -- the database ------------------------------------------------------------------------------


@contextmanager
def claimable_database(
    given: str | None, workdir: Path, count: int
) -> Iterator[tuple[str, str, list[int]]]:
    """(URL, description, lead ids): a migrated database holding `count` unclaimed leads."""
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
            lead_ids = store_leads(engine, count)
        finally:
            engine.dispose()
        yield url, description, lead_ids


def store_leads(engine, count: int) -> list[int]:
    """`count` profiled leads, nobody's yet, with no card queued (`post=False`).

    Fresh planner statistics follow, as autovacuum would keep them: PostgreSQL without any
    plans against a table it believes empty.
    """
    sessions = session_factory(engine)
    now = utcnow()
    lead_ids: list[int] = []
    for start in range(0, count, STORE_CHUNK):
        leads = [
            LeadInput(
                platform="api",
                name=f"Bench lead {number}",
                external_id=f"bench-ack-{number}",
                email=f"lead-{number}@bench.example",
                company="Grupo Andino",
                post=False,
            )
            for number in range(start, min(start + STORE_CHUNK, count))
        ]
        results = store_received_leads(sessions, leads=leads, now=now)
        if any(result.status is not IntakeStatus.ACCEPTED for result in results):
            raise BenchError("the leads to claim were not all stored as new")
        lead_ids += [result.id for result in results]
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return lead_ids


def check_claims(database_url: str, claimed: dict[int, str]) -> list[str]:
    """What the database says against what was clicked: one owner and one event per claim."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            # `.all()`: a result has `keys()`, which `dict()` would take for a mapping's.
            owners = dict(
                session.exec(
                    select(Lead.id, Lead.owner_id).where(col(Lead.owner_id).is_not(None))
                ).all()
            )
            events = [
                tuple(row)
                for row in session.exec(
                    select(LeadEvent.lead_id, LeadEvent.actor).where(LeadEvent.kind == "claim")
                )
            ]
    finally:
        engine.dispose()
    errors = []
    if len(owners) != len(claimed):
        errors.append(f"{len(owners)} leads have an owner after {len(claimed)} claim clicks")
    wrong = [i for i, user in claimed.items() if owners.get(i) != user]
    if wrong:
        errors.append(
            f"{len(wrong)} claimed leads are not owned by their clicker "
            f"(e.g. lead {wrong[0]}: {owners.get(wrong[0])!r}, clicked by {claimed[wrong[0]]})"
        )
    if len(events) != len(claimed):
        errors.append(f"{len(events)} claim events after {len(claimed)} claim clicks")
    if sorted(events) != sorted(claimed.items()):
        errors.append("the claim events are not one per clicked lead, by its clicker")
    return errors


# -- the clicks --------------------------------------------------------------------------------


class Clicks:
    """Signed clicks on one card button; a Claim click takes the next lead nobody has claimed.

    Each click is signed when it is made, just before it is sent: Bolt refuses a signature
    whose timestamp is more than five minutes off.
    """

    def __init__(self, action_id: str, leads: Iterator[int]):
        self.action_id = action_id
        self.claimed: dict[int, str] = {}  # lead id -> the seller who clicked it
        self._leads = leads
        self._signer = SlackSigner(workspace.SIGNING_SECRET)
        self._lock = threading.Lock()

    def make(self, user: str) -> SlackRequest:
        with self._lock:
            lead_id = next(self._leads)
            if self.action_id == ids.ACTION_CLAIM:
                self.claimed[lead_id] = user
        payload = payloads.block_actions(
            self.action_id,
            value=str(lead_id),
            block_id=ids.CARD_ACTIONS,
            text="Claim",
            user_id=user,
            channel_id=workspace.SALES,
            message=payloads.bot_message(workspace.SALES, text="New lead: Bench lead"),
        )
        return self._signer.interactive(payload)


@dataclass
class Phase:
    """What the clients measured for one route in one mode."""

    latencies: list[float] = field(default_factory=list)  # seconds, measured clicks only
    seconds: float = 0.0
    server_cpu_seconds: float | None = None
    errors: list[str] = field(default_factory=list)


def send(http: httpx.Client, request: SlackRequest, phase: Phase) -> float | None:
    """Post one click; its latency in seconds, or None (and an error) if it was not a 200."""
    began = time.perf_counter()
    try:
        response = http.post(EVENTS_PATH, content=request.body, headers=request.headers)
    except httpx.HTTPError as error:
        phase.errors.append(f"{EVENTS_PATH}: {error!r}")
        return None
    took = time.perf_counter() - began
    if response.status_code != 200:
        phase.errors.append(f"{EVENTS_PATH}: {response.status_code} {response.text[:200]}")
        return None
    return took


def run_concurrent(
    server: Server, routes: list[tuple[Clicks, Phase]], users: list[str], rounds: int
) -> None:
    """One warm-up round per route, then `rounds` measured rounds per route, one click per
    user released together in each. The routes take turns (A B, B A, A B…), so whatever
    the machine is doing meanwhile weighs on the baseline and on Claim alike."""
    indexes = list(range(len(routes)))
    schedule = [(index, False) for index in indexes]  # the warm-up
    for number in range(rounds):
        turn = indexes if number % 2 == 0 else indexes[::-1]
        schedule += [(index, True) for index in turn]
    lock = threading.Lock()
    marks: list[tuple[float, float | None]] = []  # (clock, server CPU) as each round starts
    # The barrier's action runs once everyone has arrived and before anyone is released, so
    # reading the clock and /proc there costs no click any time.
    barrier = threading.Barrier(
        len(users),
        action=lambda: marks.append((time.monotonic(), cpu_seconds(server.process.pid))),
        timeout=60,
    )

    def client(user: str) -> None:
        mine: list[tuple[int, float]] = []
        try:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                for index, counted in schedule:
                    clicks, phase = routes[index]
                    request = clicks.make(user)
                    barrier.wait()
                    took = send(http, request, phase)
                    if took is None:
                        barrier.abort()
                        return
                    if counted:
                        mine.append((index, took))
        except threading.BrokenBarrierError:
            pass  # another client failed; its error says why
        finally:
            with lock:
                for index, took in mine:
                    routes[index][1].latencies.append(took)

    threads = [threading.Thread(target=client, args=(user,), daemon=True) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    marks.append((time.monotonic(), cpu_seconds(server.process.pid)))
    if len(marks) != len(schedule) + 1:
        return  # a client failed: no time or CPU to share out
    cpu_known = all(cpu is not None for _clock, cpu in marks)
    for step, (index, counted) in enumerate(schedule):
        if not counted:
            continue
        (began, cpu_before), (ended, cpu_after) = marks[step], marks[step + 1]
        phase = routes[index][1]
        phase.seconds += ended - began
        if cpu_known:
            phase.server_cpu_seconds = (phase.server_cpu_seconds or 0.0) + cpu_after - cpu_before


@contextmanager
def no_collector_pauses() -> Iterator[None]:
    """This process's garbage collector off (after one collection) for the block."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_single(server: Server, clicks: Clicks, users: list[str], count: int) -> Phase:
    """`count` clicks, each sent when the previous one is answered, by one client."""
    phase = Phase()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for number in range(SINGLE_WARMUP):
            if send(http, clicks.make(users[number % len(users)]), phase) is None:
                return phase
        began, cpu_before = time.monotonic(), cpu_seconds(server.process.pid)
        for number in range(count):
            took = send(http, clicks.make(users[number % len(users)]), phase)
            if took is None:
                break
            phase.latencies.append(took)
        phase.seconds = time.monotonic() - began
    cpu_after = cpu_seconds(server.process.pid)
    if cpu_before is not None and cpu_after is not None:
        phase.server_cpu_seconds = cpu_after - cpu_before
    return phase


# -- the report --------------------------------------------------------------------------------


@dataclass
class Latency:
    route: str
    mode: str
    clicks: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    seconds: float
    server_cpu_seconds: float | None

    @classmethod
    def of(cls, route: str, mode: str, phase: Phase) -> Latency:
        values = phase.latencies or [math.nan]
        cpu = phase.server_cpu_seconds
        return cls(
            route=route,
            mode=mode,
            clicks=len(phase.latencies),
            p50_ms=round(percentile(values, 0.50) * 1000, 2),
            p90_ms=round(percentile(values, 0.90) * 1000, 2),
            p99_ms=round(percentile(values, 0.99) * 1000, 2),
            max_ms=round(max(values) * 1000, 2),
            seconds=round(phase.seconds, 2),
            server_cpu_seconds=None if cpu is None else round(cpu, 2),
        )

    @property
    def cpu_ms_per_click(self) -> float | None:
        if self.server_cpu_seconds is None or not self.clicks:
            return None
        return self.server_cpu_seconds * 1000 / self.clicks


@dataclass
class Report:
    machine: str
    cpus: int | None
    python: str
    database: str
    clients: int
    rounds: int
    single: int
    latencies: list[Latency]
    ratios: dict[str, float]
    aims: list[Aim]
    claims_checked: int
    errors: list[str]

    def text(self) -> str:
        lines = [
            "Claim acknowledgement: a Claim click against a no-op Bolt listener, same server",
            f"machine    {self.machine}, {self.cpus} CPUs, Python {self.python}",
            f"database   {self.database}, {self.claims_checked} leads claimed and checked",
            f"load       {self.clients} clients (threads, keep-alive), released together, "
            f"x {self.rounds} rounds after 1 warm-up round",
            f"           then {self.single} clicks one at a time, after {SINGLE_WARMUP} unmeasured",
            f"{'':22}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}  ms   server CPU",
        ]
        for latency in self.latencies:
            per_click = latency.cpu_ms_per_click
            cpu = (
                "n/a"
                if per_click is None
                else f"{latency.server_cpu_seconds:.2f} s in {latency.seconds:.2f} s "
                f"({per_click:.2f} ms/click)"
            )
            lines.append(
                f"{latency.route + ' ' + latency.mode:22}{latency.p50_ms:8.2f}"
                f"{latency.p90_ms:8.2f}{latency.p99_ms:8.2f}{latency.max_ms:8.2f}       {cpu}"
            )
        lines.append(
            "Claim / no-op   "
            + "   ".join(f"{name} {value:.2f}" for name, value in self.ratios.items())
        )
        for aim in self.aims:
            verdict = "met" if aim.met else "NOT met"
            lines.append(f"aim        {aim.name}: {aim.value:.2f} (limit {aim.limit:g}) {verdict}")
        lines += [f"ERROR      {error}" for error in self.errors]
        return "\n".join(lines)


def benchmark(arguments: argparse.Namespace) -> Report:
    users = sellers(arguments.clients)
    # Every Claim click, warm-ups included, needs a lead of its own.
    claims = (1 + arguments.rounds) * len(users) + SINGLE_WARMUP + arguments.single
    errors: list[str] = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ack-")))
        fake = stack.enter_context(fake_slack(users))
        database_url, database, lead_ids = stack.enter_context(
            claimable_database(arguments.database_url, workdir, claims)
        )
        environment = {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": workspace.BOT_TOKEN,
            "SLACK_SIGNING_SECRET": workspace.SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "SALES_CHANNEL_ID": workspace.SALES,
            "MARKETING_CHANNEL_ID": workspace.MARKETING,
            "MANAGERS_CHANNEL_ID": workspace.MANAGERS,
            "SELLER_USER_IDS": ",".join(users),
        }
        server = stack.enter_context(server_process(environment, workdir))

        # The no-op's clicks name the same leads (it never reads them): bodies of one size.
        noop = Clicks(NOOP_ACTION, iter(lead_ids))
        claim = Clicks(ids.ACTION_CLAIM, iter(lead_ids))
        many = f"x{len(users)}"
        noop_many, claim_many = Phase(), Phase()
        with no_collector_pauses():
            run_concurrent(
                server, [(noop, noop_many), (claim, claim_many)], users, arguments.rounds
            )
            phases = {
                ("no-op", many): noop_many,
                ("Claim", many): claim_many,
                ("no-op", "single"): run_single(server, noop, users, arguments.single),
                ("Claim", "single"): run_single(server, claim, users, arguments.single),
            }
        for phase in phases.values():
            errors += phase.errors[:5]
        log = server.log_path.read_text(errors="replace")
        if any(sign in log for sign in LOG_FAILURES):
            errors.append("the server logged a failure")
        if errors:
            errors.append("server log (last lines):\n" + server.log_tail())
        errors += check_claims(database_url, claim.claimed)

    latencies = [Latency.of(route, mode, phase) for (route, mode), phase in phases.items()]
    noop_many, claim_many, noop_one, claim_one = latencies
    p50, p99 = claim_many.p50_ms / noop_many.p50_ms, claim_many.p99_ms / noop_many.p99_ms
    ratios = {
        f"p50 {many}": round(p50, 2),
        f"p99 {many}": round(p99, 2),
        "single p50": round(claim_one.p50_ms / noop_one.p50_ms, 2),
    }
    aims = [
        Aim(f"Claim p50 {many} / no-op p50", round(p50, 2), RATIO_AIM, p50 <= RATIO_AIM),
        Aim(f"Claim p99 {many} / no-op p99", round(p99, 2), RATIO_AIM, p99 <= RATIO_AIM),
        Aim(
            "Claim single p50 in ms",
            claim_one.p50_ms,
            SINGLE_AIM_MS,
            claim_one.p50_ms < SINGLE_AIM_MS,
        ),
    ]
    return Report(
        machine=platform.platform(),
        cpus=os.cpu_count(),
        python=platform.python_version(),
        database=database,
        clients=len(users),
        rounds=arguments.rounds,
        single=arguments.single,
        latencies=latencies,
        ratios=ratios,
        aims=aims,
        claims_checked=len(claim.claimed),
        errors=errors,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients",
        type=positive(int),
        default=CLIENTS,
        help=f"concurrent clicks per round, each by its own seller ({CLIENTS})",
    )
    parser.add_argument(
        "--rounds", type=positive(int), default=ROUNDS, help=f"measured rounds per route ({ROUNDS})"
    )
    parser.add_argument(
        "--single",
        type=positive(int),
        default=SINGLE,
        help=f"clicks one at a time per route ({SINGLE})",
    )
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file; a postgresql+psycopg:// URL gets its own schema",
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--serve-on", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)

    if arguments.serve_on is not None:
        serve(arguments.serve_on)
        return 0
    return run(benchmark, arguments, name="bench_ack")


if __name__ == "__main__":
    sys.exit(main())
