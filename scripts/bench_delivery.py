"""Delivery pace: N leads into one Slack channel, against Slack's per-channel posting limit.

What it measures. Slack lets a bot post about one message a second into a channel, with
short bursts allowed, and answers anything faster with 429. A batch of leads handed over at
once therefore cannot reach the sales channel faster than that limit allows; what the
delivery worker controls is how close it stays to it without losing or repeating a card.
This script hands `--leads` (60) new, profiled leads to the database in one transaction and
times how long it takes, from just after that commit, until every one of them is a tagged
card in the sales channel.

The Slack is the test kit's fake (`tests/slackkit`; the fake Slack lives with the tests, so
the tests directory is put on `sys.path`), served over real loopback HTTP, seeded with the
test workspace and with its per-channel `chat.postMessage` limit switched on: a token
bucket of `--burst` (3) messages refilled at `--per-second` (1.0). The bot is the real
`BotServer` run in this process (`start()` migrates the database and starts the delivery
worker and the other background work); no HTTP server is needed, because the leads are
stored directly, as the intake stores them.

Why the minimum is what it is. The bucket lets `burst` messages through at once and then
one every 1/`per_second` seconds, so no client can post N messages in less than
max(0, N - burst) / per_second seconds. The ratio (elapsed ÷ that minimum) is the pace the
worker keeps against the best Slack would allow; the aim is at most 1.1. The strict
one-a-second figure, (N - 1) / per_second, is printed too: the worker deliberately keeps to
one a second and does not spend the burst, so that is the pace it is built to reach. The
end time is the poll (every 20 ms) that first saw the last card, so it is up to 20 ms late.

What must hold. Every lead is posted exactly once: after the last card the run waits two
more seconds (a late duplicate would show there), stops the bot, and counts cards per lead
in the fake, leads with no card, 429 answers, and the database's view (every outbox entry
done, one card recorded per lead). Any lead lost or duplicated, any mismatch, a timeout,
or a warning logged while the bot ran makes the run exit non-zero; the ratio is reported,
not enforced.

The database is a fresh SQLite file in a temporary directory, or `--database-url`; a
PostgreSQL URL gets a schema of its own, made before the run and dropped after.

    .venv/bin/python scripts/bench_delivery.py [--leads 60] [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# The fake Slack lives with the tests; `bench_intake` (for its PostgreSQL schema helper) sits
# beside this file, which Python puts on the path when it runs a script.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_intake import positive, postgres_schema, run
from slackkit import workspace
from slackkit.fake_slack import FakeSlack
from sqlalchemy import func, select

from bot.config import Settings, load_settings
from bot.domain.intake import IntakeStatus, LeadInput, store_received_leads
from bot.server import BotServer
from handlers.slack.delivery import CARD_EVENT
from storage.db import make_engine, session_factory, session_scope
from storage.models import CARD_MESSAGE, OutboxEntry, SentMessage
from storage.types import utcnow

AIM = 1.1
LEADS = 60
POLL_SECONDS = 0.02
# After the last card: long enough for a second post of some lead to show up.
SETTLE_SECONDS = 2.0
# The wait for the cards: three times the minimum, plus room for a slow start.
TIMEOUT_FACTOR = 3.0
TIMEOUT_MARGIN = 30.0

FIRST_NAMES = (
    "Lucía Mateo Valentina Santiago Camila Diego Sofía Andrés Isabela Tomás "
    "Martina Joaquín Renata Emilio Daniela Gabriel".split()
)
LAST_NAMES = (
    "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres "
    "Flores Rivera Gómez Díaz Cruz Morales Reyes Ortiz Castillo Vargas".split()
)
COMPANIES = (
    ("Grupo Andino", "andino"),
    ("Logística Pacífico", "pacifico"),
    ("Café del Valle", "cafevalle"),
    ("Constructora Sierra Norte", "sierranorte"),
    ("Farmacias Aurora", "aurora"),
    ("Textiles Monterrey", "textilesmty"),
    ("Clínica San Rafael", "sanrafael"),
    ("Agroexport Llanos", "llanos"),
)
JOB_TITLES = ("Operations manager", "Head of sales", "CFO", "IT lead", "Founder", "COO")
SERVICES = ("CRM setup", "Sales automation", "WhatsApp integration", "Data migration")
ZONES = ("North", "Center", "South")
SOURCES = (("google", "paid-search"), ("meta", "paid-social"), ("newsletter", "email"))


# -- the database ------------------------------------------------------------------------------


@contextmanager
def fresh_database(given: str | None, workdir: Path) -> Iterator[tuple[str, str]]:
    """(URL, description) of an empty database; the bot migrates it when it starts."""
    if given is None:
        yield f"sqlite:///{workdir / 'bench.db'}", "sqlite (temp file)"
    elif given.startswith("postgresql"):
        with postgres_schema(given) as url:
            yield url, "postgresql (dedicated schema, dropped after)"
    else:
        yield given, f"{given.split(':', 1)[0]} (as given)"


# -- Slack and the bot -------------------------------------------------------------------------


@contextmanager
def fake_slack(per_second: float, burst: int) -> Iterator[FakeSlack]:
    """The fake Slack, seeded as the tests seed it, with the per-channel post limit on."""
    with FakeSlack() as fake:
        workspace.populate(fake)
        fake.rate_limit_messages(per_second=per_second, burst=burst)
        yield fake


def bot_settings(fake: FakeSlack, database_url: str) -> Settings:
    return load_settings(
        {
            "SLACK_BOT_TOKEN": workspace.BOT_TOKEN,
            "SLACK_SIGNING_SECRET": workspace.SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "SALES_CHANNEL_ID": workspace.SALES,
            "MARKETING_CHANNEL_ID": workspace.MARKETING,
            "MANAGERS_CHANNEL_ID": workspace.MANAGERS,
            "DATABASE_URL": database_url,
        },
        dotenv=False,
    )


@contextmanager
def running_bot(settings: Settings) -> Iterator[BotServer]:
    """`BotServer` started in this process (schema migrated, delivery worker running)."""
    server = BotServer(settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class WarningLog(logging.Handler):
    """Keeps every warning or error logged while the bot runs: a clean run logs none."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.name}: {record.getMessage()}")


