"""Settings: the only module that reads the environment.

`load_settings()` reads `.env` (never overriding variables already set), then builds a frozen
`Settings`. Malformed values raise `ConfigError` with one sentence naming the variable;
missing required values are reported by `Settings.missing_for_serve()`, because `demo` and
the database commands run without Slack while `serve` cannot.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.i18n import t

DEFAULT_DATABASE_URL = "sqlite:///smarketing.db"
SUPPORTED_LOCALES = ("en", "es")

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_REGION = re.compile(r"^[A-Z]{2}$")


class ConfigError(ValueError):
    """A setting is missing or malformed: one sentence naming it, in either language.

    `str(error)` is the English sentence; `error.render(locale)` gives the team's language.
    """

    def __init__(self, key: str, **params: object):
        self.key = key
        self.params = params
        super().__init__(t("en", key, **params))

    def render(self, locale: str) -> str:
        return t(locale, self.key, **self.params)


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with. Secrets are kept out of `repr`."""

    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    sales_channel_id: str = ""
    marketing_channel_id: str = ""
    managers_channel_id: str = ""
    manager_user_ids: tuple[str, ...] = ()
    marketer_user_ids: tuple[str, ...] = ()
    seller_user_ids: tuple[str, ...] = ()
    leads_api_token: str = field(default="", repr=False)
    rdstation_webhook_token: str = field(default="", repr=False)
    hubspot_client_secret: str = field(default="", repr=False)
    hubspot_api_key: str = field(default="", repr=False)
    public_url: str = ""
    bot_timezone: str = "UTC"
    bot_locale: str = "en"
    default_phone_region: str = ""
    sla_sweep_seconds: int = 60
    digest_schedule: str = "mon 09:00"
    sla_review_schedule: str = ""
    sla_review_reminder_before: str = "24h"
    host: str = "127.0.0.1"
    port: int = 3000

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is used when an app-level token is configured."""
        return bool(self.slack_app_token)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    def missing_for_serve(self) -> list[str]:
        """Names of the variables `serve` needs and does not have, in `.env.example` order."""
        required = {
            "SLACK_BOT_TOKEN": self.slack_bot_token,
            "SALES_CHANNEL_ID": self.sales_channel_id,
            "MARKETING_CHANNEL_ID": self.marketing_channel_id,
            "MANAGERS_CHANNEL_ID": self.managers_channel_id,
        }
        if not self.socket_mode:
            required["SLACK_SIGNING_SECRET"] = self.slack_signing_secret
        return [name for name, value in required.items() if not value]

    def require_for_serve(self) -> None:
        """Raise `ConfigError` naming the first missing variable `serve` cannot run without."""
        missing = self.missing_for_serve()
        if len(missing) == 1:
            raise ConfigError("config.required", name=missing[0])
        if missing:
            raise ConfigError(
                "config.required_more", name=missing[0], others=", ".join(missing[1:])
            )


def load_settings(environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Build `Settings` from `environ` (default: the process environment after `.env`)."""
    if environ is None:
        if dotenv:
            load_dotenv(os.path.join(os.getcwd(), ".env"), override=False)
        environ = os.environ
    env = _Reader(environ)
    return Settings(
        slack_bot_token=env.prefixed("SLACK_BOT_TOKEN", "xoxb-"),
        slack_signing_secret=env.text("SLACK_SIGNING_SECRET"),
        slack_app_token=env.prefixed("SLACK_APP_TOKEN", "xapp-"),
        slack_api_url=env.url("SLACK_API_URL"),
        database_url=env.database_url("DATABASE_URL"),
        sales_channel_id=env.channel("SALES_CHANNEL_ID"),
        marketing_channel_id=env.channel("MARKETING_CHANNEL_ID"),
        managers_channel_id=env.channel("MANAGERS_CHANNEL_ID"),
        manager_user_ids=env.user_ids("MANAGER_USER_IDS"),
        marketer_user_ids=env.user_ids("MARKETER_USER_IDS"),
        seller_user_ids=env.user_ids("SELLER_USER_IDS"),
        leads_api_token=env.text("LEADS_API_TOKEN"),
        rdstation_webhook_token=env.text("RDSTATION_WEBHOOK_TOKEN"),
        hubspot_client_secret=env.text("HUBSPOT_CLIENT_SECRET"),
        hubspot_api_key=env.text("HUBSPOT_API_KEY"),
        public_url=env.url("PUBLIC_URL"),
        bot_timezone=env.timezone("BOT_TIMEZONE"),
        bot_locale=env.choice("BOT_LOCALE", SUPPORTED_LOCALES, default="en"),
        default_phone_region=env.region("DEFAULT_PHONE_REGION"),
        sla_sweep_seconds=env.integer("SLA_SWEEP_SECONDS", default=60, minimum=1),
        digest_schedule=env.text("DIGEST_SCHEDULE") or "mon 09:00",
        sla_review_schedule=env.text("SLA_REVIEW_SCHEDULE"),
        sla_review_reminder_before=env.text("SLA_REVIEW_REMINDER_BEFORE") or "24h",
        host=env.text("HOST") or "127.0.0.1",
        port=env.integer("PORT", default=3000, minimum=1, maximum=65535),
    )


