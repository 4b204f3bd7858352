"""The app manifest grants what the adapter calls and enables what it listens for."""

from __future__ import annotations

import re
from pathlib import Path

from bot.slackapp.listeners import COMMAND

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.yaml"

# Web API method the adapter calls -> the bot scope it needs
NEEDED_SCOPES = {
    "chat.postMessage / chat.update": "chat:write",
    "users.info": "users:read",
    "conversations.history (public)": "channels:history",
    "conversations.history (private)": "groups:history",
    "/deal": "commands",
}


def test_manifest_declares_scopes_command_interactivity_and_socket_mode() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    bot_scopes = text.split("bot:", 1)[1].split("settings:", 1)[0]
    scopes = set(re.findall(r"^\s+- ([a-z_.:]+)", bot_scopes, re.MULTILINE))
    assert set(NEEDED_SCOPES.values()) <= scopes
    assert re.search(rf"^\s+- command: {re.escape(COMMAND)}$", text, re.MULTILINE)
    assert re.search(r"interactivity:\n\s+is_enabled: true", text)
    assert re.search(r"^\s+socket_mode_enabled: true$", text, re.MULTILINE)
    assert "\t" not in text  # YAML forbids tabs for indentation