@contextmanager
def collecting_warnings() -> Iterator[WarningLog]:
    log = WarningLog()
    root = logging.getLogger()
    root.addHandler(log)
    try:
        yield log
    finally:
        root.removeHandler(log)


# -- the leads ---------------------------------------------------------------------------------


def new_leads(run: str, count: int) -> list[LeadInput]:
    """`count` distinct new leads ready for sales, varied the way a day's leads are."""
    leads = []
    for number in range(count):
        first = FIRST_NAMES[number % len(FIRST_NAMES)]
        last = LAST_NAMES[(number * 7) % len(LAST_NAMES)]
        company, domain = COMPANIES[number % len(COMPANIES)]
        source, channel = SOURCES[number % len(SOURCES)]
        key = f"{run}-{number}"
        leads.append(
            LeadInput(
                platform="api",
                name=f"{first} {last}",
                external_id=f"bench-{key}",
                email=f"{first.lower()}.{number}.{key}@{domain}.example",
                company=company,
                job_title=JOB_TITLES[number % len(JOB_TITLES)],
                zone=ZONES[number % len(ZONES)],
                service=SERVICES[number % len(SERVICES)],
                source=source,
                channel=channel,
                campaign="spring-webinar",
                score=float(50 + (number * 13) % 50),
                summary=f"Asked for a demo for the {company} team.",
                profile_url=f"https://crm.example/contacts/{key}",
            )
        )
    return leads


def card_lead_ids(fake: FakeSlack, channel: str) -> list[int]:
    """The lead id of every card the bot posted in `channel`, in order, repeats kept."""
    ids = []
    for message in fake.messages(channel):
        metadata = message.metadata or {}
        if message.user == workspace.BOT_USER_ID and metadata.get("event_type") == CARD_EVENT:
            ids.append((metadata.get("event_payload") or {}).get("lead_id"))
    return ids


