"""SlackSink against the local Slack stand-in: posting, threading, updates, reconciliation."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.domain import AlertKind, ChannelRef, Delivery, MessageRef, Status
from bot.errors import DeliveryError
from bot.slackapp.client import make_web_client
from bot.slackapp.sink import SlackSink
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackApi, LostResponse, SlackError
from tests.slack.conftest import assert_valid, make_alert

CHANNEL = "C0ALERTS"


def sink_for(fake: FakeSlackApi, timeout: int = 5) -> SlackSink:
    return SlackSink(make_web_client(SecretStr(BOT_TOKEN), fake.api_url, timeout=timeout))


def delivery(
    message: object, *, key: str = "d-1", parent: MessageRef | None = None, attempt: int = 0
) -> Delivery:
    return Delivery(
        id=1,
        key=key,
        target=ChannelRef("slack", CHANNEL),
        message=message,  # type: ignore[arg-type]
        parent=parent,
        attempt=attempt,
    )


async def post_parent(fake: FakeSlackApi) -> MessageRef:
    result = await sink_for(fake).send(delivery(make_alert(), key="d-parent"))
    assert result.message is not None
    return result.message


async def test_new_alert_is_a_top_level_message_with_metadata(fake_slack: FakeSlackApi) -> None:
    result = await sink_for(fake_slack).send(delivery(make_alert(), key="d-new"))

    [call] = fake_slack.calls("chat.postMessage")
    assert call.authorization == f"Bearer {BOT_TOKEN}"
    assert call.body["channel"] == CHANNEL
    assert "thread_ts" not in call.body
    assert call.body["metadata"] == {
        "event_type": "dealradar_alert",
        "event_payload": {"delivery": "d-new"},
    }
    assert "ExampleCorp" in call.body["text"]
    assert call.body["blocks"][0]["type"] == "header"
    [stored] = fake_slack.messages
    assert result.message == MessageRef("slack", CHANNEL, stored["ts"])
    assert_valid(fake_slack.requests)


async def test_follow_up_is_a_thread_reply_and_updates_the_parent(
    fake_slack: FakeSlackApi,
) -> None:
    parent = await post_parent(fake_slack)
    follow = make_alert(AlertKind.FOLLOW_UP, outlets=("Daily Example", "Weekly Sample", "Third"))

    result = await sink_for(fake_slack).send(delivery(follow, key="d-follow", parent=parent))

    reply = fake_slack.calls("chat.postMessage")[-1]
    assert reply.body["thread_ts"] == parent.message_id
    assert "reply_broadcast" not in reply.body
    [update] = fake_slack.calls("chat.update")
    assert update.body["ts"] == parent.message_id
    assert update.body["channel"] == CHANNEL
    assert "3: Daily Example, Weekly Sample, Third" in str(update.body["blocks"])
    assert result.message is not None
    assert result.message.thread_id == parent.message_id
    assert result.message.message_id != parent.message_id
    assert result.extra == {"parent_update": "ok"}
    assert fake_slack.messages[0].get("edited") is True
    assert_valid(fake_slack.requests)


async def test_status_change_is_broadcast_and_parent_shows_new_status(
    fake_slack: FakeSlackApi,
) -> None:
    parent = await post_parent(fake_slack)
    change = make_alert(AlertKind.STATUS_CHANGE, status=Status.CONFIRMED)

    await sink_for(fake_slack).send(delivery(change, key="d-status", parent=parent))

    reply = fake_slack.calls("chat.postMessage")[-1]
    assert reply.body["thread_ts"] == parent.message_id
    assert reply.body["reply_broadcast"] is True
    assert "planned → confirmed" in reply.body["blocks"][0]["text"]["text"]
    update = fake_slack.calls("chat.update")[-1]
    assert "confirmed" in update.body["blocks"][0]["text"]["text"]
    assert "→" not in update.body["blocks"][0]["text"]["text"]
    assert_valid(fake_slack.requests)


async def test_follow_up_without_a_known_parent_posts_top_level(fake_slack: FakeSlackApi) -> None:
    await sink_for(fake_slack).send(delivery(make_alert(AlertKind.FOLLOW_UP)))
    [call] = fake_slack.calls("chat.postMessage")
    assert "thread_ts" not in call.body
    assert fake_slack.calls("chat.update") == []


async def test_parent_that_cannot_be_edited_does_not_fail_the_reply(
    fake_slack: FakeSlackApi,
) -> None:
    gone = MessageRef("slack", CHANNEL, "1790000099.000099")
    fake_slack.messages.append(
        {
            "channel": CHANNEL,
            "ts": gone.message_id,
            "thread_ts": None,
            "reply_broadcast": False,
            "text": "x",
            "blocks": [],
            "metadata": None,
        }
    )
    fake_slack.script("chat.update", SlackError("cant_update_message"))
    result = await sink_for(fake_slack).send(delivery(make_alert(AlertKind.FOLLOW_UP), parent=gone))
    assert result.extra == {"parent_update": "cant_update_message"}


async def test_retry_after_lost_response_does_not_post_twice(fake_slack: FakeSlackApi) -> None:
    fake_slack.script("chat.postMessage", LostResponse())
    sink = sink_for(fake_slack)
    first = delivery(make_alert(), key="d-lost")

    with pytest.raises(DeliveryError) as caught:
        await sink.send(first)
    assert caught.value.retryable
    assert len(fake_slack.messages) == 1  # Slack did take it

    result = await sink.send(delivery(make_alert(), key="d-lost", attempt=1))

    assert len(fake_slack.messages) == 1
    assert len(fake_slack.calls("chat.postMessage")) == 1
    [history] = fake_slack.calls("conversations.history")
    assert history.query["include_all_metadata"] in ("1", "true")
    assert result.message is not None
    assert result.message.message_id == fake_slack.messages[0]["ts"]
    assert_valid(fake_slack.requests)


async def test_retry_of_a_thread_reply_reconciles_inside_the_thread(
    fake_slack: FakeSlackApi,
) -> None:
    parent = await post_parent(fake_slack)
    fake_slack.script("chat.postMessage", LostResponse())
    sink = sink_for(fake_slack)
    follow = make_alert(AlertKind.FOLLOW_UP)
    with pytest.raises(DeliveryError):
        await sink.send(delivery(follow, key="d-thread", parent=parent))

    result = await sink.send(delivery(follow, key="d-thread", parent=parent, attempt=2))

    assert len(fake_slack.messages) == 2
    assert fake_slack.calls("conversations.replies")[0].query["ts"] == parent.message_id
    assert result.message is not None
    assert result.message.message_id == fake_slack.messages[1]["ts"]
    assert len(fake_slack.calls("chat.update")) == 1  # the parent is still brought up to date
    assert_valid(fake_slack.requests)


async def test_retry_of_a_message_never_posted_posts_it(fake_slack: FakeSlackApi) -> None:
    await sink_for(fake_slack).send(delivery(make_alert(), key="other"))
    await sink_for(fake_slack).send(delivery(make_alert(), key="d-never", attempt=3))
    assert len(fake_slack.messages) == 2
    assert fake_slack.messages[1]["metadata"]["event_payload"]["delivery"] == "d-never"
