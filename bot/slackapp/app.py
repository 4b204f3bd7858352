"""Building the Slack side of dealradar from :class:`SlackSettings`: the one entry point.

:func:`build_slack_runtime` wires one :class:`AsyncWebClient` (base URL ``SLACK_API_URL``, no
SDK retries) into a slack-bolt :class:`AsyncApp`, the :class:`SlackSink` for alerts, the HTTP
endpoint (when ``SLACK_SIGNING_SECRET`` is set) and Socket Mode (when ``SLACK_APP_TOKEN`` is
set). Building makes no network call; :meth:`SlackRuntime.start` opens Socket Mode.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.settings import SlackSettings
from bot.errors import ConfigError
from bot.slackapp.admins import AdminDirectory
from bot.slackapp.client import DEFAULT_TIMEOUT, make_web_client
from bot.slackapp.endpoint import SlackEventsEndpoint
from bot.slackapp.listeners import Listeners
from bot.slackapp.request_keys import MemorySeenRequests, SeenRequests, payload_key
from bot.slackapp.sink import SlackSink
from bot.web.routes import WebRoute
from handlers.api import CommandRunner, FeedbackRecorder

log = logging.getLogger("dealradar.slack")

EVENTS_PATH = "/slack/events"


def socket_mode_dedup(
    seen: SeenRequests,
) -> Callable[..., Awaitable[BoltResponse | None]]:
    """A bolt middleware that acknowledges a Socket Mode request seen before without running
    it again (Slack re-sends unacknowledged envelopes). HTTP requests are de-duplicated
    earlier, in :class:`SlackEventsEndpoint`."""

    async def middleware(
        req: AsyncBoltRequest, body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        key = payload_key(body) if req.mode == "socket_mode" else None
        if key is not None and not await seen.claim("slack:" + key[:180]):
            log.info("slack: %s already handled; not run again", key)
            return BoltResponse(status=200, body="")
        return await next()

    return middleware


class SlackRuntime:
    """The running Slack adapter: ``sink`` for the outbox, ``web_routes()`` for the HTTP
    server, ``start()``/``stop()`` for Socket Mode."""

    def __init__(
        self,
        *,
        settings: SlackSettings,
        client: AsyncWebClient,
        app: AsyncApp,
        listeners: Listeners,
        seen: SeenRequests,
        clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.client = client
        self.app = app
        self.listeners = listeners
        self.sink = SlackSink(client)
        self._seen = seen
        self._clock = clock
        self._socket: AsyncSocketModeHandler | None = None

    def web_routes(self) -> list[WebRoute]:
        """``POST /slack/events`` when a signing secret is configured, else nothing."""
        secret = self.settings.signing_secret
        if secret is None:
            return []
        endpoint = SlackEventsEndpoint(self.app, secret, self._seen, clock=self._clock)
        return [WebRoute("POST", EVENTS_PATH, endpoint.handle)]

    async def start(self) -> None:
        """Connect Socket Mode if ``SLACK_APP_TOKEN`` is set (returns once connected).

        Raises whatever the connection raises (e.g. :class:`slack_sdk.errors.SlackApiError`
        for a bad app token); the message never contains the token.
        """
        token = self.settings.app_token
        if token is None or self._socket is not None:
            return
        handler = AsyncSocketModeHandler(
            self.app, token.get_secret_value(), web_client=self.client, logger=log
        )
        await handler.connect_async()  # type: ignore[no-untyped-call]
        self._socket = handler
        log.info("slack: Socket Mode connected through %s", self.settings.api_url)

    async def stop(self) -> None:
        """Close Socket Mode (if open) and the Web API client's HTTP session."""
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        session = getattr(self.client, "session", None)
        if session is not None and not session.closed:
            await session.close()


def build_slack_runtime(
    settings: SlackSettings,
    runner: CommandRunner,
    feedback: FeedbackRecorder,
    *,
    admin_ids: Iterable[str] = (),
    seen: SeenRequests | None = None,
    clock: Callable[[], float] = time.time,
    timeout: int = DEFAULT_TIMEOUT,
) -> SlackRuntime:
    """Build the Slack adapter. Raises :class:`ConfigError` without ``SLACK_BOT_TOKEN``.

    ``admin_ids`` are Slack user ids treated as admins besides workspace admins/owners;
    ``seen`` remembers handled HTTP requests (default: in memory, one process); ``clock``
    returns Unix seconds (signature window, admin cache).
    """
    if settings.bot_token is None:
        raise ConfigError(["SLACK_BOT_TOKEN: required to use Slack"])
    client = make_web_client(settings.bot_token, settings.api_url, timeout=timeout)
    app = AsyncApp(
        client=client,
        signing_secret="",  # verified in SlackEventsEndpoint with an injectable clock
        request_verification_enabled=False,
        logger=log,
        name="dealradar",
    )
    seen = seen or MemorySeenRequests()
    app.middleware(socket_mode_dedup(seen))
    admins = AdminDirectory(client, admin_ids, clock=clock)
    listeners = Listeners(runner, feedback, admins)
    listeners.register(app)
    return SlackRuntime(
        settings=settings,
        client=client,
        app=app,
        listeners=listeners,
        seen=seen,
        clock=clock,
    )
