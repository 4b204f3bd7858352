"""Remembering which Slack requests were already handled, so retries and replays run once.

Slack re-sends an event it got no timely answer for (``X-Slack-Retry-Num``), and a captured
request can be replayed within the signature window. :class:`SeenRequests` is the small port
the HTTP endpoint asks; :class:`MemorySeenRequests` serves one process. The store's
``processed_requests`` table can implement the same protocol for several processes.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any, Protocol
from urllib.parse import parse_qs


class SeenRequests(Protocol):
    async def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed, False if it was claimed before."""
        ...


class MemorySeenRequests:
    """An in-memory :class:`SeenRequests` keeping the newest ``capacity`` keys."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    async def claim(self, key: str) -> bool:
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        while len(self._keys) > self._capacity:
            self._keys.popitem(last=False)
        return True


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
