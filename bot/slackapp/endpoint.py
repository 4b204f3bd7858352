"""``POST /slack/events``: Slack's HTTP requests (slash commands, interactivity, events).

Two named translation steps around one bolt dispatch, as slack-bolt's own adapters do, with
the checks Slack asks for in front: the signature is verified with the signing secret and a
5-minute timestamp window (the clock is injected, so tests need no waiting), and a request
Slack retries (``X-Slack-Retry-Num``) or someone replays is answered 200 without running the
handlers again. Unsigned or stale requests get 401 and never reach a handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web
from pydantic import SecretStr
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import Clock, SignatureVerifier

from bot.slackapp.seen import SeenRequests, request_key

log = logging.getLogger("dealradar.slack")

MAX_BODY_BYTES = 1_000_000


class _InjectedClock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


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
        self._verifier = SignatureVerifier(
            signing_secret.get_secret_value(), clock=_InjectedClock(clock)
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Verify, de-duplicate, dispatch. Never raises for a bad request: answers 4xx."""
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return web.Response(status=413, text="too large")
        raw = await request.content.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            return web.Response(status=413, text="too large")
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        if not self._verifier.is_valid(raw, timestamp, signature):
            log.warning("slack: rejected a request with a bad or stale signature")
            return web.Response(status=401, text="invalid signature")
        body = raw.decode("utf-8", errors="replace")
        key = request_key(body, signature or "")
        if not await self._seen.claim(key):
            retry = request.headers.get("X-Slack-Retry-Num", "0")
            log.info("slack: %s already handled (retry %s); not run again", key, retry)
            return web.Response(status=200, headers={"X-Slack-No-Retry": "1"})
        bolt_request = AsyncBoltRequest(
            body=body, query=request.query_string, headers=dict(request.headers)
        )
        return await to_aiohttp_response(await self._app.async_dispatch(bolt_request))
