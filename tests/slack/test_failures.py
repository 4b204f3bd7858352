"""Failure mapping: every way a Web API call can fail becomes the right DeliveryError."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.domain import ChannelRef, Delivery
from bot.errors import DeliveryError
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
from tests.slack.conftest import make_alert


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
