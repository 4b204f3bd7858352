"""Signed HTTP interactions against a running aiohttp server hosting the WebRoute."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from nacl.signing import SigningKey

from bot.config.settings import DiscordSettings
from bot.discordapp.interactions import InteractionsEndpoint
from bot.discordapp.rest import DiscordRest
from tests import wire
from tests.discord_adapter.conftest import FakeFeedback, FakeRunner, validate
from tests.fakes.discord_api import APP_ID, FakeDiscordAPI

NOW = 1_800_000_000
KEY = SigningKey.generate()


def command(
    sub: str, options: list[dict[str, Any]], *, iid: str = "1300000000000000001", perms: str = "0"
) -> dict[str, Any]:
    return {
        "id": iid,
        "application_id": APP_ID,
        "type": 2,
        "token": "interaction-token-secret",
        "version": 1,
        "guild_id": "1200000000000000001",
        "channel_id": "1000000000000000001",
        "member": {"user": {"id": "1400000000000000001", "username": "ana"}, "permissions": perms},
        "data": {
            "id": "1500000000000000001",
            "name": "deal",
            "type": 1,
            "options": [{"type": 1, "name": sub, "options": options}],
        },
    }


class Server:
    def __init__(
        self, endpoint: InteractionsEndpoint, url: str, session: aiohttp.ClientSession
    ) -> None:
        self.endpoint, self.url, self.session = endpoint, url, session

    async def post(
        self,
        payload: Any,
        *,
        key: SigningKey = KEY,
        stamp: int = NOW,
        raw: bytes | None = None,
        signature: str | None = None,
    ) -> tuple[int, Any]:
        body = raw if raw is not None else json.dumps(payload).encode()
        sig = (
            signature
            if signature is not None
            else key.sign(str(stamp).encode() + body).signature.hex()
        )
        headers = {
            "X-Signature-Ed25519": sig,
            "X-Signature-Timestamp": str(stamp),
            "Content-Type": "application/json",
        }
        async with self.session.post(self.url, data=io.BytesIO(body), headers=headers) as resp:
            return resp.status, await resp.json()


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()


@pytest.fixture
def feedback() -> FakeFeedback:
    return FakeFeedback()


@pytest.fixture
async def server(
    api: FakeDiscordAPI, runner: FakeRunner, feedback: FakeFeedback
) -> AsyncIterator[Server]:
    rest = DiscordRest(api.api_url, None)
    endpoint = InteractionsEndpoint(
        KEY.verify_key.encode().hex(),
        runner,
        rest,
        feedback=feedback,
        admins=["1400000000000000099"],
        defer_after=0.5,
        clock=lambda: NOW,
    )
    app = web.Application()
    for route in endpoint.routes():
        app.router.add_route(route.method, route.path, route.handler)
    app_runner = web.AppRunner(app)
    await app_runner.setup()
    site = web.TCPSite(app_runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as session:
        yield Server(endpoint, f"http://127.0.0.1:{port}/discord/interactions", session)
    await endpoint.aclose()
    await rest.close()
    await app_runner.cleanup()


def response_capture(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "platform": "discord",
        "kind": "interaction_response",
        "method": "POST",
        "path": "/interactions",
        "json": body,
    }


async def test_ping_answers_pong(server: Server) -> None:
    assert await server.post({"type": 1, "id": "1"}) == (200, {"type": 1})


@pytest.mark.parametrize(
    "tamper",
    ["other_key", "bad_hex", "missing", "changed_body", "stale"],
)
async def test_bad_signatures_get_401_and_run_nothing(
    server: Server, runner: FakeRunner, tamper: str
) -> None:
    payload = command("company", [{"type": 3, "name": "company", "value": "nissan"}])
    if tamper == "other_key":
        status, _ = await server.post(payload, key=SigningKey.generate())
    elif tamper == "bad_hex":
        status, _ = await server.post(payload, signature="zz" * 64)
    elif tamper == "missing":
        status, _ = await server.post(payload, signature="")
    elif tamper == "changed_body":
        body = json.dumps(payload).encode()
        sig = KEY.sign(str(NOW).encode() + body).signature.hex()
        status, _ = await server.post(None, raw=body.replace(b"nissan", b"toyota"), signature=sig)
    else:
        status, _ = await server.post(payload, stamp=NOW - 3600)
    assert status == 401
    assert runner.calls == []


async def test_deal_nissan_runs_the_runner_and_replies_ephemeral(
    server: Server, runner: FakeRunner
) -> None:
    payload = command("company", [{"type": 3, "name": "company", "value": "nissan"}])
    status, body = await server.post(payload)
    assert status == 200
    assert body["type"] == 4
    assert body["data"]["flags"] == 64
    assert body["data"]["allowed_mentions"] == {"parse": []}
    assert body["data"]["content"] == "1 story about Nissan"
    assert body["data"]["embeds"][0]["title"] == "Carmaker to shut its northern assembly plant"
    ((text, caller),) = runner.calls
    assert text == "nissan"
    assert (caller.platform, caller.channel, caller.user, caller.is_admin) == (
        "discord",
        "1000000000000000001",
        "1400000000000000001",
        False,
    )
    assert validate([response_capture(body)]) == []


@pytest.mark.parametrize(
    ("sub", "options", "text"),
    [
        (
            "company",
            [
                {"type": 3, "name": "company", "value": "hon hai"},
                {"type": 4, "name": "days", "value": 7},
            ],
            "hon hai 7d",
        ),
        ("latest", [{"type": 3, "name": "kind", "value": "closures"}], "latest closures"),
        (
            "latest",
            [{"type": 3, "name": "kind", "value": "all"}, {"type": 4, "name": "days", "value": 3}],
            "latest 3d",
        ),
        (
            "watch",
            [
                {"type": 3, "name": "company", "value": "Nissan"},
                {"type": 3, "name": "kind", "value": "all"},
            ],
            "watch Nissan all",
        ),
        (
            "watch",
            [
                {"type": 3, "name": "company", "value": "Nissan"},
                {"type": 3, "name": "filters", "value": 'country:JP  +"EV" -recall'},
            ],
            'watch Nissan country:JP +"EV" -recall',
        ),
        (
            "mute",
            [
                {"type": 3, "name": "company", "value": "Nissan"},
                {"type": 3, "name": "duration", "value": "7d"},
            ],
            "mute Nissan 7d",
        ),
        (
            "digest",
            [
                {"type": 3, "name": "time", "value": "08:00"},
                {"type": 3, "name": "timezone", "value": "Europe/Berlin"},
            ],
            "digest daily 08:00 Europe/Berlin",
        ),
        ("digest", [{"type": 3, "name": "time", "value": "off"}], "digest off"),
        ("quiet", [{"type": 3, "name": "hours", "value": "22:00-07:00"}], "quiet 22:00-07:00"),
        (
            "source-add",
            [
                {"type": 3, "name": "url", "value": "https://example.org/feed.xml"},
                {"type": 3, "name": "name", "value": "ex"},
            ],
            "sources add https://example.org/feed.xml ex",
        ),
        ("source-remove", [{"type": 3, "name": "name", "value": "ex"}], "sources remove ex"),
        ("list", [], "list"),
        ("help", [], "help"),
    ],
)
async def test_options_rebuild_the_command_text(
    server: Server, runner: FakeRunner, sub: str, options: list[dict[str, Any]], text: str
) -> None:
    status, _ = await server.post(command(sub, options))
    assert status == 200
    assert runner.calls[0][0] == text


async def test_admin_from_manage_guild_or_config(server: Server, runner: FakeRunner) -> None:
    await server.post(command("sources", [], iid="11", perms=str(1 << 5)))
    other = command("sources", [], iid="12")
    other["member"]["user"]["id"] = "1400000000000000099"
    await server.post(other)
    await server.post(command("sources", [], iid="13", perms=str(1 << 3)))
    assert [c.is_admin for _, c in runner.calls] == [True, True, False]


async def test_autocomplete_returns_choices(server: Server) -> None:
    payload = command("company", [{"type": 3, "name": "company", "value": "no", "focused": True}])
    payload["type"] = 4
    status, body = await server.post(payload)
    assert status == 200
    assert body == {"type": 8, "data": {"choices": [{"name": "Nokia", "value": "Nokia"}]}}
    assert validate([response_capture(body)]) == []


async def test_replayed_interaction_is_not_processed_twice(
    server: Server, runner: FakeRunner
) -> None:
    payload = command("list", [])
    assert (await server.post(payload))[0] == 200
    status, _ = await server.post(payload)
    assert status == 409
    assert len(runner.calls) == 1


async def test_buttons_mute_and_feedback(
    server: Server, runner: FakeRunner, feedback: FakeFeedback
) -> None:
    base = command("list", [])
    for iid, custom_id in (
        ("21", "dr:mute:42:Nissan"),
        ("22", "dr:fb:42:1"),
        ("23", "dr:fb:42:0"),
        ("24", "nope"),
    ):
        click = {
            **base,
            "id": iid,
            "type": 3,
            "data": {"custom_id": custom_id, "component_type": 2},
        }
        status, body = await server.post(click)
        assert status == 200
        assert body["data"]["flags"] == 64
    assert runner.calls[0][0] == "mute Nissan 7d"
    assert feedback.votes == [(42, "1400000000000000001", True), (42, "1400000000000000001", False)]
    assert "not recognised" in body["data"]["content"]


async def test_slow_command_is_deferred_then_edited(
    server: Server, runner: FakeRunner, api: FakeDiscordAPI
) -> None:
    runner.delay_event = asyncio.Event()
    status, body = await server.post(
        command("company", [{"type": 3, "name": "company", "value": "nissan"}])
    )
    assert (status, body) == (200, {"type": 5, "data": {"flags": 64}})
    runner.delay_event.set()
    await server.endpoint.aclose()
    (edit,) = [r for r in api.requests if r.method == "PATCH"]
    assert edit.path == f"/webhooks/{APP_ID}/interaction-token-secret/messages/@original"
    assert edit.json["content"] == "1 story about Nissan"
    assert "Authorization" not in edit.headers
    assert validate([response_capture(body), *api.captures()]) == []


async def test_oversized_and_non_json_bodies(server: Server, runner: FakeRunner) -> None:
    status, _ = await server.post(None, raw=b"x" * (1024 * 1024 + 10))
    assert status == 413
    status, _ = await server.post(None, raw=b"not json")
    assert status == 400
    assert runner.calls == []


async def test_failed_deferred_reply_logs_without_the_interaction_token(
    server: Server, runner: FakeRunner, api: FakeDiscordAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail("PATCH", r"^/webhooks/", status=500)
    runner.delay_event = asyncio.Event()
    status, _ = await server.post(command("list", []))
    assert status == 200
    runner.delay_event.set()
    await server.endpoint.aclose()
    assert "deferred reply not delivered" in caplog.text
    assert "interaction-token-secret" not in caplog.text
    assert f"/webhooks/{APP_ID}/***" in caplog.text


async def test_stale_registration_gets_a_usage_reply(server: Server, runner: FakeRunner) -> None:
    status, body = await server.post(command("frobnicate", [], iid="31"))
    assert status == 200
    assert body["type"] == 4
    assert body["data"]["content"].startswith("Unknown subcommand")
    other = command("list", [], iid="32")
    other["data"]["name"] = "other"
    status, body = await server.post(other)
    assert body["data"]["content"] == "Unknown command; try /deal help"
    assert runner.calls == []


async def test_from_settings_needs_a_valid_public_key() -> None:
    with pytest.raises(ValueError, match="DISCORD_PUBLIC_KEY"):
        InteractionsEndpoint.from_settings(DiscordSettings(), FakeRunner())
    with pytest.raises(ValueError):
        InteractionsEndpoint.from_settings(DiscordSettings(public_key="nothex"), FakeRunner())
    key = KEY.verify_key.encode().hex()
    endpoint = InteractionsEndpoint.from_settings(DiscordSettings(public_key=key), FakeRunner())
    (route,) = endpoint.routes()
    assert (route.method, route.path) == ("POST", "/discord/interactions")
    await endpoint.aclose()


# --- bodies in pieces and malformed requests, on the wire (tests/wire.py) ---------------------


def signed(body: bytes, stamp: str = str(NOW)) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Signature-Ed25519": KEY.sign(stamp.encode() + body).signature.hex(),
        "X-Signature-Timestamp": stamp,
    }


def port_of(server: Server) -> int:
    return int(server.url.split(":")[2].split("/")[0])


@pytest.mark.parametrize(
    ("parts", "chunked", "padding"),
    [(2, False, 0), (3, True, 0), (1, False, 900_000), (4, True, 900_000)],
    ids=["two-writes", "chunked", "900kb", "900kb-chunked"],
)
async def test_signed_body_arriving_in_pieces_is_read_whole(
    server: Server, runner: FakeRunner, parts: int, chunked: bool, padding: int
) -> None:
    payload = command("list", [], iid=f"77{parts}{padding}")
    payload["padding"] = "x" * padding
    body = json.dumps(payload).encode()
    status, answer = await wire.post(
        port_of(server),
        "/discord/interactions",
        signed(body),
        wire.split(body, parts),
        chunked=chunked,
    )
    assert status == 200
    assert json.loads(answer)["type"] == 4
    assert [text for text, _ in runner.calls] == ["list"]


def _malformed(case: str) -> tuple[dict[str, str], bytes]:
    body = json.dumps(command("list", [], iid="880")).encode()
    stamps = {
        "timestamp-abc": "abc",
        "timestamp-empty": "",
        "timestamp-5000-digits": "1" * 5000,
        "timestamp-superscript": "²",
    }
    if case in stamps:
        return {**signed(body), "X-Signature-Timestamp": stamps[case]}, body
    if case == "signature-non-ascii":
        return {**signed(body), "X-Signature-Ed25519": "é" * 128}, body
    if case == "body-invalid-utf8":
        body = b'{"type": 2, "id": "\xff\xfe"}'
        return signed(body), body
    payload = command("list", [], iid="881")
    field = case.removesuffix("-string")
    payload[field] = "a string"
    body = json.dumps(payload).encode()
    return signed(body), body


@pytest.mark.parametrize(
    "case",
    [
        "timestamp-abc",
        "timestamp-empty",
        "timestamp-5000-digits",
        "timestamp-superscript",
        "signature-non-ascii",
        "body-invalid-utf8",
        "data-string",
        "member-string",
        "user-string",
        "channel-string",
    ],
)
async def test_malformed_requests_get_4xx_and_one_log_line_without_traceback(
    server: Server, runner: FakeRunner, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    headers, body = _malformed(case)
    caplog.set_level(logging.DEBUG)
    status, _ = await wire.post(port_of(server), "/discord/interactions", headers, [body])
    assert status == (401 if case.startswith(("timestamp", "signature")) else 400)
    ours = [r for r in caplog.records if r.name.startswith("bot.")]
    assert len(ours) == 1 and ours[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert runner.calls == []
