"""Cleaning what the intake receives: text, emails, phones, scores and profile links.

Pure functions, no I/O. A platform that does not retry a 4xx must not lose a lead over a
formatting detail, so only an email that cannot be an address is refused (`InvalidEmail`).
Everything else is cleaned, bounded and kept: over-long text is cut, a phone that cannot be
normalised is kept as given and flagged, a score out of range is clamped and its raw value
handed back, and a profile link that is not http(s) is handed back as text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers

NAME_LIMIT = 200
LONG_TEXT_LIMIT = 3000
URL_LIMIT = 2000
PHONE_LIMIT = 64
ELLIPSIS = "…"

_LINE_BREAKS = "\n\r\x85\u2028\u2029"
# Invisible format characters go (a bidi override can disguise a name, a zero-width space
# splits a word a search would find), except the joiners that emoji and several scripts need.
_KEPT_FORMAT = frozenset("\u200c\u200d")
_SPACE_RUNS = re.compile(" {2,}")
_LOCAL_PART_SPECIALS = frozenset('()<>[]:;,\\"@')
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MEXICO = 52


def scalar_as_text(value: object) -> object:
    """Ids, codes and campaign names often arrive as numbers (`"external_id": 12345`): take
    them as text; anything else as it is (a validator says what is wrong with it)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def clean_text(value: object, *, limit: int, multiline: bool = False) -> str | None:
    """Text as received, trimmed, without control characters, cut to `limit` characters.

    Numbers become their text; any other non-text value is a caller's mistake (TypeError).
    Single-line text turns line breaks and tabs into spaces and collapses runs of spaces;
    multi-line text keeps its line breaks as "\\n". Lone surrogates are dropped, so the result
    always encodes to UTF-8. Text longer than `limit` ends in "…", within the limit. Slack
    markup is left alone: escaping belongs to whoever renders the text. None when nothing is
    left.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return _cut(_clean(value, multiline=multiline), limit) or None


class InvalidEmail(ValueError):
    """An email that cannot be an address; the HTTP layer answers 422 naming the field."""

    def __init__(self) -> None:
        super().__init__("not a valid email address")


def normalize_email(value: str | None) -> str | None:
    """The address, trimmed and lowercased; None when blank; `InvalidEmail` when not one.

    An invalid email refuses the whole lead, so the usual wrappings are unwrapped: `mailto:`,
    `<…>` with or without a display name before it, and Slack's `<mailto:a@b.co|a@b.co>`.
    The whole address is lowercased (and NFC-normalised) because it identifies a lead: the
    domain is case-insensitive and virtually every provider treats the local part so. The
    shape checked is the practical one: one "@", a local part of at most 64 bytes without
    spaces, quotes or brackets, a domain of two or more letter/digit/hyphen labels (an
    internationalised domain is checked through its IDNA form and kept in Unicode), at most
    254 bytes in all.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.endswith(">") and "<" in text:  # `<a@b.co>`, `Ana <a@b.co>`, Slack's `<mailto:…|…>`
        text = text[text.rindex("<") + 1 : -1].split("|", 1)[0].strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    address = unicodedata.normalize("NFC", text.lower())
    if not _is_email_address(address):
        raise InvalidEmail()
    return address


@dataclass(frozen=True)
class PhoneNumber:
    """A lead's phone: E.164 when it could be normalised, else as given with `valid` False.

    A normalised number's extension, which E.164 cannot hold, is kept apart.
    """

    value: str | None
    valid: bool
    extension: str | None = None


def normalize_phone(value: object, *, default_region: str | None) -> PhoneNumber:
    """The phone in E.164 (`+525512345678`) when valid; never raises on text or numbers.

    Valid means it fits a real numbering plan (phonenumbers' `is_valid_number`), not only a
    plausible length, so a seller is warned about `+52 0000000000`.

    `default_region` (ISO 3166 code, e.g. "MX") places numbers written without a country code;
    without one, such a number is kept as given and flagged. "00" works as the international
    prefix everywhere, and Mexico's retired mobile "1" (`+52 1 55 …`) is dropped. Anything
    that is not a valid number is kept as given (cleaned, at most PHONE_LIMIT characters) with
    `valid` False. No phone at all is `PhoneNumber(None, True)`: there is nothing to flag.
    """
    text = _clean(value, multiline=False)
    if not text:
        return PhoneNumber(None, True)
    number = _parse_phone(text, default_region.upper() if default_region else None)
    if number is None:
        return PhoneNumber(_cut(text, PHONE_LIMIT), False)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneNumber(e164, True, number.extension or None)


