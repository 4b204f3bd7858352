"""Commands and endpoints on the real bot HTTP server (``dealradar run``, started by
bot.runtime.app).

Two bot processes share one SQLite file, as two replicas or two processes started by mistake
would. Requests with a bad Slack signature, a stale Slack timestamp or a bad Ed25519 signature
are answered 401 and run nothing (the Slack stand-in never receives a ``response_url`` answer);
a correctly signed request replayed to the *other* process is not processed again, because
both claim its id in the shared ``processed_requests`` table (bot.store.processed_requests).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from nacl.signing import SigningKey

from tests import wire
from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import (
    Bot,
    SlackStandIn,
    bot_env,
    http_port,
    query,
    wait_until,
    write_config,
)

SIGNING_SECRET = "hardening-signing-secret-7f3a"
DISCORD_KEY = SigningKey.generate()


@dataclass
class Replicas:
    ports: list[int]
    slack: SlackStandIn
    database: Path
    bots: list[Bot]


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    tmp = tmp_path_factory.mktemp("endpoints")
    with FeedServer() as feeds, SlackStandIn() as slack:
        feeds.set_feed("/a.xml", [{"title": "Markets open flat", "link": "https://n.example/0"}])
        database = tmp / "bot.db"
        config = write_config(
            tmp / "bot.toml", database=database, feeds={"a": feeds.url("/a.xml")}, routes=""
        )
        env = bot_env(
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_API_URL=slack.url,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            DISCORD_PUBLIC_KEY=DISCORD_KEY.verify_key.encode().hex(),
            DISCORD_API_URL=f"http://127.0.0.1:{slack.api.port}/discord",
        )
        bots = [Bot(config, env, tmp / f"bot{i}.log").start() for i in range(2)]
        try:
            ports = [http_port(bot) for bot in bots]
            yield Replicas(ports, slack, database, bots)
        finally:
            for bot in bots:
                bot.kill9()


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def slack_command(slack: SlackStandIn, text: str, trigger: str, user: str = "U1") -> bytes:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C1",
            "user_id": user,
            "command": "/deal",
            "text": text,
            "response_url": slack.api.response_url(trigger),
            "trigger_id": trigger,
        }
    ).encode()


def slack_post(
    port: int, body: bytes, *, secret: str = SIGNING_SECRET, stamp: float | None = None
) -> tuple[int, bytes]:
    ts = str(int(time.time() if stamp is None else stamp))
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + digest,
    }
    return post(port, "/slack/events", body, headers)


def discord_post(port: int, payload: dict[str, Any], key: SigningKey = DISCORD_KEY) -> int:
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Signature-Ed25519": key.sign(stamp.encode() + body).signature.hex(),
        "X-Signature-Timestamp": stamp,
    }
    return post(port, "/discord/interactions", body, headers)[0]


def discord_help(iid: str) -> dict[str, Any]:
    return {
        "id": iid,
        "application_id": "1100000000000000001",
        "type": 2,
        "token": "interaction-token",
        "version": 1,
        "guild_id": "1200000000000000001",
        "channel_id": "1000000000000000001",
        "member": {"user": {"id": "1400000000000000001"}, "permissions": "0"},
        "data": {"name": "deal", "type": 1, "options": [{"type": 1, "name": "help"}]},
    }


def answered(slack: SlackStandIn, trigger: str) -> int:
    path = f"/commands/{trigger}"
    return sum(1 for r in list(slack.api.requests) if r.path == path)


def test_signed_slack_command_runs_once_even_when_replayed_to_the_other_replica(
    replicas: Replicas,
) -> None:
    body = slack_command(replicas.slack, "help", "trig-replay")
    first = slack_post(replicas.ports[0], body)
    assert first[0] == 200
    wait_until(lambda: answered(replicas.slack, "trig-replay"), 20, "the command's answer")
    again = [slack_post(port, body) for port in replicas.ports]  # replay to both processes
    assert [status for status, _ in again] == [200, 200]
    later = slack_command(replicas.slack, "help", "trig-later")  # a fresh request still runs
    assert slack_post(replicas.ports[1], later)[0] == 200
    wait_until(lambda: answered(replicas.slack, "trig-later"), 20, "the second answer")
    assert answered(replicas.slack, "trig-replay") == 1
    keys = query(replicas.database, "SELECT key FROM processed_requests WHERE key LIKE 'slack:%'")
    assert ("slack:trigger:trig-replay",) in keys


@pytest.mark.parametrize(
    ("secret", "age_s"),
    [("wrong-secret", 0.0), (SIGNING_SECRET, 600.0)],
    ids=["bad_signature", "stale_timestamp"],
)
def test_slack_bad_signature_or_stale_timestamp_is_401_and_runs_nothing(
    replicas: Replicas, secret: str, age_s: float
) -> None:
    trigger = f"trig-bad-{age_s:.0f}"
    body = slack_command(replicas.slack, "help", trigger)
    status, _ = slack_post(replicas.ports[0], body, secret=secret, stamp=time.time() - age_s)
    assert status == 401
    control = slack_command(replicas.slack, "help", trigger + "-ok")  # runs, so the bad one
    assert slack_post(replicas.ports[0], control)[0] == 200  # had its chance to answer too
    wait_until(lambda: answered(replicas.slack, trigger + "-ok"), 20, "the control answer")
    assert answered(replicas.slack, trigger) == 0
    assert not query(
        replicas.database, "SELECT 1 FROM processed_requests WHERE key LIKE ?", f"%{trigger}"
    )


def test_discord_bad_ed25519_signature_is_401_and_claims_nothing(replicas: Replicas) -> None:
    payload = discord_help("1300000000000000777")
    assert discord_post(replicas.ports[0], payload, key=SigningKey.generate()) == 401
    rows = query(replicas.database, "SELECT 1 FROM processed_requests WHERE key LIKE '%777'")
    assert not rows  # never reached the handler, not even the replay guard
    assert discord_post(replicas.ports[0], payload) == 200  # the same id, signed: runs once


def test_discord_interaction_replayed_to_the_other_replica_is_refused(replicas: Replicas) -> None:
    payload = discord_help("1300000000000000888")
    assert discord_post(replicas.ports[0], payload) == 200
    assert discord_post(replicas.ports[1], payload) == 409
    assert discord_post(replicas.ports[0], payload) == 409


def test_signed_requests_in_pieces_run_and_malformed_ones_leave_no_traceback(
    replicas: Replicas,
) -> None:
    """The real server: a signed command split over two TCP writes runs; a Slack timestamp of
    5,000 digits and a signed Discord interaction whose ``data`` is a string are refused
    with 401/400 and leave one warning each in the log, no traceback."""
    body = slack_command(replicas.slack, "help", "trig-pieces")
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }
    port = replicas.ports[0]
    pieces = wire.split(body, 2)
    assert asyncio.run(wire.post(port, "/slack/events", headers, pieces))[0] == 200
    wait_until(lambda: answered(replicas.slack, "trig-pieces"), 20, "the split command's answer")

    headers["X-Slack-Request-Timestamp"] = "9" * 5000
    assert asyncio.run(wire.post(port, "/slack/events", headers, [body]))[0] == 401
    interaction = {**discord_help("1300000000000000999"), "data": "a string"}
    assert discord_post(port, interaction) == 400
    log = replicas.bots[0].text()
    assert "Traceback" not in log
    assert "slack: rejected a request: malformed timestamp" in log
    assert "discord: rejected a signed interaction: interaction data is not an object" in log
