"""`smarketing import FILE`: a CSV export from HubSpot, RD Station or the plain template.

Rows go through the same validation, normalisation and identity rules as `POST /leads`,
in chunks of one transaction each. Only leads created since `post_since` (default: the last
24 hours) are handed to sales as cards; older ones are stored as history, so importing a
year of leads never floods the sales channel. A dry run does everything in one transaction
and rolls it back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.config import Settings
from bot.domain.intake import IntakeStatus, LeadInput, receive_leads
from bot.domain.platforms.csv_export import ExportRow, read_export
from bot.runtime import Runtime
from handlers.intake.schemas import LeadIn
from storage.db import session_scope

CHUNK = 1000
DEFAULT_POST_WINDOW = timedelta(hours=24)
_DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class PostSinceError(ValueError):
    """`--post-since` is neither a duration nor a date."""


@dataclass
class ImportReport:
    platform: str
    encoding: str
    delimiter: str
    rows: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    posted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def post_cutoff(value: str | None, *, now: datetime, timezone: ZoneInfo) -> datetime:
    """The instant from which imported leads are posted: `24h`, `7d`, `2w`, or a date
    (`2026-11-01`, midnight in the team's time zone) or an ISO timestamp."""
    if value is None:
        return now - DEFAULT_POST_WINDOW
    duration = _DURATION.match(value)
    if duration:
        amount, unit = int(duration[1]), _UNITS[duration[2].lower()]
        return now - timedelta(**{unit: amount})
    try:
        if len(value.strip()) == 10:
            return datetime.combine(date.fromisoformat(value.strip()), time(), tzinfo=timezone)
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PostSinceError(value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)


def import_export(
    runtime: Runtime,
    path: Path,
    *,
    now: datetime,
    post_since: datetime | None,
    dry_run: bool = False,
    progress: Callable[[int], None] = lambda rows: None,
) -> ImportReport:
    """Import every row of `path`; `post_since=None` stores everything without posting."""
    export = read_export(path)
    report = ImportReport(export.platform, export.encoding, export.delimiter)
    settings = runtime.settings
    chunks = _chunks(export.rows, CHUNK)
    if dry_run:
        with runtime.sessions() as session:
            for chunk in chunks:
                leads = _valid_leads(chunk, export.platform, settings, now, post_since, report)
                _count(report, receive_leads(session, leads=leads, now=now), leads)
                progress(report.rows)
            session.rollback()
        return report
    for chunk in chunks:
        leads = _valid_leads(chunk, export.platform, settings, now, post_since, report)
        with session_scope(runtime.sessions) as session:
            results = receive_leads(session, leads=leads, now=now)
        _count(report, results, leads)
        progress(report.rows)
    return report


def _chunks(rows: Iterable[ExportRow], size: int) -> Iterator[list[ExportRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _valid_leads(
    rows: list[ExportRow],
    platform: str,
    settings: Settings,
    now: datetime,
    post_since: datetime | None,
    report: ImportReport,
) -> list[LeadInput]:
    leads = []
    for row in rows:
        report.rows += 1
        try:
            item = LeadIn.model_validate(row.lead)
        except ValidationError as error:
            report.rejected.append((row.line, _first_problem(error)))
            continue
        problems = item.contact_problems()
        if problems:
            report.rejected.append((row.line, f"{problems[0][0]}: {problems[0][1]}"))
            continue
        lead = item.to_input(
            platform=platform,
            timezone=settings.timezone,
            phone_region=settings.default_phone_region,
        )
        created = lead.created_at or now
        leads.append(replace(lead, post=post_since is not None and created >= post_since))
    return leads


def _count(report: ImportReport, results, leads: list[LeadInput]) -> None:
    for result, lead in zip(results, leads, strict=True):
        if result.status is IntakeStatus.ACCEPTED:
            report.imported += 1
        elif result.status is IntakeStatus.UPDATED:
            report.updated += 1
        else:
            report.duplicates += 1
        if result.status is not IntakeStatus.DUPLICATE and lead.post and lead.stage == "profiled":
            report.posted += 1


def _first_problem(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "row"
    return f"{where}: {first['msg']}"