def clamp_score(value: float | None) -> tuple[float | None, float | None]:
    """(the score within 0–100, the raw value when it had to be clamped, else None).

    NaN is no score at all: (None, None). An infinite score is clamped to 0 or 100 but its
    raw value is not handed back, since the caller keeps it in JSON, which has no infinity.
    """
    if value is None or math.isnan(value):
        return None, None
    score = min(max(float(value), 0.0), 100.0) + 0.0  # + 0.0 turns -0.0 into 0.0
    if score == value:
        return score, None
    return score, float(value) if math.isfinite(value) else None


def normalize_url(value: object) -> tuple[str | None, str | None]:
    """(the http(s) link, None), or (None, the cleaned text) when it is not one.

    Only an absolute http:// or https:// URL with a host, without spaces or `<>"`, and at
    most URL_LIMIT characters counts: a link cut short would point somewhere else. The scheme
    is lowercased; nothing else changes. Anything else is handed back as text (cut to
    URL_LIMIT) for the caller to keep, and nothing at all is (None, None).
    """
    text = _clean(value, multiline=False)
    if not text:
        return None, None
    if len(text) <= URL_LIMIT and _is_web_url(text):
        scheme, rest = text.split(":", 1)
        return f"{scheme.lower()}:{rest}", None
    return None, _cut(text, URL_LIMIT)


def _clean(value: object, *, multiline: bool) -> str:
    """Everything clean_text does but the cut."""
    text = _as_text(value)
    if not text:
        return ""
    if text.isprintable():
        # No control, format, separator or surrogate characters: each one would map to
        # itself below, so only the spaces need tidying (the common case, and much faster).
        return (text if multiline else _SPACE_RUNS.sub(" ", text)).strip()
    # Paired surrogates (from UTF-16 sources) become the character they encode; lone ones
    # are left for _replacement to drop.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    text = "".join(_replacement(char, multiline) for char in text.replace("\r\n", "\n"))
    if not multiline:
        text = _SPACE_RUNS.sub(" ", text)
    return text.strip()


def _as_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected text or a number, got {type(value).__name__}")
    try:
        return str(value)
    except ValueError:  # an int past Python's 4300-digit conversion limit is not data
        return None


@lru_cache(maxsize=4096)
def _replacement(char: str, multiline: bool) -> str:
    if char in _LINE_BREAKS:
        return "\n" if multiline else " "
    if char.isspace():
        return " "
    if unicodedata.category(char) in ("Cc", "Cf", "Cs") and char not in _KEPT_FORMAT:
        return ""
    return char


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def _is_web_url(text: str) -> bool:
    if any(char.isspace() or char in '<>"' for char in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_email_address(address: str) -> bool:
    if any(char.isspace() or unicodedata.category(char)[0] == "C" for char in address):
        return False
    if address.count("@") != 1:
        return False
    local, _, domain = address.partition("@")
    if not local or len(local.encode()) > 64 or any(c in _LOCAL_PART_SPECIALS for c in local):
        return False
    if ".." in local or local.startswith(".") or local.endswith("."):
        return False
    labels = [_ascii_label(label) for label in domain.split(".")]
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        return False
    return len(local.encode()) + 1 + len(".".join(labels)) <= 254


def _ascii_label(label: str) -> str:
    """A domain label as it travels in DNS (IDNA), or "" when it cannot."""
    if label.isascii():
        return label
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


def _parse_phone(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    candidates = [text, "+" + text[2:]] if text.startswith("00") else [text]
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        number = _without_mexican_mobile_one(number)
        if phonenumbers.is_valid_number(number):
            return number
    return None


def _without_mexican_mobile_one(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber:
    # Until 2019 a Mexican mobile was dialled from abroad as +52 1 …; CRMs and WhatsApp
    # exports still carry the 1, which today's numbering plan no longer has.
    national = str(number.national_number)
    if number.country_code != _MEXICO or len(national) != 11 or national[0] != "1":
        return number
    return phonenumbers.PhoneNumber(
        country_code=_MEXICO, national_number=int(national[1:]), extension=number.extension
    )
