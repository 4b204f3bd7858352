"""A local stand-in for the Discord REST API (and ``/gateway/bot``) on 127.0.0.1, port 0.

It records every request and behaves like Discord where dealradar depends on it: bot-token
auth (401), unknown channels/messages (404 10003/10008), channels without thread permission
(403 50013), one thread per message (400 160004; the thread's id is the message's id), message
edits, and ``nonce`` + ``enforce_nonce`` dedup (the same nonce in the same channel within the
window returns the message already created). Faults are queued per method and path pattern:
any status with a JSON body and headers (429 with ``retry_after``/``global``, 5xx, 413, ...),
``hang`` (never answers) and ``lost`` (does the work, then drops the connection: an accepted
message whose response is lost).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

PREFIX = "/api/v10"
TOKEN = "fake-discord-token"
APP_ID = "900000000000000001"
BODY: web.RequestKey[Any] = web.RequestKey("body", object)
BOT_USER = {
    "id": "900000000000000002",
    "username": "dealradar",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "flags": 0,
}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with Discord's exact ``Content-Type`` (discord.py compares it verbatim)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


@dataclass
class Recorded:
    method: str
    path: str  # without PREFIX
    json: Any
    headers: dict[str, str]
    status: int = 0

    def capture(self) -> dict[str, Any]:
        """This request as a line for /work/shared/tools/validate_payloads.py."""
        line: dict[str, Any] = {
            "platform": "discord",
            "method": self.method,
            "path": PREFIX + self.path,
        }
        if self.json is not None:
            line["json"] = self.json
        return line


@dataclass
class Fault:
    method: str
    pattern: str
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    mode: str = "respond"  # respond | hang | lost
    times: int = 1


@dataclass
class Channel:
    threads: bool = True
    forbidden: bool = False


class FakeDiscordAPI:
    def __init__(
        self, *, nonce_window: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.requests: list[Recorded] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.threads: dict[str, str] = {}  # thread id -> parent channel id
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.token = TOKEN
        self.response_headers: dict[str, str] = {}  # added to every handled response
        self._nonces: dict[tuple[str, str], tuple[str, float]] = {}
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._window = nonce_window
        self._clock = clock
        self._runner: web.AppRunner | None = None
        self._never = asyncio.Event()
        self._arrived = asyncio.Condition()
        self.identify: dict[str, Any] | None = None
        self.identified = asyncio.Event()
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = 0
        self.port = 0

    # -- set-up --------------------------------------------------------------------------
    def add_channel(
        self, channel_id: str, *, threads: bool = True, forbidden: bool = False
    ) -> None:
        self.channels[channel_id] = Channel(threads=threads, forbidden=forbidden)

    def fail(self, method: str, pattern: str, status: int = 500, **kw: Any) -> None:
        self.faults.append(Fault(method, pattern, status, **kw))

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    async def start(self) -> FakeDiscordAPI:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get(PREFIX + "/gateway/bot", self._gateway_bot)
        r.add_get(PREFIX + "/gateway", self._gateway_bot)
        r.add_get(PREFIX + "/users/@me", self._me)
        r.add_get(PREFIX + "/oauth2/applications/@me", self._app_info)
        r.add_get(PREFIX + "/applications/@me", self._app_info)
        r.add_post(PREFIX + "/channels/{cid}/messages", self._create_message)
        r.add_post(PREFIX + "/channels/{cid}/messages/{mid}/threads", self._start_thread)
        r.add_patch(PREFIX + "/channels/{cid}/messages/{mid}", self._edit_message)
        r.add_put(PREFIX + "/applications/{app}/commands", self._put_commands)
        r.add_put(PREFIX + "/applications/{app}/guilds/{gid}/commands", self._put_commands)
        r.add_post(PREFIX + "/interactions/{iid}/{tok}/callback", self._callback)
        r.add_route("*", PREFIX + "/webhooks/{app}/{tok}{rest:.*}", self._webhook)
        r.add_get("/gateway", self._gateway_ws)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._never.set()
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- queries -------------------------------------------------------------------------
    def posts(self, channel: str | None = None) -> list[Recorded]:
        """Successful create-message requests (optionally into one channel)."""
        pattern = re.compile(r"^/channels/(\d+)/messages$")
        out = []
        for req in self.requests:
            m = pattern.match(req.path)
            if (
                req.method == "POST"
                and m
                and req.status == 200
                and (channel is None or m.group(1) == channel)
            ):
                out.append(req)
        return out

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["channel_id"] == channel]

    def captures(self) -> list[dict[str, Any]]:
        return [r.capture() for r in self.requests if r.json is not None]

    # -- gateway -------------------------------------------------------------------------
    async def _gateway_ws(self, request: web.Request) -> web.WebSocketResponse:
        """Just enough gateway: HELLO, IDENTIFY → READY, heartbeat ACKs, pushed dispatches."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45000}})
        async for msg in ws:
            frame = json.loads(msg.data)
            if frame.get("op") == 1:
                await ws.send_json({"op": 11})
            elif frame.get("op") == 2:
                self.identify = frame["d"]
                await self.dispatch(
                    "READY",
                    {
                        "v": 10,
                        "user": BOT_USER,
                        "guilds": [],
                        "session_id": "fake-session",
                        "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway",
                        "application": {"id": APP_ID, "flags": 0},
                    },
                )
                self.identified.set()
        return ws

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one DISPATCH frame to every connected gateway client."""
        self._seq += 1
        for ws in self._sockets:
            if not ws.closed:
                await ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    # -- plumbing ------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        path = request.path[len(PREFIX) :] if request.path.startswith(PREFIX) else request.path
        rec = Recorded(request.method, path, body, dict(request.headers))
        self.requests.append(rec)
        async with self._arrived:
            self._arrived.notify_all()
        request[BODY] = body
        fault = self._take_fault(request.method, path)
        needs_auth = not path.startswith(("/interactions/", "/webhooks/")) and path != "/gateway"
        if needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
            rec.status = 401
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        if fault is not None and fault.mode == "hang":
            await self._never.wait()
            raise web.HTTPServiceUnavailable()
        if fault is not None and fault.mode == "respond":
            rec.status = fault.status
            return _json(
                fault.body or {"message": "fault", "code": 0},
                status=fault.status,
                headers=fault.headers,
            )
        resp: web.StreamResponse = await handler(request)
        resp.headers.update(self.response_headers)
        rec.status = resp.status
        if fault is not None and fault.mode == "lost":
            assert request.transport is not None
            request.transport.close()
        return resp

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and re.search(fault.pattern, path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _channel(self, cid: str) -> Channel | None:
        if cid in self.threads:
            return Channel(threads=False)
        return self.channels.get(cid)

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return _json({"message": message, "code": code}, status=status)

    async def _gateway_bot(self, _: web.Request) -> web.Response:
        return _json(
            {
                "url": f"ws://127.0.0.1:{self.port}/gateway",
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _me(self, _: web.Request) -> web.Response:
        return _json(BOT_USER)

    async def _app_info(self, _: web.Request) -> web.Response:
        return _json(
            {
                "id": APP_ID,
                "name": "dealradar",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": BOT_USER,
                "verify_key": "00" * 32,
                "flags": 0,
            }
        )

    async def _create_message(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        channel = self._channel(cid)
        if channel is None:
            return self._error(404, 10003, "Unknown Channel")
        if channel.forbidden:
            return self._error(403, 50013, "Missing Permissions")
        body = request[BODY] or {}
        if len(body.get("content") or "") > 2000 or len(body.get("embeds") or []) > 10:
            return self._error(400, 50035, "Invalid Form Body")
        once = body.get("nonce")
        now = self._clock()
        if once and body.get("enforce_nonce"):
            seen = self._nonces.get((cid, str(once)))
            if seen is not None and now - seen[1] < self._window:
                return _json(self.messages[seen[0]])
        mid = str(next(self._ids))
        message = {
            "id": mid,
            "channel_id": cid,
            "type": 19 if body.get("message_reference") else 0,
            **body,
        }
        self.messages[mid] = message
        if once and body.get("enforce_nonce"):
            self._nonces[(cid, str(once))] = (mid, now)
        return _json(message)

    async def _start_thread(self, request: web.Request) -> web.Response:
        cid, mid = request.match_info["cid"], request.match_info["mid"]
        channel = self._channel(cid)
        if channel is None:
            return self._error(404, 10003, "Unknown Channel")
        if mid not in self.messages or self.messages[mid]["channel_id"] != cid:
            return self._error(404, 10008, "Unknown Message")
        if not channel.threads:
            return self._error(403, 50013, "Missing Permissions")
        if mid in self.threads:
            return self._error(400, 160004, "A thread has already been created for this message")
        self.threads[mid] = cid
        name = (request[BODY] or {}).get("name", "")
        return _json({"id": mid, "parent_id": cid, "type": 11, "name": name})

    async def _edit_message(self, request: web.Request) -> web.Response:
        mid = request.match_info["mid"]
        message = self.messages.get(mid)
        if message is None or message["channel_id"] != request.match_info["cid"]:
            return self._error(404, 10008, "Unknown Message")
        message.update(request[BODY] or {})
        return _json(message)

    async def _put_commands(self, request: web.Request) -> web.Response:
        key = request.match_info.get("gid", "global")
        body = request[BODY] or []
        self.commands[key] = [
            {**cmd, "id": str(next(self._ids)), "application_id": APP_ID} for cmd in body
        ]
        return _json(self.commands[key])

    async def _callback(self, request: web.Request) -> web.Response:
        if "with_response" not in request.query:
            return web.Response(status=204)
        body = request[BODY] or {}
        flags = (body.get("data") or {}).get("flags") or 0
        interaction = {
            "id": request.match_info["iid"],
            "type": 2,
            "response_message_loading": body.get("type") == 5,
            "response_message_ephemeral": bool(flags & 64),
        }
        return _json({"interaction": interaction, "resource": {"type": body.get("type")}})

    async def wait_for(self, method: str, pattern: str) -> Recorded:
        """The first recorded request matching, waiting for it to arrive if need be."""
        async with self._arrived:
            while True:
                for req in self.requests:
                    if req.method == method and re.search(pattern, req.path):
                        return req
                await self._arrived.wait()

    async def _webhook(self, request: web.Request) -> web.Response:
        body = request[BODY] or {}
        return _json({"id": str(next(self._ids)), "channel_id": "0", **body})
