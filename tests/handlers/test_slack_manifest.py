"""The manifest installs in one step: it validates against Slack's own schema."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml
from shared_files import shared_file

from bot.i18n import Translator
from handlers.slack.manifest import BOT_SCOPES, build_manifest


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(shared_file("specs/slack-manifest.schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def errors_of(validator, manifest: dict) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(manifest)]


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("url", ["https://bot.example.com", None])
def test_the_manifest_validates_against_slacks_schema(validator, locale, url):
    assert errors_of(validator, build_manifest(Translator(locale), url=url)) == []


def test_the_schema_check_does_catch_a_broken_manifest(validator):
    manifest = build_manifest(Translator("en"), url="https://bot.example.com")
    manifest["features"]["slash_commands"][0]["command"] = "funnel"  # no leading slash
    manifest["settings"]["surprise"] = True
    assert len(errors_of(validator, manifest)) == 2


def test_http_mode_points_everything_at_slack_events():
    manifest = build_manifest(Translator("en"), url="https://bot.example.com/")
    endpoint = "https://bot.example.com/slack/events"
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == endpoint
    assert settings["interactivity"] == {"is_enabled": True, "request_url": endpoint}
    assert settings["socket_mode_enabled"] is False
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/funnel", "/sla"}
    assert {c["url"] for c in commands.values()} == {endpoint}


def test_socket_mode_has_no_urls_at_all():
    manifest = build_manifest(Translator("en"), url=None)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "https://" not in json.dumps(manifest)


def test_scopes_cover_membership_commands_and_home():
    manifest = build_manifest(Translator("en"), url=None)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"channels:read", "groups:read", "commands", "chat:write", "im:write"} <= scopes
    assert scopes == set(BOT_SCOPES)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert {"app_home_opened", "member_joined_channel", "member_left_channel"} <= set(
        manifest["settings"]["event_subscriptions"]["bot_events"]
    )


def run_manifest(tmp_path, *args, **env):
    return subprocess.run(
        [sys.executable, "-m", "bot", "manifest", *args],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_prints_yaml_for_the_given_url(tmp_path, validator):
    result = run_manifest(tmp_path, "--url", "https://bot.example.com")
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    assert errors_of(validator, manifest) == []
    assert manifest["settings"]["interactivity"]["request_url"].startswith("https://bot.example")


def test_the_command_uses_public_url_or_socket_mode(tmp_path):
    from_env = yaml.safe_load(run_manifest(tmp_path, PUBLIC_URL="https://p.example").stdout)
    assert from_env["settings"]["event_subscriptions"]["request_url"] == (
        "https://p.example/slack/events"
    )
    socket = yaml.safe_load(run_manifest(tmp_path, "--socket-mode").stdout)
    assert socket["settings"]["socket_mode_enabled"] is True


def test_the_command_asks_for_a_url_when_it_has_none(tmp_path):
    result = run_manifest(tmp_path)
    assert result.returncode == 2
    assert "--url" in result.stderr and "--socket-mode" in result.stderr
