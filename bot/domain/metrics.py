"""The top of the funnel: the daily figures marketing platforms report.

One row per day, channel, source and campaign: impressions, clicks and the platform's own
count of leads. The day is a calendar day as the platform reports it (the team's day), not
an instant. `channel`, `source` and `campaign` are cleaned exactly as a lead's are —
trimmed, control characters removed, cut to 200 characters, case kept — so a platform's
figures line up with the leads it sent when `/funnel` breaks them down.

The figures are counts: whole numbers, never negative. Nothing else is checked between
them: platforms count clicks and impressions differently, so more clicks than impressions
is stored as reported. Within one batch the same key twice means the later row; a key
already stored is replaced, so sending a day again corrects it.

`POST /marketing-metrics` and `smarketing import-metrics` validate with the same models:
each problem says where it is (`("rows", 3, "impressions")`), so the route answers 422
naming the field and the import names the line and the column.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.domain import normalize
from bot.domain.platforms.csv_export import sniff_delimiter
from storage import queries
from storage.db import session_scope

MAX_ROWS = 500
# Far beyond any platform's day, and low enough that years of rows still sum within 64 bits.
MAX_COUNT = 10**12
FIGURES = ("impressions", "clicks", "leads")
COLUMNS = ("date", "channel", "source", "campaign", *FIGURES)
REQUIRED_COLUMNS = ("date", "channel", *FIGURES)

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"-?[0-9]{1,4000}")  # within the digits Python turns into an int
# Thousands written with a separator (`12,000`, `12.000`, `12 000`): counts have no decimals,
# so a mark followed by exactly three digits can only be one.
_GROUPED = re.compile(r"[0-9]{1,3}([.,\u0020\u00a0\u202f])[0-9]{3}(?:\1[0-9]{3}){0,5}")


def _calendar_day(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError(
        "date_format", "Date should be a calendar day written YYYY-MM-DD, e.g. 2026-11-20"
    )


def _count(value: Any) -> Any:
    """A count as sent: a number, or its text (a CSV cell, `"12,000"`); a yes/no is not one."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, str):
        text = value.strip()
        if _WHOLE.fullmatch(text):
            return int(text)
        grouped = _GROUPED.fullmatch(text)
        if grouped:
            return int(text.replace(grouped[1], ""))
    return value


Day = Annotated[date, BeforeValidator(_calendar_day)]
Count = Annotated[int, BeforeValidator(_count), Field(ge=0, le=MAX_COUNT)]
Text = Annotated[str, BeforeValidator(normalize.scalar_as_text)]

EXAMPLE_ROW = {
    "date": "2026-11-20",
    "channel": "paid-search",
    "source": "google",
    "campaign": "black-friday",
    "impressions": 12000,
    "clicks": 340,
    "leads": 18,
}
EXAMPLE = {
    "rows": [
        EXAMPLE_ROW,
        {
            "date": "2026-11-20",
            "channel": "paid-social",
            "source": "facebook",
            "impressions": 8800,
            "clicks": 95,
            "leads": 4,
        },
    ]
}


class MetricRow(BaseModel):
    """What one platform reported for one day, channel, source and campaign."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"examples": [EXAMPLE_ROW]})

    date: Day = Field(description="The day, `YYYY-MM-DD`, as the platform reports it.")
    channel: Text = Field(
        min_length=1,
        description="Marketing channel, the same value leads carry (e.g. `paid-search`).",
    )
    source: Text | None = Field(None, description="Source, as on leads (e.g. `google`).")
    campaign: Text | None = Field(None, description="Campaign, as on leads.")
    impressions: Count = Field(description="Impressions that day (a whole number, 0 or more).")
    clicks: Count = Field(description="Clicks that day (may exceed impressions: as reported).")
    leads: Count = Field(description="The platform's own count of leads that day.")

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        cleaned = normalize.clean_text(value, limit=normalize.NAME_LIMIT)
        if cleaned is None:
            raise PydanticCustomError(
                "blank", "Channel is empty once blanks and control characters are removed"
            )
        return cleaned

    @field_validator("source", "campaign")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        return normalize.clean_text(value, limit=normalize.NAME_LIMIT)

    @property
    def key(self) -> tuple[date, str, str, str]:
        """What identifies the row: a later row with the same key replaces it."""
        return self.date, self.channel, self.source or "", self.campaign or ""

    def record(self) -> dict[str, Any]:
        """The row as the `marketing_metric` table stores it."""
        day, channel, source, campaign = self.key
        return {
            "date": day,
            "channel": channel,
            "source": source,
            "campaign": campaign,
            **{name: getattr(self, name) for name in FIGURES},
        }


class MetricsBatch(BaseModel):
    """Up to 500 rows, validated whole: one invalid row stores nothing."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    rows: list[MetricRow] = Field(
        max_length=MAX_ROWS,
        description="One row per day, channel, source and campaign; the same key twice: "
        "the later row counts.",
    )


@dataclass(frozen=True)
class Problem:
    """Why a value was refused, and where: `("rows", 3, "impressions")` in a batch,
    `("impressions",)` in one row. `kind` is Pydantic's error type (`missing`, `int_parsing`,
    `greater_than_equal`…), or `date_format` / `blank` for this module's own checks."""

    loc: tuple[str | int, ...]
    kind: str
    message: str
    input: Any = None
    limits: Mapping[str, str] | None = None  # what the value broke, e.g. {"le": "1000"}


