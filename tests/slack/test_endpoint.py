"""Signed HTTP requests against ``POST /slack/events`` on a running aiohttp server, with the
real slack-bolt app talking to the local Slack stand-in."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from bot.errors import CommandError
from bot.slackapp.app import SlackRuntime, build_slack_runtime
from handlers.api import Caller, Reply
from tests import wire
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import (
    SIGNING_SECRET,
    FakeFeedback,
    FakeRunner,
    assert_valid,
    slack_settings,
)

NOW = 1_790_000_000.0


@dataclass
class Endpoint:
    url: str
    session: aiohttp.ClientSession
    runtime: SlackRuntime

    async def post(
        self,
        body: str,
        *,
        timestamp: float = NOW,
        secret: str = SIGNING_SECRET,
        headers: dict[str, str] | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> tuple[int, str]:
        stamp = str(int(timestamp))
        digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": "v0=" + digest.hexdigest(),
            **(headers or {}),
        }
        async with self.session.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()


@pytest.fixture
async def endpoint(
    fake_slack: FakeSlackApi, runner: FakeRunner, feedback: FakeFeedback
) -> AsyncIterator[Endpoint]:
    runtime = build_slack_runtime(
        slack_settings(fake_slack),
        runner,
        feedback,
        admin_ids=["slack:UCONFIGADMIN"],
        clock=lambda: NOW,
    )
    app = web.Application()
    for route in runtime.web_routes():
        app.router.add_route(route.method, route.path, route.handler)
    server = web.AppRunner(app, handle_signals=False)
    await server.setup()
    site = web.TCPSite(server, "127.0.0.1", 0)
    await site.start()
    port = server.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        yield Endpoint(f"http://127.0.0.1:{port}/slack/events", session, runtime)
    await runtime.stop()
    await server.cleanup()


def command(
    fake: FakeSlackApi, text: str = "list", *, user: str = "U1", trigger: str = "trig-1"
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T0001",
            "team_domain": "test",
            "channel_id": "C1",
            "channel_name": "alerts",
            "user_id": user,
            "user_name": "ana",
            "command": "/deal",
            "text": text,
            "api_app_id": "A1",
            "response_url": fake.response_url("r1"),
            "trigger_id": trigger,
        }
    )


def action(fake: FakeSlackApi, action_id: str, value: str, *, ts: str = "1790000000.1") -> str:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": "U2", "name": "bo"},
        "team": {"id": "T0001", "domain": "test"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": f"trig-{action_id}-{ts}",
        "channel": {"id": "C1", "name": "alerts"},
        "container": {"type": "message", "message_ts": "1790000001.000001", "channel_id": "C1"},
        "response_url": fake.response_url("r2"),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": ts,
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


async def test_signed_command_runs_and_answers_ephemerally(
    endpoint: Endpoint, fake_slack: FakeSlackApi, runner: FakeRunner
) -> None:
    status, _ = await endpoint.post(command(fake_slack, "list --all"))
    assert status == 200
    await fake_slack.wait_until(lambda: fake_slack.responses)

    assert runner.calls == [("list --all", Caller("slack", "C1", "U1", is_admin=False))]
    [answer] = fake_slack.responses
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][-1]["elements"][0]["action_id"] == "dealradar_share_reply"
    assert [r.api_method for r in fake_slack.requests if r.api_method] == [
        "auth.test",
        "users.info",
    ]
    assert_valid(fake_slack.requests)


async def test_ack_comes_before_slow_work(
    endpoint: Endpoint, fake_slack: FakeSlackApi, runner: FakeRunner
) -> None:
    release = asyncio.Event()
    original = runner.run

    async def slow(text: str, caller: Caller) -> Reply:
        await release.wait()
        return await original(text, caller)

    runner.run = slow  # type: ignore[method-assign]
    status, _ = await asyncio.wait_for(endpoint.post(command(fake_slack)), timeout=3)
    assert status == 200
    assert fake_slack.responses == []  # answered before the work finished
    release.set()
    await fake_slack.wait_until(lambda: fake_slack.responses)


async def test_bad_signature_is_401_and_runs_nothing(
    endpoint: Endpoint, fake_slack: FakeSlackApi, runner: FakeRunner
) -> None:
    status, _ = await endpoint.post(command(fake_slack), secret="not-the-secret")
    assert status == 401
    unsigned = await endpoint.session.post(endpoint.url, data=command(fake_slack))
    assert unsigned.status == 401
    assert runner.calls == []
    assert fake_slack.requests == []


async def test_stale_timestamp_is_401(
    endpoint: Endpoint, fake_slack: FakeSlackApi, runner: FakeRunner
) -> None:
    status, _ = await endpoint.post(command(fake_slack), timestamp=NOW - 301)
    assert status == 401
    status, _ = await endpoint.post(command(fake_slack), timestamp=NOW + 301)
    assert status == 401
    assert runner.calls == []


async def test_retries_and_replays_are_not_processed_twice(
    endpoint: Endpoint, fake_slack: FakeSlackApi, runner: FakeRunner
) -> None:
    body = command(fake_slack)
    assert (await endpoint.post(body))[0] == 200
    await fake_slack.wait_until(lambda: fake_slack.responses)
    retry = await endpoint.post(
        body,
        timestamp=NOW + 5,
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    replay = await endpoint.post(body)
    assert retry[0] == 200 and replay[0] == 200
    other = await endpoint.post(command(fake_slack, "list two", trigger="trig-2"))
    assert other[0] == 200
    await fake_slack.wait_until(lambda: len(fake_slack.responses) >= 2)
    assert [text for text, _ in runner.calls] == ["list", "list two"]


async def test_workspace_admins_and_configured_admins(
    endpoint: Endpoint, fake_slack: FakeSlackApi, runner: FakeRunner
) -> None:
    fake_slack.users["UOWNER"] = {"id": "UOWNER", "is_admin": False, "is_owner": True}
    for n, user in enumerate(["UOWNER", "UOWNER", "UCONFIGADMIN", "UNOBODY"]):
        await endpoint.post(command(fake_slack, user=user, trigger=f"t{n}"))
    await fake_slack.wait_until(lambda: len(fake_slack.responses) == 4)
    admin = {caller.user: caller.is_admin for _, caller in runner.calls}
    assert admin == {"UOWNER": True, "UCONFIGADMIN": True, "UNOBODY": False}
    looked_up = [r.query["user"] for r in fake_slack.calls("users.info")]
    assert sorted(looked_up) == ["UNOBODY", "UOWNER"]  # cached, and config needs no call


async def test_command_error_is_an_ephemeral_usage_reply(
    endpoint: Endpoint, fake_slack: FakeSlackApi, runner: FakeRunner
) -> None:
    runner.error = CommandError("Usage: /deal mute <company> <duration>")
    await endpoint.post(command(fake_slack, "mute"))
    await fake_slack.wait_until(lambda: fake_slack.responses)
    [answer] = fake_slack.responses
    assert answer["response_type"] == "ephemeral"
    assert (
        "Usage: /deal mute &lt;company&gt; &lt;duration&gt;" in answer["blocks"][0]["text"]["text"]
    )
    assert "actions" not in [b["type"] for b in answer["blocks"]]
    assert_valid(fake_slack.requests)


async def test_share_button_posts_the_answer_in_channel(
    endpoint: Endpoint, fake_slack: FakeSlackApi
) -> None:
    await endpoint.post(command(fake_slack))
    await fake_slack.wait_until(lambda: fake_slack.responses)
    token = fake_slack.responses[0]["blocks"][-1]["elements"][0]["value"]

    await endpoint.post(action(fake_slack, "dealradar_share_reply", token))
    await fake_slack.wait_until(lambda: len(fake_slack.responses) == 2)
    shared = fake_slack.responses[1]
    assert shared["response_type"] == "in_channel"
    assert shared["replace_original"] is False
    assert shared["blocks"][0] == fake_slack.responses[0]["blocks"][0]
    assert all(b["type"] != "actions" for b in shared["blocks"])

    await endpoint.post(action(fake_slack, "dealradar_share_reply", token, ts="2.0"))
    await fake_slack.wait_until(lambda: len(fake_slack.responses) == 3)
    assert "expired" in fake_slack.responses[2]["text"]
    assert_valid(fake_slack.requests)


async def test_mute_button_runs_the_mute_command(
    endpoint: Endpoint, fake_slack: FakeSlackApi, runner: FakeRunner
) -> None:
    runner.reply = Reply(title="Muted ExampleCorp for 7 days")
    await endpoint.post(action(fake_slack, "dealradar_mute_company", "ExampleCorp"))
    await fake_slack.wait_until(lambda: fake_slack.responses)
    assert runner.calls == [("mute ExampleCorp 7d", Caller("slack", "C1", "U2", False))]
    assert fake_slack.responses[0]["response_type"] == "ephemeral"
    assert_valid(fake_slack.requests)


async def test_feedback_buttons_record_votes(
    endpoint: Endpoint, fake_slack: FakeSlackApi, feedback: FakeFeedback
) -> None:
    await endpoint.post(action(fake_slack, "dealradar_feedback_useful", "42", ts="1.0"))
    await endpoint.post(action(fake_slack, "dealradar_feedback_not_useful", "42", ts="2.0"))
    await endpoint.post(action(fake_slack, "dealradar_feedback_useful", "junk", ts="3.0"))
    await fake_slack.wait_until(lambda: len(fake_slack.responses) == 3)
    assert sorted((s, c.user, u) for s, c, u in feedback.votes) == [
        (42, "U2", False),
        (42, "U2", True),
    ]
    assert "out of date" in fake_slack.responses[2]["text"]


async def test_no_signing_secret_means_no_http_route(
    fake_slack: FakeSlackApi, runner: FakeRunner, feedback: FakeFeedback
) -> None:
    runtime = build_slack_runtime(slack_settings(fake_slack, signing_secret=None), runner, feedback)
    assert runtime.web_routes() == []
    await runtime.stop()


# --- bodies in pieces and malformed requests, on the wire (tests/wire.py) ---------------------


def signed_headers(body: bytes, *, stamp: str = str(int(NOW))) -> dict[str, str]:
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


def port_of(endpoint: Endpoint) -> int:
    return int(endpoint.url.split(":")[2].split("/")[0])


@pytest.mark.parametrize(
    ("parts", "chunked", "padding"),
    [(2, False, 0), (3, True, 0), (1, False, 900_000), (4, True, 900_000)],
    ids=["two-writes", "chunked", "900kb", "900kb-chunked"],
)
async def test_signed_body_arriving_in_pieces_is_read_whole_and_runs(
    endpoint: Endpoint,
    fake_slack: FakeSlackApi,
    runner: FakeRunner,
    parts: int,
    chunked: bool,
    padding: int,
) -> None:
    body = command(fake_slack, "list", trigger=f"trig-{parts}-{padding}")
    raw = (body + ("&pad=" + "x" * padding if padding else "")).encode()
    pieces = wire.split(raw, parts)
    status, _ = await wire.post(
        port_of(endpoint), "/slack/events", signed_headers(raw), pieces, chunked=chunked
    )
    assert status == 200
    await fake_slack.wait_until(lambda: fake_slack.responses)
    assert [text for text, _ in runner.calls] == ["list"]


async def test_body_over_the_limit_is_413_even_when_chunked(
    endpoint: Endpoint, runner: FakeRunner
) -> None:
    raw = b"x" * 1_000_001
    status, _ = await wire.post(
        port_of(endpoint), "/slack/events", signed_headers(raw), wire.split(raw, 3), chunked=True
    )
    assert status == 413
    assert runner.calls == []


def _bad_headers(case: str, body: bytes) -> dict[str, str]:
    headers = signed_headers(body)
    if case == "signature-non-ascii":
        headers["X-Slack-Signature"] = "v0=" + "é" * 64
    else:
        stamp = {
            "timestamp-abc": "abc",
            "timestamp-empty": "",
            "timestamp-5000-digits": "1" * 5000,
            "timestamp-superscript": "²",
            "timestamp-fullwidth": "１７９００００００００",
        }[case]
        headers["X-Slack-Request-Timestamp"] = stamp
    return headers


@pytest.mark.parametrize(
    "case",
    [
        "timestamp-abc",
        "timestamp-empty",
        "timestamp-5000-digits",
        "timestamp-superscript",
        "timestamp-fullwidth",
        "signature-non-ascii",
        "body-invalid-utf8",
    ],
)
async def test_malformed_requests_get_4xx_and_one_log_line_without_traceback(
    endpoint: Endpoint,
    fake_slack: FakeSlackApi,
    runner: FakeRunner,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    body = command(fake_slack).encode()
    if case == "body-invalid-utf8":
        body += b"&text2=\xff\xfe\xc3"
        headers = signed_headers(body)  # correctly signed: the bytes are what Slack would sign
    else:
        headers = _bad_headers(case, body)
    caplog.set_level(logging.DEBUG)
    status, _ = await wire.post(port_of(endpoint), "/slack/events", headers, [body])
    assert status == (400 if case == "body-invalid-utf8" else 401)
    ours = [r for r in caplog.records if r.name.startswith("dealradar")]
    assert len(ours) == 1 and ours[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert runner.calls == []