def wait_for_cards(
    fake: FakeSlack, channel: str, lead_ids: set[int], timeout: float
) -> tuple[float | None, float | None]:
    """Monotonic times the first card, and a card for every lead, were seen in `channel`
    (None if not by the timeout). The first tells the worker's pick-up delay apart from its
    pace between posts."""
    deadline = time.monotonic() + timeout
    first = None
    while True:
        seen = set(card_lead_ids(fake, channel))
        now = time.monotonic()
        if first is None and seen & lead_ids:
            first = now
        if lead_ids <= seen:
            return first, now
        if now >= deadline:
            return first, None
        time.sleep(POLL_SECONDS)


# -- the report --------------------------------------------------------------------------------


@dataclass
class Report:
    machine: str
    cpus: int | None
    python: str
    database: str
    leads: int
    per_second: float
    burst: int
    elapsed_seconds: float | None
    first_card_seconds: float | None
    mean_interval_seconds: float | None
    minimum_seconds: float
    strict_seconds: float
    ratio: float | None
    strict_ratio: float | None
    aim: float
    meets_aim: bool
    delivered: int
    lost: int
    duplicated: int
    answered_429: int
    posts: int
    outbox_entries: int
    outbox_done: int
    cards_recorded: int
    errors: list[str] = field(default_factory=list)

    def text(self) -> str:
        verdict = "met" if self.meets_aim else "NOT met"
        ratio = "n/a" if self.ratio is None else f"{self.ratio:.3f}"
        strict = "n/a" if self.strict_ratio is None else f"{self.strict_ratio:.3f}"
        elapsed = (
            "timed out before the last message"
            if self.elapsed_seconds is None
            else f"{self.elapsed_seconds:.1f} s from hand-off to the last message"
        )
        lines = [
            f"Delivery pace: {self.leads} leads into one channel against Slack's "
            "per-channel limit (fake Slack)",
            f"machine    {self.machine}, {self.cpus} CPUs, Python {self.python}",
            f"database   {self.database}",
            f"limit      {self.per_second:g} message/s per channel, bursts of {self.burst}",
            f"elapsed    {elapsed}",
            f"pace       first card after {_seconds(self.first_card_seconds, 2)}, then one "
            f"every {_seconds(self.mean_interval_seconds, 3)} on average",
            f"minimum    {self.minimum_seconds:.1f} s   ratio {ratio}   "
            f"aim ≤ {self.aim}: {verdict}",
            f"strict     {self.strict_seconds:.1f} s   ratio {strict}   "
            f"(exactly {self.per_second:g}/s, no burst)",
            f"delivered  {self.delivered} of {self.leads}, {self.lost} lost, "
            f"{self.duplicated} duplicated, {self.answered_429} answered 429 "
            f"({self.posts} posts)",
            f"recorded   {self.outbox_done} of {self.outbox_entries} outbox entries done, "
            f"{self.cards_recorded} cards in sent_message",
        ]
        lines += [f"ERROR      {error}" for error in self.errors]
        return "\n".join(lines)


@dataclass
class Recorded:
    """What the database says once the bot has stopped."""

    outbox_entries: int
    outbox_done: int
    cards: int
    card_leads: int


def recorded(database_url: str) -> Recorded:
    engine = make_engine(database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            entries = session.scalar(select(func.count()).select_from(OutboxEntry))
            done = session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(OutboxEntry.done_at.is_not(None))
            )
            cards = select(SentMessage).where(SentMessage.kind == CARD_MESSAGE).subquery()
            card_count = session.scalar(select(func.count()).select_from(cards))
            card_leads = session.scalar(select(func.count(func.distinct(cards.c.lead_id))))
    finally:
        engine.dispose()
    return Recorded(entries or 0, done or 0, card_count or 0, card_leads or 0)


