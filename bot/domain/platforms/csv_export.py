"""A CSV export read as generic leads: HubSpot's, RD Station's, a spreadsheet's, the template's.

`read_export` sniffs the file's encoding and delimiter, matches its headers to the generic
lead's fields, tells which platform exported it, and streams one `ExportRow` per record: a
dict with `LeadIn`'s field names, raw values, and the record's line in the file. It reads the
file (or bytes) and nothing else; validation, normalisation and identity are the intake's,
so a row that cannot be a lead is still yielded for the caller to report by its line.

The rules, in the order they apply:

- **Encoding.** A BOM decides (UTF-8, UTF-16 LE/BE). Else NUL bytes in a quarter of the
  first 4 KiB mean UTF-16 without a BOM, its byte order given by the side the NULs fall on.
  Else UTF-8 when the whole file decodes as UTF-8, else cp1252, else latin-1 (which decodes
  anything). The whole file is scanned in chunks, so an accent on row 90,000 still counts.
- **Delimiter.** An Excel `sep=X` first line names it; else whichever of tab, `;`, `,` and
  `|` the header line holds most often outside quotes (a tie goes to the earlier one).
- **Headers** match `HEADER_ALIASES` ignoring case, accents, spaces and punctuation, so the
  template's `job_title` and HubSpot's `Job Title` are one header. When several headers mean
  one field, the one listed first there wins. No cell is dropped: a non-empty cell no field
  takes is kept in `custom_fields` under its header (a blank header is `column N`, a repeated
  one `Email (2)`, a cell past the last header `column N` too). First and last names are
  joined, unless a full-name column has a value; a mobile number is the phone when the phone
  cell is empty; a city is the zone only in a file with no state or zone column.
- **Platform** (which decides identity with `external_id`): a HubSpot record-id column means
  "hubspot" and an RD Station `UUID` column "rdstation" (`PLATFORM_IDS`); otherwise the
  platform with more of its own labels among the headers (`PLATFORM_LABELS`, a tie goes to
  HubSpot); none means "api", the plain template's platform.
- **Stage.** A platform's lifecycle or funnel label is read with `STAGE_LABELS` and kept in
  `custom_fields` under its header; an unknown label (a custom lifecycle stage) is "lead", so
  a guess never hands a lead to sales. RD Station's opportunity flag, when true, makes the
  lead "profiled". The template's `stage` is taken as given (a known label in any case is
  read, anything else is left for the intake to name). No stage at all is "profiled", the
  generic lead's default.
- **Dates** (`created_at`) come out as ISO 8601 text, with an offset only when the file gave
  one. ISO dates in their usual forms are read as they are; numeric dates (`10/11/2026`,
  `10-11-26 9:12 PM`) are day-first or month-first for the whole file: the caller's
  `day_first` when given, else the first date among the first 1,000 rows that shows its
  order (a first number over 12 is a day, a second one over 12 is), else the headers'
  language: English (HubSpot) month-first, Portuguese and Spanish (and a file of generic
  names only) day-first. A date that does not parse is kept as text in `custom_fields` and
  `created_at` is left out: the row is never lost over a date.
- **Numbers** (`score`, `estimated_value`) accept a currency sign or code and either decimal
  mark; a `.` or `,` followed by groups of exactly three digits separates thousands. Text
  that is not a number (RD Station's fit grade `A`) is kept in `custom_fields` instead.
- **Rows.** Cells are trimmed; empty ones are left out. A record with no value at all is
  skipped. Line numbers are the file's physical lines (the header is line 1), so a quoted
  cell spanning three lines moves the next record's number by three.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from bot.domain.numbers import is_ascii_number
from bot.domain.vocabulary import GENERIC_LEAD_FIELDS

# Generic field (or one of the helper columns below) -> the headers that mean it, by language
# ("*": any). Each generic field's own name comes first. When a file has several headers for
# one field, the one listed first here wins and the others go to custom_fields.
# Helper columns: first_name / last_name (joined into `name`), mobile (the phone when the
# phone cell is empty), city (the zone when the file has no zone column), opportunity (RD
# Station's flag: true makes the lead profiled).
HEADER_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "external_id": {
        "en": ("Record ID", "Contact ID", "hs_object_id"),
        "es": ("ID de registro", "ID del contacto"),
        "pt": ("ID do registro", "UUID", "ID do lead"),
        "*": ("ID", "Lead ID"),
    },
    "name": {
        "en": ("Full Name", "Contact Name"),
        "es": ("Nombre completo", "Nombre"),
        "pt": ("Nome completo", "Nome"),
    },
    "first_name": {
        "en": ("First Name", "Given Name"),
        "es": ("Nombres", "Primer nombre"),
        "pt": ("Primeiro nome",),
    },
    "last_name": {
        "en": ("Last Name", "Surname", "Family Name"),
        "es": ("Apellido", "Apellidos"),
        "pt": ("Sobrenome", "Último nome"),
    },
    "email": {
        "en": ("Email Address", "E-mail"),
        "es": ("Correo", "Correo electrónico"),
        "pt": ("Endereço de e-mail",),
    },
    "phone": {
        "en": ("Phone Number", "Telephone"),
        "es": ("Teléfono", "Número de teléfono"),
        "pt": ("Telefone", "Número de telefone"),
    },
    "mobile": {
        "en": ("Mobile Phone Number", "Mobile Phone", "Mobile", "Cell Phone"),
        "es": ("Celular", "Móvil", "Teléfono móvil", "Número de teléfono móvil", "WhatsApp"),
        "pt": ("Celular", "Número de celular", "Telefone celular"),
    },
    "company": {
        "en": ("Company Name", "Organization"),
        "es": ("Empresa", "Nombre de la empresa", "Compañía"),
        "pt": ("Empresa", "Nome da empresa"),
    },
    "job_title": {
        "en": ("Job Title", "Position"),
        "es": ("Cargo", "Puesto"),
        "pt": ("Cargo", "Função"),
    },
    "zone": {
        "en": ("State/Region", "State", "Region", "Territory"),
        "es": ("Zona", "Estado/Región", "Estado", "Región", "Provincia"),
        "pt": ("Estado", "Estado/Região", "Região", "UF"),
    },
    "city": {
        "en": ("City",),
        "es": ("Ciudad", "Municipio"),
        "pt": ("Cidade",),
    },
    "age_range": {
        "en": ("Age Range", "Age Group", "Age"),
        "es": ("Rango de edad", "Edad"),
        "pt": ("Faixa etária", "Idade"),
    },
    "service": {
        "en": ("Service of Interest", "Product of Interest", "Product"),
        "es": ("Servicio", "Servicio de interés", "Producto", "Producto de interés"),
        "pt": ("Serviço", "Serviço de interesse", "Produto", "Produto de interesse"),
    },
    "stage": {
        "en": ("Lifecycle Stage", "Funnel Stage", "Lead Stage"),
        "es": ("Etapa", "Etapa del ciclo de vida", "Etapa del embudo"),
        "pt": ("Estágio no funil", "Estágio do funil", "Fase do ciclo de vida", "Etapa do funil"),
    },
    "opportunity": {
        "en": ("Opportunity",),
        "es": ("Oportunidad",),
        "pt": ("Oportunidade",),
    },
    "score": {
        "en": ("HubSpot Score", "Lead Score", "Fit Score", "Fit"),
        "es": ("Puntuación de HubSpot", "Puntuación", "Puntaje"),
        "pt": ("Pontuação do HubSpot", "Perfil", "Pontuação"),
    },
    "summary": {
        "en": ("Analysis", "Notes"),
        "es": ("Resumen", "Análisis"),
        "pt": ("Resumo", "Análise"),
    },
    "history": {
        "es": ("Historial", "Historia"),
        "pt": ("Histórico",),
    },
    "approach": {
        "en": ("Approach Opportunities",),
        "es": ("Enfoque", "Abordaje"),
        "pt": ("Abordagem",),
    },
    "profile_url": {
        "en": ("Profile Link", "Contact URL", "Public URL"),
        "es": ("URL del perfil", "Enlace del perfil"),
        "pt": ("URL pública", "URL do perfil", "Link do perfil"),
    },
    "estimated_value": {
        "en": ("Estimated Deal Value", "Deal Value", "Amount"),
        "es": ("Valor estimado", "Monto estimado", "Monto"),
        "pt": ("Valor da oportunidade",),
    },
    "created_at": {
        "en": ("Create Date", "Created Date", "Date Created", "Creation Date", "Created On"),
        "es": ("Fecha de creación", "Fecha de conversión", "Fecha de registro", "Fecha"),
        "pt": ("Data de criação", "Data da primeira conversão", "Data de cadastro", "Data"),
    },
    "source": {
        "en": ("Lead Source", "UTM Source"),
        "es": ("Fuente", "Origen"),
        "pt": ("Origem da primeira conversão", "Origem", "Fonte"),
    },
    "campaign": {
        "en": ("UTM Campaign",),
        "es": ("Campaña",),
        "pt": ("Campanha",),
    },
    # HubSpot's "Original Source" is a channel category (Paid Search), as its webhooks'
    # hs_analytics_source is.
    "channel": {
        "en": ("Original Source", "Medium", "UTM Medium"),
        "es": ("Fuente original", "Canal", "Medio"),
        "pt": ("Fonte original", "Canal", "Meio"),
    },
}

# A platform's own id column decides outright; the first platform listed whose id is there wins.
PLATFORM_IDS: dict[str, tuple[str, ...]] = {
    "hubspot": ("Record ID", "ID de registro", "ID do registro", "hs_object_id"),
    "rdstation": ("UUID",),
}
# Otherwise, labels only that platform's exports use: the platform with more of them wins.
PLATFORM_LABELS: dict[str, tuple[str, ...]] = {
    "hubspot": (
        "Lifecycle Stage",
        "Etapa del ciclo de vida",
        "Fase do ciclo de vida",
        "Lead Status",
        "Estado del lead",
        "Status do lead",
        "Contact owner",
        "Propietario del contacto",
        "Proprietário do contato",
        "Original Source",
        "Fuente original",
        "Fonte original",
        "HubSpot Score",
        "Puntuación de HubSpot",
        "Pontuação do HubSpot",
        "Create Date",
    ),
    "rdstation": (
        "Estágio no funil",
        "Origem da primeira conversão",
        "Origem da última conversão",
        "Data da primeira conversão",
        "Data da última conversão",
        "Número de conversões",
    ),
}

# Lifecycle and funnel stage labels of HubSpot (its labels in English, Spanish and
# Portuguese, and its internal values, which read the same once spaces are ignored) and of RD
# Station (its Portuguese, English and Spanish interfaces).
STAGE_LABELS: dict[str, tuple[str, ...]] = {
    "profiled": (
        "profiled",
        "Marketing Qualified Lead",
        "Sales Qualified Lead",
        "Opportunity",
        "Customer",
        "Evangelist",
        "MQL",
        "SQL",
        "Qualified Lead",
        "Client",
        "Lead calificado para marketing",
        "Lead calificado para ventas",
        "Lead calificado",
        "Oportunidad",
        "Cliente",
        "Evangelizador",
        "Lead qualificado para marketing",
        "Lead qualificado para vendas",
        "Lead Qualificado",
        "Oportunidade",
        "Evangelista",
    ),
    "lead": (
        "lead",
        "Subscriber",
        "Other",
        "Visitor",
        "Suscriptor",
        "Otro",
        "Visitante",
        "Contacto",
        "Assinante",
        "Outro",
        "Outros",
        "Contato",
    ),
}
TRUE_WORDS = ("true", "yes", "y", "1", "x", "sí", "si", "verdadero", "sim", "s", "verdadeiro")

DELIMITERS = ("\t", ";", ",", "|")
DATE_SAMPLE_ROWS = 1000

_CHUNK_BYTES = 1 << 20
_NUL_SAMPLE_BYTES = 4096
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_SEP_HINT = re.compile(r'"?sep=(.)"?')
_NUMERIC_DATE = re.compile(
    r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})"
    r"(?:(?:[ T]|,\s*)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,6})?)?\s*(?:([ap])\.?\s?m\.?)?)?",
    re.IGNORECASE,
)
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")
_UTC_SUFFIX = re.compile(r"\s*(?:UTC|GMT)$", re.IGNORECASE)
_AMOUNT = re.compile(
    r"(?:[A-Z]{0,3}[$€£]|[A-Z]{3}\s)?\s*([+-]?\d[\d.,\s]*?)\s*(?:%|[$€£]|\s[A-Z]{3})?"
)
_THOUSANDS = {sep: re.compile(rf"[+-]?[1-9]\d{{0,2}}(?:{re.escape(sep)}\d{{3}})+") for sep in ",."}


class ExportError(ValueError):
    """The file cannot be read as a CSV export: no header, or a record csv cannot parse."""


@dataclass(frozen=True)
class ExportRow:
    """One record: its line in the file (the header is line 1) and its generic-lead dict."""

    line: int
    lead: dict[str, Any]


@dataclass(frozen=True)
class Export:
    """What `read_export` found out about a file, and its rows, streamed.

    `columns` maps each header (made unique, see the module's rules) to the generic field it
    feeds, or to `custom_fields.<header>`. `day_first` says how numeric dates were read.
    """

    platform: str
    encoding: str
    delimiter: str
    columns: dict[str, str]
    rows: Iterator[ExportRow]
    day_first: bool


def read_export(source: Path | str | bytes, *, day_first: bool | None = None) -> Export:
    """A CSV export's encoding, delimiter, platform and columns; its rows streamed.

    `source` is a path, or the export's bytes (an upload, say). The file is read once here to
    sniff it and again as `rows` is iterated, one record at a time, so a file of any length
    takes little memory. `day_first` forces the order of numeric dates; None lets the file
    tell (see the module's rules). Raises `ExportError` when the file has no header.
    """
    open_binary = _binary_opener(source)
    encoding = _sniff_encoding(open_binary)
    with _open_text(open_binary, encoding) as text:
        reader, raw_header, delimiter = _start(text, delimiter=None)
        layout = _Layout(raw_header)
        if day_first is None:
            day_first = _day_first_from_dates(reader, layout.created_at)
    if day_first is None:
        day_first = layout.language != "en"
    mapper = _RowMapper(layout, day_first=day_first)
    rows = _stream_rows(open_binary, encoding, delimiter, mapper)
    return Export(
        platform=layout.platform,
        encoding=encoding.name,
        delimiter=delimiter,
        columns=layout.columns,
        rows=rows,
        day_first=day_first,
    )


# -- headers ---------------------------------------------------------------------------------


def _label_key(text: str) -> str:
    """A header or label as compared: lower case, no accents, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


def _alias_index() -> tuple[dict[str, tuple[int, str]], dict[str, frozenset[str]]]:
    """(header key -> (rank, target), header key -> languages it is written in)."""
    generic_keys = {_label_key(name) for name in GENERIC_LEAD_FIELDS}
    targets: dict[str, tuple[int, str]] = {}
    languages: dict[str, set[str]] = {}
    for target, by_language in HEADER_ALIASES.items():
        labels = [("*", target)] if target in GENERIC_LEAD_FIELDS else []
        labels += [(language, label) for language, group in by_language.items() for label in group]
        for rank, (language, label) in enumerate(labels):
            key = _label_key(label)
            known = targets.get(key)
            if known is not None and known[1] != target:
                raise ValueError(f"header {label!r} means both {known[1]} and {target}")
            if known is None:
                targets[key] = (rank, target)
            if language != "*" and key not in generic_keys:
                languages.setdefault(key, set()).add(language)
    for name in GENERIC_LEAD_FIELDS:
        targets.setdefault(_label_key(name), (0, name))
    return targets, {key: frozenset(found) for key, found in languages.items()}


_TARGET_BY_KEY, _LANGUAGES_BY_KEY = _alias_index()
_STAGE_BY_KEY = {
    _label_key(label): stage for stage, labels in STAGE_LABELS.items() for label in labels
}
_TRUE_KEYS = frozenset(_label_key(word) for word in TRUE_WORDS)


def _unique_headers(raw: list[str]) -> list[str]:
    headers: list[str] = []
    seen: Counter[str] = Counter()
    for number, cell in enumerate(raw, start=1):
        header = cell.strip().lstrip("\ufeff").strip() or f"column {number}"
        seen[header] += 1
        headers.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return headers


class _Layout:
    """Which column feeds which field, the platform, and the headers' language."""

    def __init__(self, raw_header: list[str]) -> None:
        self.raw_header = raw_header
        self.headers = _unique_headers(raw_header)
        keys = [_label_key(header) for header in raw_header]
        chosen: dict[str, tuple[int, int]] = {}  # target -> (rank, column)
        for column, key in enumerate(keys):
            match = _TARGET_BY_KEY.get(key)
            if match is not None and (match[1] not in chosen or match[0] < chosen[match[1]][0]):
                chosen[match[1]] = (match[0], column)
        self.targets = {target: column for target, (_, column) in chosen.items()}
        if "zone" not in self.targets and "city" in self.targets:
            self.targets["zone"] = self.targets.pop("city")
        self.targets.pop("city", None)
        if {"name", "last_name"} <= self.targets.keys() and "first_name" not in self.targets:
            # "Nombre" + "Apellido": that name is a first name.
            self.targets["first_name"] = self.targets.pop("name")
        self.created_at = self.targets.get("created_at")
        # The template's own `stage` column is taken as given; a platform's stage label is read.
        self.template_stage = "stage" in self.targets and keys[self.targets["stage"]] == "stage"
        self.platform = _detect_platform(set(keys))
        self.language = _detect_language(keys)

    @property
    def columns(self) -> dict[str, str]:
        feeds = {column: target for target, column in self.targets.items()}
        renamed = {
            "first_name": "name",
            "last_name": "name",
            "mobile": "phone",
            "opportunity": "stage",
        }
        result = {}
        for column, header in enumerate(self.headers):
            target = feeds.get(column)
            result[header] = renamed.get(target, target) if target else f"custom_fields.{header}"
        return result


def _detect_platform(keys: set[str]) -> str:
    for platform, labels in PLATFORM_IDS.items():
        if keys & {_label_key(label) for label in labels}:
            return platform
    counts = {
        platform: len(keys & {_label_key(label) for label in labels})
        for platform, labels in PLATFORM_LABELS.items()
    }
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else "api"


def _detect_language(keys: list[str]) -> str | None:
    """The language most headers are written in ("en", "es", "pt"; a tie is not English), or
    None when none is (the template's generic names)."""
    tally = Counter(language for key in keys for language in _LANGUAGES_BY_KEY.get(key, ()))
    return max(("es", "pt", "en"), key=tally.__getitem__) if tally else None


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Encoding:
    name: str  # as reported
    codec: str  # what decodes the text after the BOM
    bom: int  # bytes to skip


_BOMS = (
    (codecs.BOM_UTF8, _Encoding("utf-8-sig", "utf-8", 3)),
    (codecs.BOM_UTF16_LE, _Encoding("utf-16-le", "utf-16-le", 2)),
    (codecs.BOM_UTF16_BE, _Encoding("utf-16-be", "utf-16-be", 2)),
)


def _binary_opener(source: Path | str | bytes) -> Callable[[], IO[bytes]]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return lambda: io.BytesIO(data)
    path = Path(source)
    return lambda: path.open("rb")


def _sniff_encoding(open_binary: Callable[[], IO[bytes]]) -> _Encoding:
    with open_binary() as binary:
        chunk = binary.read(_CHUNK_BYTES)
        for bom, encoding in _BOMS:
            if chunk.startswith(bom):
                return encoding
        sample = chunk[:_NUL_SAMPLE_BYTES]
        if sample and sample.count(0) * 4 >= len(sample):
            little = sample[1::2].count(0) >= sample[0::2].count(0)
            name = "utf-16-le" if little else "utf-16-be"
            return _Encoding(name, name, 0)
        utf8 = codecs.getincrementaldecoder("utf-8")()
        utf8_ok = cp1252_ok = True
        while chunk and (utf8_ok or cp1252_ok):
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if cp1252_ok and any(byte in chunk for byte in _CP1252_UNDEFINED):
                cp1252_ok = False
            chunk = binary.read(_CHUNK_BYTES)
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if utf8_ok:
        return _Encoding("utf-8", "utf-8", 0)
    return _Encoding("cp1252", "cp1252", 0) if cp1252_ok else _Encoding("latin-1", "latin-1", 0)


@contextmanager
def _open_text(open_binary: Callable[[], IO[bytes]], encoding: _Encoding) -> Iterator[IO[str]]:
    with open_binary() as binary:
        binary.read(encoding.bom)
        # newline="": the csv module finds line breaks itself, inside quoted cells too.
        text = io.TextIOWrapper(binary, encoding=encoding.codec, errors="replace", newline="")
        with text:
            yield text


def _start(text: IO[str], *, delimiter: str | None) -> tuple[Any, list[str], str]:
    """The csv reader just past the header, the header's cells, and the delimiter.

    Blank lines before the header and an Excel `sep=X` line are passed over (and counted).
    """
    lines = []
    for line in text:
        lines.append(line)
        if line.strip():
            break
    else:
        raise ExportError("The file is empty: there is no header line.")
    hint = _SEP_HINT.fullmatch(lines[-1].rstrip("\r\n"))
    if delimiter is None:
        delimiter = hint[1] if hint else sniff_delimiter(lines[-1])
    reader = csv.reader(chain(lines, text), delimiter=delimiter)
    try:
        for _ in range(len(lines) - (0 if hint else 1)):
            next(reader)
        header = next(reader, None)
    except csv.Error as error:
        raise ExportError(f"The header cannot be read: {error}") from error
    if not header or not any(cell.strip() for cell in header):
        raise ExportError("The file has no header line.")
    return reader, header, delimiter


def sniff_delimiter(line: str, delimiters: tuple[str, ...] = DELIMITERS) -> str:
    """The one of `delimiters` a header `line` uses most outside quotes (the first of them
    on a tie); a comma when it uses none."""
    counts = dict.fromkeys(delimiters, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(delimiters, key=counts.__getitem__)
    return best if counts[best] else ","


def _stream_rows(
    open_binary: Callable[[], IO[bytes]],
    encoding: _Encoding,
    delimiter: str,
    mapper: _RowMapper,
) -> Iterator[ExportRow]:
    with _open_text(open_binary, encoding) as text:
        reader, header, _ = _start(text, delimiter=delimiter)
        if header != mapper.raw_header:
            raise ExportError("The file changed after it was first read; read it again.")
        last_line = reader.line_num
        try:
            for row in reader:
                line, last_line = last_line + 1, reader.line_num
                lead = mapper.lead(row)
                if lead is not None:
                    yield ExportRow(line, lead)
        except csv.Error as error:
            raise ExportError(f"Line {last_line + 1}: {error}") from error


def _day_first_from_dates(reader: Iterable[list[str]], column: int | None) -> bool | None:
    """Whether the first dates that show their order are day-first; None when none does."""
    if column is None:
        return None
    try:
        for row in islice(reader, DATE_SAMPLE_ROWS):
            match = _NUMERIC_DATE.fullmatch(row[column].strip()) if column < len(row) else None
            if match and len(match[1]) <= 2:
                if int(match[1]) > 12:
                    return True
                if int(match[2]) > 12:
                    return False
    except csv.Error:  # the rows themselves report it, with its line
        return None
    return None


# -- rows ------------------------------------------------------------------------------------


class _RowMapper:
    """Turns one record's cells into a generic-lead dict, following a `_Layout`."""

    _SPECIAL = frozenset(
        {"name", "first_name", "last_name", "phone", "mobile", "stage", "opportunity"}
        | {"score", "estimated_value", "created_at", "custom_fields"}
    )

    def __init__(self, layout: _Layout, *, day_first: bool) -> None:
        self.raw_header = layout.raw_header
        self.headers = layout.headers
        self.width = len(layout.headers)
        self.day_first = day_first
        self.platform = layout.platform
        self.template_stage = layout.template_stage
        targets = layout.targets
        self.column = {target: targets.get(target) for target in self._SPECIAL}
        used = set(targets.values())
        self.texts = [(c, t) for t, c in targets.items() if t not in self._SPECIAL]
        self.custom = [(c, h) for c, h in enumerate(self.headers) if c not in used]
        self.numbers = [
            (targets[name], name) for name in ("score", "estimated_value") if name in targets
        ]

    def lead(self, row: list[str]) -> dict[str, Any] | None:
        """The generic-lead dict of one record; None when it has no value at all."""
        cells = [cell.strip() for cell in row]
        if not any(cells):
            return None
        if len(cells) < self.width:
            cells.extend([""] * (self.width - len(cells)))
        lead: dict[str, Any] = {}
        custom: dict[str, Any] = self._template_custom_fields(cells)
        for column, header in self.custom:
            if cells[column]:
                custom[header] = cells[column]
        for column in range(self.width, len(cells)):
            if cells[column]:
                custom[f"column {column + 1}"] = cells[column]
        for column, field in self.texts:
            if cells[column]:
                lead[field] = cells[column]
        self._origin(lead)
        self._name(cells, lead, custom)
        self._phone(cells, lead, custom)
        self._stage(cells, lead, custom)
        for column, field in self.numbers:
            if cells[column]:
                number = parse_number(cells[column])
                if number is None:
                    custom[self.headers[column]] = cells[column]
                else:
                    lead[field] = number
        created = self._cell(cells, "created_at")
        if created:
            moment = parse_date(created, day_first=self.day_first)
            if moment is None:
                custom[self.headers[self.column["created_at"]]] = created
            else:
                lead["created_at"] = moment
        if custom:
            lead["custom_fields"] = custom
        return lead

    def _origin(self, lead: dict[str, Any]) -> None:
        """Channel and source as the platform's webhooks give them, so `/funnel` groups
        leads alike whichever way they arrived."""
        source = lead.get("source", "")
        if self.platform == "rdstation" and "|" in source and "channel" not in lead:
            channel, _, named = (part.strip() for part in source.partition("|"))
            lead.pop("source")
            lead.update({k: v for k, v in (("channel", channel), ("source", named)) if v})
        if self.platform == "hubspot" and lead.get("channel"):
            lead["channel"] = re.sub(r"[\s_]+", "-", lead["channel"].strip().lower())

    def _cell(self, cells: list[str], target: str) -> str:
        column = self.column[target]
        return "" if column is None else cells[column]

    def _keep(self, custom: dict[str, Any], target: str, value: str) -> None:
        if value:
            custom[self.headers[self.column[target]]] = value

    def _name(self, cells: list[str], lead: dict[str, Any], custom: dict[str, Any]) -> None:
        full = self._cell(cells, "name")
        first, last = self._cell(cells, "first_name"), self._cell(cells, "last_name")
        if full:
            lead["name"] = full
            self._keep(custom, "first_name", first)
            self._keep(custom, "last_name", last)
        elif first or last:
            lead["name"] = f"{first} {last}".strip()

    def _phone(self, cells: list[str], lead: dict[str, Any], custom: dict[str, Any]) -> None:
        phone, mobile = self._cell(cells, "phone"), self._cell(cells, "mobile")
        if phone:
            lead["phone"] = phone
            self._keep(custom, "mobile", mobile)
        elif mobile:
            lead["phone"] = mobile

    def _stage(self, cells: list[str], lead: dict[str, Any], custom: dict[str, Any]) -> None:
        label = self._cell(cells, "stage")
        if not label:
            lead["stage"] = "profiled"
        elif self.template_stage:
            lead["stage"] = _stage_for(label) or label
        else:
            lead["stage"] = _stage_for(label) or "lead"
            self._keep(custom, "stage", label)
        flag = self._cell(cells, "opportunity")
        if flag:
            self._keep(custom, "opportunity", flag)
            if _label_key(flag) in _TRUE_KEYS:
                lead["stage"] = "profiled"

    def _template_custom_fields(self, cells: list[str]) -> dict[str, Any]:
        """The template's `custom_fields` column: a JSON object is merged, other text kept."""
        text = self._cell(cells, "custom_fields")
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        return dict(value) if isinstance(value, dict) else {"custom_fields": text}


@lru_cache(maxsize=512)
def _stage_for(label: str) -> str | None:
    return _STAGE_BY_KEY.get(_label_key(label))


# -- values ----------------------------------------------------------------------------------


def parse_date(text: str, *, day_first: bool) -> str | None:
    """An export's date as ISO 8601 text (`2026-11-10T09:12:00`); None when it is not one.

    ISO forms are read as they are (`Z`, ` UTC` and ` GMT` are +00:00); numeric dates with
    `/`, `-` or `.` take `day_first` for their order (a four-digit first number is a year),
    a two-digit year is in the 2000s, and a time may be 24-hour or AM/PM. No offset is added
    where the text has none.
    """
    text = text.strip()
    if _ISO_START.match(text):
        try:
            return datetime.fromisoformat(_UTC_SUFFIX.sub("+00:00", text)).isoformat()
        except ValueError:
            pass  # e.g. `2026-11-10 9:12`: read below
    match = _NUMERIC_DATE.fullmatch(text)
    if match is None:
        return None
    first, second, third, hour, minute, seconds, meridiem = match.groups()
    if len(first) == 4:
        year, month, day = first, second, third
    elif len(third) in (2, 4):
        year = third
        day, month = (first, second) if day_first else (second, first)
    else:
        return None
    if len(day) > 2 or len(year) not in (2, 4):
        return None
    hours = int(hour or 0)
    if meridiem:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if meridiem.lower() == "p" else 0)
    try:
        moment = datetime(
            int(year) + (2000 if len(year) == 2 else 0),
            int(month),
            int(day),
            hours,
            int(minute or 0),
            int(seconds or 0),
        )
    except ValueError:
        return None
    return moment.isoformat()


def parse_number(text: str) -> int | float | None:
    """A score or an amount as a number (`R$ 6.667,00` is 6667, `78,5` is 78.5); None if not.

    A currency sign or three-letter code and a `%` are allowed around the number. With both
    marks present the later one is the decimal mark; with one, it separates thousands when
    it is followed by groups of exactly three digits (`6,667`, `1.500`), else it is decimal.
    """
    text = text.strip()
    if is_ascii_number(text):
        return int(text)
    match = _AMOUNT.fullmatch(text)
    if match is None:
        return None
    digits = re.sub(r"\s", "", match[1])
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif "," in digits or "." in digits:
        mark = "," if "," in digits else "."
        if _THOUSANDS[mark].fullmatch(digits):
            digits = digits.replace(mark, "")
        elif digits.count(mark) == 1:
            digits = digits.replace(mark, ".")
        else:
            return None
    try:
        value = float(digits)
    except ValueError:
        return None
    return int(value) if value.is_integer() and abs(value) < 1e15 else value
