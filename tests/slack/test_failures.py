"""Failure mapping: every way a Web API call can fail becomes the right DeliveryError."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from bot.domain import ChannelRef, Delivery
from bot.errors import ConfigError, DeliveryError
from bot.slackapp.app import build_slack_runtime
from bot.slackapp.client import make_web_client
from bot.slackapp.sink import SlackSink
from tests.fakes.slack_api import (
    BOT_TOKEN,
    Behaviour,
    FakeSlackApi,
    Hang,
    LostResponse,
    RateLimited,
    ServerError,
    SlackError,
)
from tests.slack.conftest import FakeFeedback, FakeRunner, make_alert, slack_settings


async def send(fake: FakeSlackApi, *, timeout: int = 5, token: str = BOT_TOKEN) -> None:
    client = make_web_client(SecretStr(token), fake.api_url, timeout=timeout)
    alert = Delivery(id=7, key="k-7", target=ChannelRef("slack", "C1"), message=make_alert())
    await SlackSink(client).send(alert)


PERMANENT = [
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "missing_scope",
    "msg_too_long",
    "invalid_blocks",
]


@pytest.mark.parametrize("code", PERMANENT)
async def test_configuration_and_payload_errors_are_not_retried(
    fake_slack: FakeSlackApi, code: str
) -> None:
    fake_slack.script("chat.postMessage", SlackError(code))
    with pytest.raises(DeliveryError) as caught:
        await send(fake_slack)
    error = caught.value
    assert error.retryable is False
    assert error.reason == code
    assert code in str(error) and len(str(error)) > len(code) + 20  # says what to do
    assert len(fake_slack.calls("chat.postMessage")) == 1  # the SDK did not retry


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (ServerError(500), "server_error"),
        (ServerError(503), "server_error"),
        (SlackError("internal_error"), "server_error"),
        (LostResponse(), "connection"),
    ],
)
async def test_transient_failures_are_retryable_and_not_retried_by_the_sdk(
    fake_slack: FakeSlackApi, behaviour: Behaviour, reason: str
) -> None:
    fake_slack.script("chat.postMessage", behaviour)
    with pytest.raises(DeliveryError) as caught:
        await send(fake_slack)
    assert caught.value.retryable is True
    assert caught.value.reason == reason
    assert caught.value.retry_after is None
    assert len(fake_slack.calls("chat.postMessage")) == 1


async def test_rate_limit_carries_retry_after(fake_slack: FakeSlackApi) -> None:
    fake_slack.script("chat.postMessage", RateLimited(retry_after=17))
    with pytest.raises(DeliveryError) as caught:
        await send(fake_slack)
    assert caught.value.retryable is True
    assert caught.value.reason == "rate_limited"
    assert caught.value.retry_after == 17.0
    assert len(fake_slack.calls("chat.postMessage")) == 1


async def test_a_hanging_server_ends_in_a_retryable_timeout(fake_slack: FakeSlackApi) -> None:
    fake_slack.script("chat.postMessage", Hang())
    with pytest.raises(DeliveryError) as caught:
        await send(fake_slack, timeout=1)
    assert caught.value.retryable is True
    assert caught.value.reason == "timeout"


async def test_connection_refused_is_retryable(fake_slack: FakeSlackApi) -> None:
    port = fake_slack.port
    await fake_slack.close()
    fake_slack.port = port
    with pytest.raises(DeliveryError) as caught:
        await send(fake_slack)
    assert caught.value.retryable is True
    assert caught.value.reason == "connection"


async def test_the_token_never_appears_in_errors(fake_slack: FakeSlackApi) -> None:
    token = "xoxb-secret-token-must-not-leak"
    fake_slack.bot_token = token
    for behaviour in (SlackError("invalid_auth"), ServerError(500), RateLimited(1), LostResponse()):
        fake_slack.script("chat.postMessage", behaviour)
        with pytest.raises(DeliveryError) as caught:
            await send(fake_slack, token=token)
        assert token not in str(caught.value)
        assert token not in repr(caught.value)
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_no_token_in_logs_even_at_debug(
    fake_slack: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    token = "xoxb-another-secret-for-logs"
    fake_slack.bot_token = token
    caplog.set_level(logging.DEBUG)
    for behaviour in (SlackError("invalid_auth"), ServerError(502), LostResponse()):
        fake_slack.script("chat.postMessage", behaviour)
        with pytest.raises(DeliveryError):
            await send(fake_slack, token=token)
    await send(fake_slack, token=token)  # and a success
    assert caplog.records  # the SDK did log the calls
    assert token not in caplog.text


async def test_building_the_runtime_makes_no_network_call(
    fake_slack: FakeSlackApi, runner: FakeRunner, feedback: FakeFeedback
) -> None:
    runtime = build_slack_runtime(slack_settings(fake_slack), runner, feedback)
    assert runtime.web_routes()
    await runtime.start()  # no app token: Socket Mode stays off
    await runtime.stop()
    assert fake_slack.requests == []


def test_building_without_a_bot_token_names_the_variable(
    fake_slack: FakeSlackApi, runner: FakeRunner, feedback: FakeFeedback
) -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        build_slack_runtime(slack_settings(fake_slack, bot_token=None), runner, feedback)
