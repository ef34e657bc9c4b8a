"""Settings come from the environment, with DESIGN.md's names and defaults."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings

COMPLETE = {
    "SLACK_BOT_TOKEN": "xoxb-1-2-secretbot",
    "SLACK_SIGNING_SECRET": "signing-secret-value",
    "SALES_CHANNEL_ID": "C0SALES01",
    "MARKETING_CHANNEL_ID": "C0MKT0001",
    "MANAGERS_CHANNEL_ID": "G0MGRS001",
    "LEADS_API_TOKEN": "leads-token-value",
}


def test_defaults_follow_the_design():
    settings = load_settings({})
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///smarketing.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 3000)
    assert (settings.bot_timezone, settings.bot_locale) == ("UTC", "en")
    assert settings.sla_sweep_seconds == 60
    assert settings.digest_schedule == "mon 09:00"
    assert settings.sla_review_schedule == ""
    assert settings.sla_review_reminder_before == "24h"
    assert settings.manager_user_ids == settings.seller_user_ids == ()
    assert not settings.socket_mode


def test_values_are_read_and_lists_split():
    settings = load_settings(
        COMPLETE
        | {
            "SELLER_USER_IDS": " U0SELLER01, U0SELLER02 ,",
            "BOT_TIMEZONE": "America/Mexico_City",
            "BOT_LOCALE": "ES",
            "DEFAULT_PHONE_REGION": "mx",
            "PORT": "8080",
            "SLACK_APP_TOKEN": "xapp-1-abc",
        }
    )
    assert settings.seller_user_ids == ("U0SELLER01", "U0SELLER02")
    assert settings.timezone.key == "America/Mexico_City"
    assert settings.bot_locale == "es"
    assert settings.default_phone_region == "MX"
    assert settings.port == 8080
    assert settings.socket_mode
    assert settings.missing_for_serve() == []


def test_serve_names_the_first_missing_variable():
    settings = load_settings({k: v for k, v in COMPLETE.items() if k != "SALES_CHANNEL_ID"})
    with pytest.raises(ConfigError) as caught:
        settings.require_for_serve()
    assert str(caught.value).startswith("SALES_CHANNEL_ID is required")
    assert "\n" not in str(caught.value)


def test_serve_lists_every_missing_variable_when_several_are():
    with pytest.raises(ConfigError) as caught:
        load_settings({}).require_for_serve()
    message = str(caught.value)
    assert message.startswith("SLACK_BOT_TOKEN is required")
    assert "SLACK_SIGNING_SECRET" in message and "MANAGERS_CHANNEL_ID" in message


def test_socket_mode_does_not_need_the_signing_secret():
    environ = {k: v for k, v in COMPLETE.items() if k != "SLACK_SIGNING_SECRET"}
    assert load_settings(environ | {"SLACK_APP_TOKEN": "xapp-1"}).missing_for_serve() == []
    assert load_settings(environ).missing_for_serve() == ["SLACK_SIGNING_SECRET"]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "must start with 'xoxb-'"),
        ("SLACK_APP_TOKEN", "xoxb-not-app", "must start with 'xapp-'"),
        ("SALES_CHANNEL_ID", "#sales", "Slack channel id"),
        ("MANAGER_USER_IDS", "U0OK01,@maria", "Slack user ids"),
        ("DATABASE_URL", "mysql://root@db/x", "sqlite:/// or postgresql"),
        ("DATABASE_URL", "not a url", "not a database URL"),
        ("BOT_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("BOT_LOCALE", "pt", "one of en, es"),
        ("DEFAULT_PHONE_REGION", "MEX", "two-letter region"),
        ("PORT", "eighty", "whole number"),
        ("PORT", "70000", "between 1 and 65535"),
        ("SLA_SWEEP_SECONDS", "0", "at least 1"),
        ("PUBLIC_URL", "bot.example.com", "http(s) URL"),
        ("SLACK_API_URL", "ftp://x", "http(s) URL"),
    ],
)
def test_a_malformed_value_is_named_in_one_sentence(name, value, expected):
    with pytest.raises(ConfigError) as caught:
        load_settings(COMPLETE | {name: value})
    message = str(caught.value)
    assert message.startswith(name) and expected in message
    assert message.endswith(".") and "\n" not in message


def test_config_errors_render_in_spanish():
    with pytest.raises(ConfigError) as caught:
        load_settings({"PORT": "eighty"})
    assert caught.value.render("es") == "PORT debe ser un número entero; se recibió 'eighty'."


def test_secrets_never_appear_in_the_settings_repr():
    settings = load_settings(
        COMPLETE
        | {
            "SLACK_APP_TOKEN": "xapp-1-appsecret",
            "HUBSPOT_CLIENT_SECRET": "hubspot-secret-value",
            "RDSTATION_WEBHOOK_TOKEN": "rd-secret-value",
            "HUBSPOT_API_KEY": "hubspot-key-value",
        }
    )
    shown = repr(settings)
    assert "C0SALES01" in shown
    for secret in ("secretbot", "signing-secret", "leads-token", "appsecret", "hubspot-", "rd-"):
        assert secret not in shown


def test_database_passwords_are_masked_in_errors():
    with pytest.raises(ConfigError) as caught:
        load_settings({"DATABASE_URL": "mysql://admin:hunter2@db/x"})
    assert "hunter2" not in str(caught.value) and "***" in str(caught.value)


def test_env_example_documents_every_setting():
    from dataclasses import fields
    from pathlib import Path

    from bot.config import Settings

    example = (Path(__file__).parent.parent / ".env.example").read_text()
    documented = {line.split("=")[0].lstrip("# ") for line in example.splitlines() if "=" in line}
    assert {f.name.upper() for f in fields(Settings)} <= documented
