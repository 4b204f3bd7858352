"""Remembering which Slack requests were already handled, so retries and replays run once.

Slack re-sends an event it got no timely answer for (``X-Slack-Retry-Num``), and a captured
request can be replayed within the signature window. :class:`SeenRequests` (the shared
:class:`bot.ports.SeenOnce` port) is what the HTTP endpoint asks; this module builds its
keys.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

from bot.ports import SeenOnce
from bot.request_keys import MemorySeen

SeenRequests = SeenOnce
"""The Slack endpoint's replay guard (the shared :class:`bot.ports.SeenOnce` port)."""

MemorySeenRequests = MemorySeen


def payload_key(payload: dict[str, Any]) -> str | None:
    """The id Slack gives one logical request (event, command or button press), if any."""
    if payload.get("event_id"):
        return f"event:{payload['event_id']}"
    if payload.get("trigger_id"):
        return f"trigger:{payload['trigger_id']}"
    acts = payload.get("actions")
    if isinstance(acts, list) and acts and isinstance(acts[0], dict) and acts[0].get("action_ts"):
        user = (payload.get("user") or {}).get("id", "")
        return f"action:{user}:{acts[0]['action_ts']}"
    return None


def request_key(body: str, signature: str) -> str:
    """A stable id for one logical request: the event id, trigger id or action time Slack
    puts in it, so a retry (new timestamp and signature) maps to the same key; otherwise the
    signature, which catches verbatim replays."""
    key: str | None = None
    try:
        if body.lstrip().startswith("{"):
            parsed = json.loads(body)
            key = payload_key(parsed) if isinstance(parsed, dict) else None
        else:
            form = {k: v[0] for k, v in parse_qs(body).items()}
            if "payload" in form:
                payload = json.loads(form["payload"])
                key = payload_key(payload) if isinstance(payload, dict) else None
            else:
                key = payload_key(form)
    except (ValueError, TypeError):
        key = None
    if key is None:
        key = "sig:" + hashlib.sha256(signature.encode()).hexdigest()[:32]
    return "slack:" + key[:180]
