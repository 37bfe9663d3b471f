"""The app manifest matches what the adapter listens for."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.app import BOT_SCOPES, COMMAND, REDIRECT_PATH

MANIFEST = Path(__file__).resolve().parents[3] / "slack" / "manifest.yaml"


def test_manifest_declares_what_the_app_uses() -> None:
    m = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    (command,) = m["features"]["slash_commands"]
    assert command["command"] == COMMAND and command["should_escape"] is True
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened", "app_uninstalled", "tokens_revoked", "team_access_granted", "team_access_revoked"]
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["settings"]["socket_mode_enabled"] is True
    assert m["settings"]["org_deploy_enabled"] is True  # Enterprise Grid orgs may install it org-wide
    assert set(m["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)  # what "Add to Slack" asks for
    text = MANIFEST.read_text(encoding="utf-8")
    assert f"#   - https://studybot.example.com{REDIRECT_PATH}" in text  # the OAuth redirect, commented
    assert len(m["display_information"]["description"]) <= 140
    assert 175 <= len(m["display_information"]["long_description"]) <= 4000
