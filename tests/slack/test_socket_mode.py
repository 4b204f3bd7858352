"""A Socket Mode round trip: apps.connections.open through SLACK_API_URL, a local WebSocket,
slash command envelopes acknowledged over the socket and answered via response_url."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from bot.slackapp.app import build_slack_runtime
from tests.fakes.slack_api import APP_TOKEN, FakeSlackApi
from tests.slack.conftest import FakeFeedback, FakeRunner, assert_valid, slack_settings


def envelope(
    fake: FakeSlackApi, envelope_id: str, *, text: str = "help", trigger: str = "trig-s"
) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "token": "legacy",
            "team_id": "T0001",
            "team_domain": "test",
            "channel_id": "C1",
            "channel_name": "alerts",
            "user_id": "U1",
            "user_name": "ana",
            "command": "/deal",
            "text": text,
            "api_app_id": "A1",
            "response_url": fake.response_url("sock"),
            "trigger_id": trigger,
        },
    }


async def test_socket_mode_round_trip(
    fake_slack: FakeSlackApi, runner: FakeRunner, feedback: FakeFeedback
) -> None:
    settings = slack_settings(fake_slack, app_token=SecretStr(APP_TOKEN), signing_secret=None)
    runtime = build_slack_runtime(settings, runner, feedback)
    try:
        await runtime.start()
        [opened] = fake_slack.calls("apps.connections.open")
        assert opened.authorization == f"Bearer {APP_TOKEN}"
        await fake_slack.wait_until(lambda: fake_slack.socket_connected)

        await fake_slack.socket_send(envelope(fake_slack, "env-1"))
        await fake_slack.wait_until(lambda: bool(fake_slack.socket_acks and fake_slack.responses))
        await fake_slack.socket_send(envelope(fake_slack, "env-2"))  # Slack re-sending it
        await fake_slack.socket_send(envelope(fake_slack, "env-3", text="list", trigger="t3"))
        await fake_slack.wait_until(lambda: len(fake_slack.socket_acks) == 3)
        await fake_slack.wait_until(lambda: len(fake_slack.responses) >= 2)
    finally:
        await runtime.stop()

    acked = sorted(a["envelope_id"] for a in fake_slack.socket_acks)
    assert acked == ["env-1", "env-2", "env-3"]
    assert sorted(text for text, _ in runner.calls) == ["help", "list"]
    assert fake_slack.responses[0]["response_type"] == "ephemeral"
    assert all(r.path.startswith(("/api/", "/commands/", "/socket")) for r in fake_slack.requests)
    assert_valid([r for r in fake_slack.requests if r.path != "/socket"])
