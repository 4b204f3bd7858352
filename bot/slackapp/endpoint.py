"""``POST /slack/events``: Slack's HTTP requests (slash commands, interactivity, events).

Two named translation steps around one bolt dispatch, as slack-bolt's own adapters do, with
the checks Slack asks for in front: the signature is verified with the signing secret and a
5-minute timestamp window (the clock is injected, so tests need no waiting), and a request
Slack retries (``X-Slack-Retry-Num``) or someone replays is answered 200 without running the
handlers again. Unsigned or stale requests get 401 and never reach a handler; a signed body
that is not UTF-8 gets 400. The body is read whole (:func:`bot.web.routes.read_body`) before the
signature is checked, however many pieces it arrives in. Header values are attacker-controlled
text: a timestamp that is not a short run of ASCII digits, or a signature that is not ASCII, is
refused as unsigned, never parsed further.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable

from aiohttp import web
from pydantic import SecretStr
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.slackapp.request_keys import SeenRequests, request_key
from bot.web.routes import read_body

log = logging.getLogger("dealradar.slack")

MAX_BODY_BYTES = 1_000_000
MAX_SKEW_S = 300  # Slack's 5-minute window for X-Slack-Request-Timestamp
MAX_TIMESTAMP_DIGITS = 12  # Unix seconds need 10; longer is not a timestamp


def signature_problem(
    secret: bytes, body: bytes, timestamp: str | None, signature: str | None, now: float
) -> str | None:
    """Why this request is not validly signed by Slack, or ``None`` when it is.

    The HMAC covers the raw bytes (``v0:<timestamp>:<body>``), so a body is checked exactly as
    it was sent, before any decoding.
    """
    if not timestamp or not signature:
        return "missing signature headers"
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS):
        return "malformed timestamp"
    if abs(now - int(timestamp)) > MAX_SKEW_S:
        return "stale timestamp"
    if not signature.isascii():
        return "malformed signature"
    digest = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    if not hmac.compare_digest("v0=" + digest.hexdigest(), signature):
        return "bad signature"
    return None


class SlackEventsEndpoint:
    """The aiohttp handler for ``POST /slack/events``."""

    def __init__(
        self,
        app: AsyncApp,
        signing_secret: SecretStr,
        seen: SeenRequests,
        *,
        clock: Callable[[], float],
    ) -> None:
        self._app = app
        self._seen = seen
        self._secret = signing_secret.get_secret_value().encode()
        self._clock = clock

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Verify, de-duplicate, dispatch. Never raises for a bad request: answers 4xx."""
        raw = await read_body(request, MAX_BODY_BYTES)
        if raw is None:
            log.warning("slack: rejected a request: body over %d bytes", MAX_BODY_BYTES)
            return web.Response(status=413, text="too large")
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        problem = signature_problem(self._secret, raw, timestamp, signature, self._clock())
        if problem is not None:
            log.warning("slack: rejected a request: %s", problem)
            return web.Response(status=401, text="invalid signature")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("slack: rejected a signed request: body is not UTF-8")
            return web.Response(status=400, text="body is not UTF-8")
        key = request_key(body, signature or "")
        if not await self._seen.claim(key):
            retry = request.headers.get("X-Slack-Retry-Num", "0")
            log.info("slack: %s already handled (retry %s); not run again", key, retry)
            return web.Response(status=200, headers={"X-Slack-No-Retry": "1"})
        bolt_request = AsyncBoltRequest(
            body=body, query=request.query_string, headers=dict(request.headers)
        )
        return await to_aiohttp_response(await self._app.async_dispatch(bolt_request))