class _Reader:
    """Reads and checks one variable at a time; every error names the variable."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ

    def text(self, name: str) -> str:
        return self._environ.get(name, "").strip()

    def prefixed(self, name: str, prefix: str) -> str:
        value = self.text(name)
        if value and not value.startswith(prefix):
            raise ConfigError("config.prefix", name=name, prefix=prefix)
        return value

    def url(self, name: str) -> str:
        value = self.text(name)
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise ConfigError("config.url", name=name, value=value)
        return value

    def channel(self, name: str) -> str:
        value = self.text(name)
        if value and not _CHANNEL_ID.match(value):
            raise ConfigError("config.channel", name=name, value=value)
        return value

    def user_ids(self, name: str) -> tuple[str, ...]:
        ids = tuple(part.strip() for part in self.text(name).split(",") if part.strip())
        for user_id in ids:
            if not _USER_ID.match(user_id):
                raise ConfigError("config.user_ids", name=name, value=user_id)
        return ids

    def database_url(self, name: str) -> str:
        value = self.text(name) or DEFAULT_DATABASE_URL
        try:
            url = make_url(value)
        except ArgumentError:
            raise ConfigError(
                "config.database_url", name=name, value=hide_password(value)
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ConfigError("config.database_backend", name=name, value=hide_password(value))
        return value

    def timezone(self, name: str) -> str:
        value = self.text(name) or "UTC"
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError("config.timezone", name=name, value=value) from None
        return value

    def choice(self, name: str, allowed: tuple[str, ...], *, default: str) -> str:
        value = (self.text(name) or default).lower()
        if value not in allowed:
            raise ConfigError("config.choice", name=name, allowed=", ".join(allowed), value=value)
        return value

    def region(self, name: str) -> str:
        value = self.text(name).upper()
        if value and not _REGION.match(value):
            raise ConfigError("config.region", name=name, value=value)
        return value

    def integer(self, name: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError("config.integer", name=name, value=raw) from None
        if maximum is not None and not minimum <= value <= maximum:
            raise ConfigError(
                "config.range", name=name, minimum=minimum, maximum=maximum, value=value
            )
        if value < minimum:
            raise ConfigError("config.minimum", name=name, minimum=minimum, value=value)
        return value


def hide_password(url: str) -> str:
    """`url` with its password masked, fit for logs and messages."""
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", url)


def locale_hint(environ: Mapping[str, str] | None = None) -> str:
    """The team's language for messages printed before the settings are known to be valid."""
    if environ is None:
        load_dotenv(os.path.join(os.getcwd(), ".env"), override=False)
        environ = os.environ
    value = environ.get("BOT_LOCALE", "").strip().lower()
    return value if value in SUPPORTED_LOCALES else "en"
