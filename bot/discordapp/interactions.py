"""``POST /discord/interactions``: Discord's HTTP interactions mode on the bot's web server.

For stateless or serverless deployments (``DISCORD_PUBLIC_KEY`` set): Discord signs each
request with Ed25519 over ``timestamp + body``; a missing, malformed, stale or bad signature
gets 401 before anything runs, and a signed body that is not a JSON interaction (or whose
``data``, ``member``, ``user`` or ``channel`` is not an object) gets 400, each with one log
line. The body is read whole (:func:`bot.web.routes.read_body`) before it is verified.
PING answers PONG; ``/deal`` subcommands, company autocomplete and alert-button clicks go
through the same code as the gateway mode (:mod:`bot.discordapp.commandtext`,
:mod:`bot.discordapp.dispatch`). An answer not ready within
``defer_after`` seconds is deferred (type 5) and delivered later by editing the original
response through the interaction webhook. Interaction ids already handled are refused (409),
tracked behind :class:`bot.ports.SeenOnce` (keys ``discord:<id>``), backed by the DB in
the bot.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from bot.config.settings import DiscordSettings
from bot.discordapp import render
from bot.discordapp.commandtext import build_text, from_interaction_data
from bot.discordapp.dispatch import handle_click, run_command
from bot.discordapp.rest import DiscordAPIError, DiscordRest
from bot.errors import CommandError
from bot.ports import SeenOnce
from bot.request_keys import MemorySeen
from bot.web.routes import WebRoute, read_body
from handlers.api import Caller, CommandRunner, FeedbackRecorder, Reply

log = logging.getLogger(__name__)
PATH = "/discord/interactions"
MAX_BODY = 1024 * 1024
MAX_SKEW = 300.0
MAX_TIMESTAMP_DIGITS = 12  # Unix seconds need 10; longer is not a timestamp
OBJECT_FIELDS = ("data", "member", "user", "channel")  # each an object when present
MANAGE_GUILD = 1 << 5
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 1, 2, 3, 4
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, AUTOCOMPLETE_RESULT = 1, 4, 5, 8


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def caller_from_payload(payload: dict[str, Any], admins: frozenset[str]) -> Caller:
    """Who sent an interaction; fields of the wrong shape count as absent."""
    member = _object(payload.get("member"))
    user = _object(member.get("user")) or _object(payload.get("user"))
    user_id = str(user.get("id", ""))
    try:
        manage = int(member.get("permissions") or 0) & MANAGE_GUILD
    except (TypeError, ValueError):
        manage = 0
    channel = payload.get("channel_id") or _object(payload.get("channel")).get("id") or ""
    return Caller("discord", str(channel), user_id, is_admin=bool(manage) or user_id in admins)


def shape_problem(payload: object) -> str | None:
    """Why a signed body is not an interaction this endpoint can read, or ``None``."""
    if not isinstance(payload, dict):
        return "not an interaction"
    for name in OBJECT_FIELDS:
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            return f"interaction {name} is not an object"
    return None


class InteractionsEndpoint:
    """Build once with the public key and the runner; add :meth:`routes` to the web server.

    Raises:
        ValueError: ``public_key`` is not 64 hex characters.
    """

    def __init__(
        self,
        public_key: str,
        runner: CommandRunner,
        rest: DiscordRest,
        *,
        feedback: FeedbackRecorder | None = None,
        admins: Iterable[str] = (),
        seen: SeenOnce | None = None,
        defer_after: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = VerifyKey(bytes.fromhex(public_key))
        self._runner = runner
        self._rest = rest
        self._feedback = feedback
        self._admins = frozenset(admins)
        self._seen = seen or MemorySeen()
        self._defer_after = defer_after
        self._clock = clock
        self._pending: set[asyncio.Task[None]] = set()
        self._owns_rest = False

    @classmethod
    def from_settings(
        cls,
        settings: DiscordSettings,
        runner: CommandRunner,
        *,
        feedback: FeedbackRecorder | None = None,
        admins: Iterable[str] = (),
        seen: SeenOnce | None = None,
    ) -> InteractionsEndpoint:
        """The endpoint for ``DISCORD_PUBLIC_KEY``, with its own client for deferred answers.

        Raises:
            ValueError: ``public_key`` is unset or not 64 hex characters.
        """
        if not settings.public_key:
            raise ValueError("DISCORD_PUBLIC_KEY is not set")
        rest = DiscordRest(settings.api_url, None)
        endpoint = cls(
            settings.public_key, runner, rest, feedback=feedback, admins=admins, seen=seen
        )
        endpoint._owns_rest = True
        return endpoint

    def routes(self) -> list[WebRoute]:
        return [WebRoute("POST", PATH, self.handle)]

    async def aclose(self) -> None:
        """Wait for deferred answers still being delivered (and close the client it owns)."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._owns_rest:
            await self._rest.close()

    def _signature_problem(self, request: web.Request, body: bytes) -> str | None:
        """Why the request is not validly signed, or ``None`` when it is."""
        signature = request.headers.get("X-Signature-Ed25519", "")
        stamp = request.headers.get("X-Signature-Timestamp", "")
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_TIMESTAMP_DIGITS):
            return "missing or malformed timestamp"
        if abs(self._clock() - int(stamp)) > MAX_SKEW:
            return "stale timestamp"
        try:
            self._key.verify(stamp.encode() + body, bytes.fromhex(signature))
        except (BadSignatureError, ValueError):
            return "bad signature"
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Verify, de-duplicate, answer. Never raises for a bad request: answers 4xx."""
        body = await read_body(request, MAX_BODY)
        if body is None:
            log.warning("discord: rejected an interaction: body over %d bytes", MAX_BODY)
            return web.json_response({"error": "too large"}, status=413)
        problem = self._signature_problem(request, body)
        if problem is not None:
            log.warning("discord: rejected an interaction: %s", problem)
            return web.json_response({"error": "invalid request signature"}, status=401)
        try:
            payload = json.loads(body)
        except ValueError:  # UnicodeDecodeError included
            log.warning("discord: rejected a signed interaction: body is not JSON")
            return web.json_response({"error": "not JSON"}, status=400)
        problem = shape_problem(payload)
        if problem is not None:
            log.warning("discord: rejected a signed interaction: %s", problem)
            return web.json_response({"error": problem}, status=400)
        kind = payload.get("type")
        if kind == PING:
            return web.json_response({"type": PONG})
        if not await self._seen.claim("discord:" + str(payload.get("id", ""))):
            return web.json_response({"error": "interaction already handled"}, status=409)
        caller = caller_from_payload(payload, self._admins)
        data = payload.get("data") or {}
        if kind == AUTOCOMPLETE:
            return web.json_response(await self._autocomplete(data))
        if kind == APPLICATION_COMMAND:
            try:
                sub, options, _ = from_interaction_data(data)
                text = build_text(sub, options)
            except CommandError as exc:
                return web.json_response(_message(Reply(title=str(exc), error=True)))
            return web.json_response(
                await self._answer(payload, run_command(self._runner, text, caller))
            )
        if kind == MESSAGE_COMPONENT:
            work = handle_click(
                str(data.get("custom_id", "")), caller, self._runner, self._feedback
            )
            return web.json_response(await self._answer(payload, work))
        return web.json_response({"error": "unsupported interaction type"}, status=400)

    async def _autocomplete(self, data: dict[str, Any]) -> dict[str, Any]:
        try:
            _, options, focused = from_interaction_data(data)
        except CommandError:
            return {"type": AUTOCOMPLETE_RESULT, "data": {"choices": []}}
        names: list[str] = []
        if focused == "company":
            names = await self._runner.complete_company(str(options.get("company") or "")[:100])
        choices = [{"name": n[:100], "value": n[:100]} for n in names[:25]]
        return {"type": AUTOCOMPLETE_RESULT, "data": {"choices": choices}}

    async def _answer(self, payload: dict[str, Any], work: Awaitable[Reply]) -> dict[str, Any]:
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=self._defer_after)
        if done:
            return _message(task.result())
        follow = asyncio.create_task(self._follow_up(payload, task))
        self._pending.add(follow)
        follow.add_done_callback(self._pending.discard)
        return {"type": DEFERRED_CHANNEL_MESSAGE, "data": {"flags": render.FLAG_EPHEMERAL}}

    async def _follow_up(self, payload: dict[str, Any], task: asyncio.Future[Reply]) -> None:
        reply = await task
        data = render.render_reply(reply)
        data.pop("flags", None)  # the deferral already fixed the visibility
        path = (
            f"/webhooks/{payload.get('application_id')}/{payload.get('token')}/messages/@original"
        )
        try:
            await self._rest.request("PATCH", path, data, auth=False)
        except DiscordAPIError as exc:
            log.warning("discord: deferred reply not delivered: %s", exc)


def _message(reply: Reply) -> dict[str, Any]:
    return {"type": CHANNEL_MESSAGE, "data": render.render_reply(reply)}
