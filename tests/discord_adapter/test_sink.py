"""DiscordSink against the REST stand-in: alerts, threads, edits, nonce dedup, errors."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.discordapp.breaker import SendGuard
from bot.discordapp.rest import DiscordAPIError, DiscordRest
from bot.discordapp.sink import DiscordSink, nonce
from bot.domain import AlertKind, ChannelRef, Delivery, MessageRef, Status
from bot.errors import DeliveryError
from tests.discord_adapter.conftest import CHANNEL, make_alert, validate
from tests.fakes.clock import FakeClock
from tests.fakes.discord_api import TOKEN, FakeDiscordAPI


def delivery(message: object, key: str = "k1", parent: MessageRef | None = None) -> Delivery:
    return Delivery(
        id=1,
        key=key,
        target=ChannelRef("discord", CHANNEL),
        message=message,  # type: ignore[arg-type]
        parent=parent,
    )


async def post_new(sink: DiscordSink) -> MessageRef:
    result = await sink.send(delivery(make_alert(), key="story-42:new"))
    assert result.message is not None
    return result.message


async def test_new_alert_posts_one_embed_with_nonce(api: FakeDiscordAPI, sink: DiscordSink) -> None:
    ref = await post_new(sink)
    assert ref.platform == "discord"
    assert ref.channel == CHANNEL
    assert ref.thread_id is None
    (post,) = api.posts(CHANNEL)
    body = post.json
    assert body["nonce"] == nonce("story-42:new", "message")
    assert len(body["nonce"]) <= 25
    assert body["enforce_nonce"] is True
    assert body["allowed_mentions"] == {"parse": []}
    embed = body["embeds"][0]
    assert embed["title"] == "Carmaker to shut its northern assembly plant"
    assert embed["url"] == "https://news.example.org/carmaker-plant"
    assert [f["name"] for f in embed["fields"]] == [
        "Status",
        "Companies",
        "Plant / country",
        "Jobs",
        "Outlets",
    ]
    assert "first seen 2026-11-01 08:30 UTC" in embed["footer"]["text"]
    ids = [c.get("custom_id") for c in body["components"][0]["components"]]
    assert ids == [None, "dr:mute:42:Nissan", "dr:fb:42:1", "dr:fb:42:0"]
    assert post.headers["Authorization"] == "Bot " + TOKEN
    assert validate(api.captures()) == []


async def test_follow_up_starts_thread_once_and_edits_original(
    api: FakeDiscordAPI, sink: DiscordSink
) -> None:
    parent = await post_new(sink)
    first = await sink.send(delivery(make_alert(AlertKind.FOLLOW_UP), key="f1", parent=parent))
    assert first.message is not None
    assert first.message.thread_id == parent.message_id
    thread_posts = api.posts(parent.message_id)
    assert len(thread_posts) == 1
    again = await sink.send(
        delivery(
            make_alert(AlertKind.FOLLOW_UP, outlets=("A", "B", "C")), key="f2", parent=first.message
        )
    )
    assert again.message == first.message
    starts = [r for r in api.requests if r.path.endswith("/threads")]
    assert len(starts) == 1
    assert len(api.posts(parent.message_id)) == 2
    edited = api.messages[parent.message_id]["embeds"][0]
    assert {"name": "Outlets", "value": "3", "inline": True} in edited["fields"]
    assert len(api.posts(CHANNEL)) == 1  # follow-ups stay out of the channel
    assert validate(api.captures()) == []


async def test_lost_thread_id_recovers_from_already_created(
    api: FakeDiscordAPI, sink: DiscordSink
) -> None:
    parent = await post_new(sink)
    await sink.send(delivery(make_alert(AlertKind.FOLLOW_UP), key="f1", parent=parent))
    # the outbox never stored the thread id: the second start answers 160004
    result = await sink.send(delivery(make_alert(AlertKind.FOLLOW_UP), key="f2", parent=parent))
    assert result.message is not None
    assert result.message.thread_id == parent.message_id
    assert len(api.posts(parent.message_id)) == 2


async def test_status_change_posts_thread_edit_and_channel_line(
    api: FakeDiscordAPI, sink: DiscordSink
) -> None:
    parent = await post_new(sink)
    alert = make_alert(AlertKind.STATUS_CHANGE, status=Status.CONFIRMED)
    result = await sink.send(delivery(alert, key="s1", parent=parent))
    assert result.extra["status_posted"]
    channel_posts = api.posts(CHANNEL)
    assert len(channel_posts) == 2
    line = channel_posts[1].json
    assert line["content"].startswith("Status planned → confirmed")
    assert line["message_reference"]["message_id"] == parent.message_id
    edited = api.messages[parent.message_id]["embeds"][0]
    assert {"name": "Status", "value": "confirmed", "inline": True} in edited["fields"]
    assert len(api.posts(parent.message_id)) == 1
    assert validate(api.captures()) == []


async def test_no_thread_permission_falls_back_to_reply(
    api: FakeDiscordAPI, sink: DiscordSink
) -> None:
    api.add_channel(CHANNEL, threads=False)
    parent = await post_new(sink)
    result = await sink.send(delivery(make_alert(AlertKind.FOLLOW_UP), key="f1", parent=parent))
    assert result.message is not None
    assert result.message.thread_id is None
    reply = api.posts(CHANNEL)[1].json
    assert reply["message_reference"]["message_id"] == parent.message_id
    await sink.send(delivery(make_alert(AlertKind.FOLLOW_UP), key="f2", parent=parent))
    assert len([r for r in api.requests if r.path.endswith("/threads")]) == 1  # remembered
    assert sink.guard.blocked_channels() == {}


async def test_follow_up_without_parent_posts_full_alert(
    api: FakeDiscordAPI, sink: DiscordSink
) -> None:
    result = await sink.send(delivery(make_alert(AlertKind.FOLLOW_UP), key="f1"))
    assert result.message is not None
    assert api.posts(CHANNEL)[0].json["components"]


async def test_edit_of_deleted_original_is_reported_not_retried(
    api: FakeDiscordAPI, sink: DiscordSink
) -> None:
    parent = await post_new(sink)
    gone = MessageRef("discord", CHANNEL, parent.message_id, thread_id=parent.message_id)
    api.threads[parent.message_id] = CHANNEL
    del api.messages[parent.message_id]
    result = await sink.send(delivery(make_alert(AlertKind.FOLLOW_UP), key="f1", parent=gone))
    assert result.extra["edit_error"] == "not_found"


async def test_retry_after_lost_response_posts_exactly_once(
    api: FakeDiscordAPI, sink: DiscordSink
) -> None:
    api.fail("POST", r"/channels/\d+/messages$", mode="lost")
    with pytest.raises(DeliveryError) as lost:
        await sink.send(delivery(make_alert(), key="story-42:new"))
    assert lost.value.retryable
    result = await sink.send(delivery(make_alert(), key="story-42:new"))
    assert len(api.in_channel(CHANNEL)) == 1
    assert result.message is not None
    assert result.message.message_id == api.in_channel(CHANNEL)[0]["id"]


async def test_hang_is_a_retryable_timeout(api: FakeDiscordAPI) -> None:
    api.fail("POST", r"/messages$", mode="hang")
    sink = DiscordSink(DiscordRest(api.api_url, SecretStr(TOKEN), timeout=0.3))
    try:
        with pytest.raises(DeliveryError) as err:
            await sink.send(delivery(make_alert()))
    finally:
        await sink.close()
    assert err.value.retryable
    assert err.value.reason == "timeout"


async def test_429_carries_retry_after_and_global_holds_everything(
    api: FakeDiscordAPI, sink: DiscordSink, clock: FakeClock
) -> None:
    api.fail(
        "POST",
        r"/messages$",
        status=429,
        body={"message": "You are being rate limited.", "retry_after": 2.5, "global": False},
        headers={"Retry-After": "3"},
    )
    with pytest.raises(DeliveryError) as local:
        await sink.send(delivery(make_alert()))
    assert (local.value.retryable, local.value.retry_after, local.value.reason) == (
        True,
        2.5,
        "rate_limited",
    )

    held = DiscordSink(
        DiscordRest(api.api_url, SecretStr(TOKEN)), guard=SendGuard(clock=clock.seconds)
    )
    api.fail(
        "POST",
        r"/messages$",
        status=429,
        body={"message": "global", "retry_after": 10.0, "global": True},
    )
    with pytest.raises(DeliveryError) as glob:
        await held.send(delivery(make_alert()))
    assert glob.value.reason == "rate_limited_global"
    before = len(api.requests)
    clock.advance(seconds=4)
    with pytest.raises(DeliveryError) as waiting:
        await held.send(delivery(make_alert()))
    assert waiting.value.retryable
    assert waiting.value.retry_after == pytest.approx(6.0)
    assert len(api.requests) == before  # nothing sent during the hold
    clock.advance(seconds=7)
    await held.send(delivery(make_alert()))
    await held.close()


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_retryable(api: FakeDiscordAPI, sink: DiscordSink, status: int) -> None:
    api.fail("POST", r"/messages$", status=status)
    with pytest.raises(DeliveryError) as err:
        await sink.send(delivery(make_alert()))
    assert err.value.retryable
    assert err.value.reason == "server_error"
    await sink.send(delivery(make_alert()))  # the channel is not blocked


async def test_401_opens_the_breaker_for_every_channel(
    api: FakeDiscordAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.add_channel("1000000000000000002")
    sink = DiscordSink(DiscordRest(api.api_url, SecretStr("wrong-token-value")))
    with pytest.raises(DeliveryError) as err:
        await sink.send(delivery(make_alert()))
    assert (err.value.retryable, err.value.reason) == (False, "unauthorized")
    before = len(api.requests)
    for channel in (CHANNEL, "1000000000000000002"):
        other = Delivery(id=2, key="x", target=ChannelRef("discord", channel), message=make_alert())
        with pytest.raises(DeliveryError) as refused:
            await sink.send(other)
        assert not refused.value.retryable
    assert len(api.requests) == before
    assert "wrong-token-value" not in str(err.value) + str(refused.value) + caplog.text
    assert "unauthorized" in caplog.text.lower() or "401" in caplog.text
    await sink.close()


@pytest.mark.parametrize(
    ("setup", "reason"),
    [("forbidden", "forbidden"), ("unknown", "not_found")],
)
async def test_403_404_block_only_that_channel(
    api: FakeDiscordAPI, sink: DiscordSink, setup: str, reason: str
) -> None:
    bad = "1000000000000000009"
    if setup == "forbidden":
        api.add_channel(bad, forbidden=True)
    target = Delivery(id=3, key="b", target=ChannelRef("discord", bad), message=make_alert())
    with pytest.raises(DeliveryError) as err:
        await sink.send(target)
    assert (err.value.retryable, err.value.reason) == (False, reason)
    assert isinstance(err.value, DiscordAPIError)
    assert err.value.code in (50013, 10003)
    before = len(api.requests)
    with pytest.raises(DeliveryError, match="not sending to channel"):
        await sink.send(target)
    assert len(api.requests) == before
    await sink.send(delivery(make_alert()))  # other channels still work
    sink.guard.reset(bad)
    with pytest.raises(DeliveryError):
        await sink.send(target)
    assert len(api.requests) == before + 2


@pytest.mark.parametrize(("status", "reason"), [(413, "payload_too_large"), (400, "bad_request")])
async def test_payload_problems_are_not_retryable(
    api: FakeDiscordAPI, sink: DiscordSink, status: int, reason: str
) -> None:
    api.fail(
        "POST", r"/messages$", status=status, body={"message": "Invalid Form Body", "code": 50035}
    )
    with pytest.raises(DeliveryError) as err:
        await sink.send(delivery(make_alert()))
    assert (err.value.retryable, err.value.reason) == (False, reason)
    assert sink.guard.blocked_channels() == {}


async def test_bad_channel_id_is_refused_locally(api: FakeDiscordAPI, sink: DiscordSink) -> None:
    bad = Delivery(id=4, key="c", target=ChannelRef("discord", "#general"), message=make_alert())
    with pytest.raises(DeliveryError) as err:
        await sink.send(bad)
    assert err.value.reason == "bad_channel"
    assert api.requests == []


async def test_empty_bucket_is_waited_out_locally(api: FakeDiscordAPI, clock: FakeClock) -> None:
    rest = DiscordRest(api.api_url, SecretStr(TOKEN), clock=clock.seconds)
    sink = DiscordSink(rest)
    api.response_headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "2.5"}
    await sink.send(delivery(make_alert(), key="a"))
    before = len(api.requests)
    with pytest.raises(DeliveryError) as err:
        await sink.send(delivery(make_alert(), key="b"))
    assert (err.value.retryable, err.value.reason) == (True, "rate_limited")
    assert err.value.retry_after == pytest.approx(2.5)
    assert len(api.requests) == before  # no request, so no 429 collected
    api.response_headers = {}
    clock.advance(seconds=3)
    await sink.send(delivery(make_alert(), key="b"))
    assert len(api.posts(CHANNEL)) == 2
    await sink.close()