def benchmark(arguments: argparse.Namespace) -> Report:
    count, per_second, burst = arguments.leads, arguments.per_second, arguments.burst
    minimum = max(0, count - burst) / per_second
    strict = max(0, count - 1) / per_second
    timeout = TIMEOUT_FACTOR * minimum + TIMEOUT_MARGIN
    errors: list[str] = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-delivery-")))
        fake = stack.enter_context(fake_slack(per_second, burst))
        database_url, database = stack.enter_context(
            fresh_database(arguments.database_url, workdir)
        )
        warnings = stack.enter_context(collecting_warnings())
        with running_bot(bot_settings(fake, database_url)) as server:
            results = store_received_leads(
                server.runtime.sessions, leads=new_leads(secrets.token_hex(4), count), now=utcnow()
            )
            handed_over = time.monotonic()
            refused = [r for r in results if r.status is not IntakeStatus.ACCEPTED]
            if refused:
                errors.append(f"{len(refused)} leads were not new: {refused[:3]}")
            lead_ids = {r.id for r in results}
            first_card, last_card = wait_for_cards(fake, workspace.SALES, lead_ids, timeout)
            time.sleep(SETTLE_SECONDS)
        database_view = recorded(database_url)
        errors += warnings.lines

    cards = Counter(card_lead_ids(fake, workspace.SALES))
    posts = fake.calls_to("chat.postMessage")
    lost = len(lead_ids - set(cards))
    duplicated = sum(n - 1 for lead_id, n in cards.items() if lead_id in lead_ids and n > 1)
    strangers = sorted(lead_id for lead_id in cards if lead_id not in lead_ids)
    if last_card is None:
        errors.append(f"not every card arrived within {timeout:.1f} s")
    if lost:
        errors.append(f"{lost} leads never reached the channel")
    if duplicated:
        errors.append(f"{duplicated} cards were posted more than once")
    if strangers:
        errors.append(f"cards for leads not handed over: {strangers[:5]}")
    if database_view.outbox_done != database_view.outbox_entries or (
        database_view.outbox_entries != count
    ):
        errors.append(
            f"outbox: {database_view.outbox_done} of {database_view.outbox_entries} entries "
            f"done, {count} expected"
        )
    if database_view.cards != count or database_view.card_leads != count:
        errors.append(
            f"sent_message: {database_view.cards} cards for {database_view.card_leads} leads, "
            f"{count} expected"
        )

    elapsed = None if last_card is None else last_card - handed_over
    first = None if first_card is None else first_card - handed_over
    interval = (
        (last_card - first_card) / (count - 1)
        if last_card is not None and first_card is not None and count > 1
        else None
    )
    ratio = elapsed / minimum if elapsed is not None and minimum else None
    strict_ratio = elapsed / strict if elapsed is not None and strict else None
    return Report(
        machine=platform.platform(),
        cpus=os.cpu_count(),
        python=platform.python_version(),
        database=database,
        leads=count,
        per_second=per_second,
        burst=burst,
        elapsed_seconds=_rounded(elapsed, 2),
        first_card_seconds=_rounded(first, 2),
        mean_interval_seconds=_rounded(interval, 3),
        minimum_seconds=round(minimum, 2),
        strict_seconds=round(strict, 2),
        ratio=_rounded(ratio, 3),
        strict_ratio=_rounded(strict_ratio, 3),
        aim=AIM,
        meets_aim=ratio is not None and ratio <= AIM,
        delivered=sum(1 for lead_id in lead_ids if lead_id in cards),
        lost=lost,
        duplicated=duplicated,
        answered_429=sum(1 for call in posts if call.status == 429),
        posts=len(posts),
        outbox_entries=database_view.outbox_entries,
        outbox_done=database_view.outbox_done,
        cards_recorded=database_view.cards,
        errors=errors,
    )


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _seconds(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--leads", type=positive(int), default=LEADS, help=f"leads handed over at once ({LEADS})"
    )
    parser.add_argument(
        "--per-second",
        type=positive(float),
        default=1.0,
        help="the fake's messages per second per channel (1.0)",
    )
    parser.add_argument(
        "--burst", type=positive(int), default=3, help="the fake's burst per channel (3)"
    )
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file; a postgresql+psycopg:// URL gets its own schema",
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    arguments = parser.parse_args(argv)

    return run(benchmark, arguments, name="bench_delivery")


if __name__ == "__main__":
    sys.exit(main())
