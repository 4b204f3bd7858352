"""A local stand-in for the Slack Web API, response_url and Socket Mode, for tests.

It listens on 127.0.0.1, port 0, inside the test's event loop and records every request
(path, JSON/form body, query) so tests can assert on what the real slack-sdk/slack-bolt code
sent and feed it to ``shared/tools/validate_payloads.py``. Messages are kept like Slack keeps
them (ts, thread_ts, metadata), so ``conversations.history``/``replies`` and ``chat.update``
behave. Each Web API method can be scripted to answer with a failure once:
:class:`RateLimited`, :class:`ServerError`, :class:`SlackError`, :class:`Hang` or
:class:`LostResponse` (the message is stored, then the connection is dropped unanswered).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-bot-token-000"
APP_TOKEN = "xapp-test-app-token-000"


@dataclass(frozen=True)
class RateLimited:
    retry_after: int = 7


@dataclass(frozen=True)
class ServerError:
    status: int = 500


@dataclass(frozen=True)
class SlackError:
    code: str


@dataclass(frozen=True)
class Hang:
    """Never answer (until the server closes): the client's timeout must end the call."""


@dataclass(frozen=True)
class LostResponse:
    """Do the work, then drop the connection before answering."""


Behaviour = RateLimited | ServerError | SlackError | Hang | LostResponse


@dataclass
class Recorded:
    http_method: str
    path: str
    api_method: str | None
    body: dict[str, Any]
    body_kind: str  # "json" | "form" | "none"
    query: dict[str, str]
    authorization: str | None

    @property
    def args(self) -> dict[str, Any]:
        """Query and body merged: what the method was asked to do."""
        return {**self.query, **self.body}

    def for_validator(self, untrusted: list[str] | None = None) -> dict[str, Any]:
        """A line for validate_payloads.py. GET arguments are checked as form fields."""
        line: dict[str, Any] = {"platform": "slack", "method": "POST", "path": self.path}
        if self.body_kind == "json":
            line["json"] = self.body
        else:
            line["form"] = self.args
        if untrusted:
            line["untrusted"] = untrusted
        return line


@dataclass
class FakeSlackApi:
    bot_token: str = BOT_TOKEN
    app_token: str = APP_TOKEN
    requests: list[Recorded] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)  # response_url bodies
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    answer_delay: dict[str, float] = field(default_factory=dict)
    """Seconds to hold back a method's answer after doing its work (``{"chat.postMessage": 2}``
    widens the window in which a killed bot loses the answer to a post Slack made)."""

    def __post_init__(self) -> None:
        self._scripts: dict[str, deque[Behaviour]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._closing = asyncio.Event()
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> FakeSlackApi:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/commands/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def close(self) -> None:
        self._closing.set()
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/commands/{name}"

    # -- scripting and inspection ------------------------------------------------------
    def script(self, api_method: str, *behaviours: Behaviour) -> None:
        """The next calls of ``api_method`` behave like this, one behaviour per call."""
        self._scripts[api_method].extend(behaviours)

    def calls(self, api_method: str) -> list[Recorded]:
        return [r for r in self.requests if r.api_method == api_method]

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == channel]

    async def wait_until(self, predicate: Any, timeout: float = 5.0) -> None:
        """Wait (bounded) until ``predicate()`` holds; raises ``TimeoutError`` otherwise."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- Web API -----------------------------------------------------------------------
    async def _record(self, request: web.Request, api_method: str | None) -> Recorded:
        body: dict[str, Any] = {}
        kind = "none"
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json":
                body, kind = json.loads(raw or b"{}"), "json"
            elif raw:
                body, kind = dict(parse_qsl(raw.decode())), "form"
        recorded = Recorded(
            request.method,
            request.path,
            api_method,
            body,
            kind,
            dict(request.query),
            request.headers.get("Authorization"),
        )
        self.requests.append(recorded)
        return recorded

    async def _api(self, request: web.Request) -> web.StreamResponse:
        response = await self._api_answer(request)
        delay = self.answer_delay.get(request.match_info["method"], 0.0)
        if delay:
            await asyncio.sleep(delay)
        return response

    async def _api_answer(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        recorded = await self._record(request, method)
        await self._notify()
        behaviour = self._scripts[method].popleft() if self._scripts[method] else None
        if isinstance(behaviour, RateLimited):
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(behaviour.retry_after)},
            )
        if isinstance(behaviour, ServerError):
            return web.Response(
                status=behaviour.status, text="<html>oops</html>", content_type="text/html"
            )
        if isinstance(behaviour, SlackError):
            return web.json_response({"ok": False, "error": behaviour.code})
        if isinstance(behaviour, Hang):
            await self._closing.wait()
            return web.json_response({"ok": False, "error": "shutting_down"})
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if recorded.authorization != f"Bearer {expected}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        answer = self._answer(method, recorded.args)
        await self._notify()
        if isinstance(behaviour, LostResponse):
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError  # the answer is never written
        return web.json_response(answer)

    def _next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_790_000_000 + n}.{n:06d}"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        result: dict[str, Any] = handler(args)
        return result

    @staticmethod
    def _json_arg(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://test.example/",
            "team": "Test",
            "user": "dealradar",
            "team_id": "T0001",
            "user_id": "UBOT",
            "bot_id": "BBOT",
        }

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        message = {
            "channel": channel,
            "ts": self._next_ts(),
            "thread_ts": args.get("thread_ts"),
            "reply_broadcast": args.get("reply_broadcast") in (True, "true", "1", 1),
            "text": args.get("text", ""),
            "blocks": self._json_arg(args.get("blocks")) or [],
            "metadata": self._json_arg(args.get("metadata")),
        }
        self.messages.append(message)
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "message": {"text": message["text"]},
        }

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        for message in self.messages:
            if message["channel"] == args.get("channel") and message["ts"] == args.get("ts"):
                message["text"] = args.get("text", message["text"])
                message["blocks"] = self._json_arg(args.get("blocks")) or message["blocks"]
                message["edited"] = True
                return {"ok": True, "channel": message["channel"], "ts": message["ts"]}
        return {"ok": False, "error": "message_not_found"}

    def _public(self, message: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
        out = {"type": "message", "ts": message["ts"], "text": message["text"]}
        if message["thread_ts"]:
            out["thread_ts"] = message["thread_ts"]
        if with_metadata and message["metadata"]:
            out["metadata"] = message["metadata"]
        return out

    def _m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = int(args.get("limit", 100))
        top = [
            m
            for m in self.in_channel(str(args.get("channel")))
            if not m["thread_ts"] or m["reply_broadcast"]
        ]
        newest = list(reversed(top))[:limit]
        return {"ok": True, "messages": [self._public(m, meta) for m in newest]}

    def _m_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        ts = args.get("ts")
        thread = [
            m
            for m in self.in_channel(str(args.get("channel")))
            if m["ts"] == ts or m["thread_ts"] == ts
        ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": [self._public(m, meta) for m in thread]}

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    # -- response_url ------------------------------------------------------------------
    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request, None)
        self.responses.append(recorded.body)
        await self._notify()
        return web.Response(text="ok")

    # -- Socket Mode -------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await self._notify()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake"},
                "connection_info": {"app_id": "A1"},
            }
        )
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(msg.data))
                await self._notify()
        self._sockets.remove(ws)
        return ws

    @property
    def socket_connected(self) -> bool:
        return bool(self._sockets)

    async def socket_send(self, envelope: dict[str, Any]) -> None:
        """Push one envelope to every connected Socket Mode client."""
        for ws in self._sockets:
            await ws.send_json(envelope)