class InvalidMetrics(ValueError):
    """Input that cannot be stored as it is; nothing was stored."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(self.problems)} invalid value(s)")


def read_batch(document: Any) -> list[MetricRow]:
    """The rows of a `{"rows": [...]}` document (at most `MAX_ROWS`), the later of two rows
    with the same key kept; `InvalidMetrics` naming every problem otherwise."""
    return latest_per_key(_validated(MetricsBatch, document).rows)


def read_row(document: Any) -> MetricRow:
    """One row, validated; `InvalidMetrics` naming every problem otherwise."""
    return _validated(MetricRow, document)


def latest_per_key(rows: Iterable[MetricRow]) -> list[MetricRow]:
    """One row per key: the later row wins, in the order the winners came."""
    latest: dict[tuple, MetricRow] = {}
    for row in rows:
        latest.pop(row.key, None)
        latest[row.key] = row
    return list(latest.values())


def store_figures(
    sessions: sessionmaker[Session], *, rows: Sequence[MetricRow], now: datetime
) -> int:
    """Store `rows` in one transaction, all or nothing, each replacing the figures stored
    before for its key; returns how many rows were stored (repeated keys count once)."""
    # One order for every writer, so two batches sharing keys never deadlock on PostgreSQL.
    ordered = sorted(latest_per_key(rows), key=lambda row: row.key)
    with session_scope(sessions) as session:
        return queries.store_metrics(session, [row.record() for row in ordered], now)


def _validated(model: type[BaseModel], document: Any) -> Any:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise InvalidMetrics(
            [
                Problem(
                    loc=tuple(e["loc"]),
                    kind=e["type"],
                    message=e["msg"],
                    input=e.get("input"),
                    limits={k: str(v) for k, v in e["ctx"].items()} if e.get("ctx") else None,
                )
                for e in error.errors(include_url=False)
            ]
        ) from None


# -- CSV files -------------------------------------------------------------------------------

# Header -> column, compared without case, accents, spaces or punctuation.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "fecha"),
    "channel": ("channel", "canal"),
    "source": ("source", "fuente"),
    "campaign": ("campaign", "campaña"),
    "impressions": ("impressions", "impresiones"),
    "clicks": ("clicks", "clics"),
    "leads": ("leads",),
}
DELIMITERS = (",", ";")


class MetricsFileError(ValueError):
    """A file that cannot be read as figures at all. `reason`: `not_utf8`, `no_header`,
    `missing_columns` (`columns` names them) or `unreadable` (`line` and `detail`)."""

    def __init__(self, reason: str, **details: Any) -> None:
        self.reason = reason
        self.details = details
        super().__init__(reason)


@dataclass(frozen=True)
class LineProblem:
    line: int  # the file's physical line (the header is line 1)
    column: str  # as the file's header names it
    problem: Problem


@dataclass(frozen=True)
class MetricsFile:
    rows: list[MetricRow]  # the valid rows, one per key (the later row wins)
    read: int  # rows read, blank lines not counted
    problems: list[LineProblem]
    delimiter: str

    @property
    def repeated(self) -> int:
        """Valid rows that a later row with the same key replaced."""
        return self.read - len({p.line for p in self.problems}) - len(self.rows)


def read_metrics_csv(source: Path | bytes) -> MetricsFile:
    """Every row of a figures CSV, each validated as the route validates one.

    The header names the columns (`COLUMNS`, or the Spanish names in `HEADER_ALIASES`), in
    any order; `source` and `campaign` may be left out, other columns are ignored. UTF-8,
    with or without a BOM; comma- or semicolon-separated (the header line decides). Blank
    cells are no value; blank lines are skipped. A bad row does not stop the reading: every
    problem is reported with its line, so a file is fixed in one go.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise MetricsFileError("not_utf8") from None
    header_line = next((line for line in text.splitlines() if line.strip()), None)
    if header_line is None:
        raise MetricsFileError("no_header")
    delimiter = sniff_delimiter(header_line, DELIMITERS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[MetricRow] = []
    problems: list[LineProblem] = []
    read = 0
    header: list[str] | None = None
    columns: dict[str, int] = {}
    last_line = 0
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header, columns = _header(cells)
                continue
            read += 1
            document = {
                name: cells[index].strip()
                for name, index in columns.items()
                if index < len(cells) and cells[index].strip()
            }
            try:
                rows.append(read_row(document))
            except InvalidMetrics as invalid:
                names = {name: header[index].strip() for name, index in columns.items()}
                problems.extend(
                    LineProblem(line, names.get(str(p.loc[0]), "") if p.loc else "", p)
                    for p in invalid.problems
                )
    except csv.Error as error:
        raise MetricsFileError("unreadable", line=last_line + 1, detail=str(error)) from None
    return MetricsFile(latest_per_key(rows), read, problems, delimiter)


def _header_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


_COLUMN_BY_KEY = {
    _header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}


def _header(cells: list[str]) -> tuple[list[str], dict[str, int]]:
    """The header's cells and the column each of ours is in (the first, if repeated)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _COLUMN_BY_KEY.get(_header_key(cell))
        if column is not None:
            columns.setdefault(column, index)
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise MetricsFileError("missing_columns", columns=missing)
    return cells, columns
