"""The discord.py command tree, fed realistic INTERACTION_CREATE payloads.

The client logs in against the REST stand-in (``DISCORD_API_URL`` → ``Route.BASE``) and each
payload goes through discord.py's own gateway dispatch (``parse_interaction_create``), so the
typed options, autocomplete and responses are discord.py's, answered over the stand-in.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket
from pydantic import SecretStr

from bot.config.settings import DiscordSettings
from bot.discordapp.client import DealradarClient, DiscordGateway, configure_endpoints
from tests.discord_adapter.conftest import FakeFeedback, FakeRunner, validate
from tests.fakes.discord_api import APP_ID, TOKEN, FakeDiscordAPI

USER = {
    "id": "1400000000000000001",
    "username": "ana",
    "discriminator": "0",
    "avatar": None,
    "global_name": "Ana",
}


def interaction(kind: int, data: dict[str, Any], *, iid: str, perms: str = "0") -> dict[str, Any]:
    return {
        "id": iid,
        "application_id": APP_ID,
        "type": kind,
        "token": "gateway-interaction-token",
        "version": 1,
        "guild_id": "1200000000000000001",
        "channel_id": "1000000000000000001",
        "channel": {
            "id": "1000000000000000001",
            "type": 0,
            "guild_id": "1200000000000000001",
            "name": "deals",
            "position": 3,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
            "permissions": "2248473465835073",
        },
        "member": {
            "user": USER,
            "roles": [],
            "joined_at": "2025-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "permissions": perms,
        },
        "app_permissions": "2248473465835073",
        "locale": "en-GB",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": "1200000000000000001"},
        "context": 0,
        "attachment_size_limit": 10485760,
        "data": data,
    }


def slash(sub: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "1500000000000000001",
        "name": "deal",
        "type": 1,
        "options": [{"type": 1, "name": sub, "options": options}],
    }


@pytest.fixture
async def client(
    api: FakeDiscordAPI,
) -> AsyncIterator[tuple[DealradarClient, FakeRunner, FakeFeedback]]:
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    configure_endpoints(api.api_url, f"ws://127.0.0.1:{api.port}/gateway")
    runner, feedback = FakeRunner(), FakeFeedback()
    bot = DealradarClient(
        runner, feedback=feedback, admins=["1400000000000000099"], defer_after=0.5
    )
    try:
        await bot.login(TOKEN)
        yield bot, runner, feedback
    finally:
        await bot.close()
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


async def callback(api: FakeDiscordAPI, iid: str) -> dict[str, Any]:
    req = await asyncio.wait_for(api.wait_for("POST", rf"^/interactions/{iid}/.*/callback$"), 5)
    return dict(req.json)


def test_configure_endpoints_points_discord_py_at_the_overrides() -> None:
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    try:
        configure_endpoints("http://127.0.0.1:9/api/v10/", "ws://127.0.0.1:9/gw")
        assert (
            discord.http.Route("GET", "/gateway/bot").url
            == "http://127.0.0.1:9/api/v10/gateway/bot"
        )
        assert str(DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:9/gw"
    finally:
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


async def test_login_goes_to_the_stand_in(api: FakeDiscordAPI, client: Any) -> None:
    bot, _, _ = client
    assert bot.application_id == int(APP_ID)
    assert any(r.path == "/users/@me" for r in api.requests)
    assert bot.intents.value == discord.Intents(guilds=True).value
    assert not (bot.intents.members or bot.intents.presences or bot.intents.message_content)


async def test_deal_nissan_over_the_gateway(api: FakeDiscordAPI, client: Any) -> None:
    bot, runner, _ = client
    data = slash(
        "company",
        [
            {"type": 3, "name": "company", "value": "nissan"},
            {"type": 4, "name": "days", "value": 14},
        ],
    )
    bot._connection.parse_interaction_create(interaction(2, data, iid="1600000000000000001"))
    body = await callback(api, "1600000000000000001")
    assert body["type"] == 4
    assert body["data"]["flags"] & 64
    assert body["data"]["allowed_mentions"] == {"parse": []}
    assert body["data"]["content"] == "1 story about Nissan"
    assert body["data"]["embeds"][0]["title"] == "Carmaker to shut its northern assembly plant"
    ((text, caller),) = runner.calls
    assert text == "nissan 14d"
    assert (caller.channel, caller.user, caller.is_admin) == (
        "1000000000000000001",
        USER["id"],
        False,
    )
    captures = [r.capture() for r in api.requests if r.path.endswith("/callback")]
    assert validate(captures) == []


async def test_manage_guild_makes_an_admin(api: FakeDiscordAPI, client: Any) -> None:
    bot, runner, _ = client
    bot._connection.parse_interaction_create(
        interaction(2, slash("sources", []), iid="1600000000000000002", perms=str(1 << 5))
    )
    await callback(api, "1600000000000000002")
    assert runner.calls[0][0] == "sources"
    assert runner.calls[0][1].is_admin


async def test_company_autocomplete(api: FakeDiscordAPI, client: Any) -> None:
    bot, _, _ = client
    data = slash("watch", [{"type": 3, "name": "company", "value": "n", "focused": True}])
    bot._connection.parse_interaction_create(interaction(4, data, iid="1600000000000000003"))
    body = await callback(api, "1600000000000000003")
    assert body == {
        "type": 8,
        "data": {
            "choices": [{"name": "Nissan", "value": "Nissan"}, {"name": "Nokia", "value": "Nokia"}]
        },
    }


async def test_slow_command_defers_then_follows_up(api: FakeDiscordAPI, client: Any) -> None:
    bot, runner, _ = client
    runner.delay_event = asyncio.Event()
    bot._connection.parse_interaction_create(
        interaction(2, slash("list", []), iid="1600000000000000004")
    )
    body = await callback(api, "1600000000000000004")
    assert body == {"type": 5, "data": {"flags": 64}}
    runner.delay_event.set()
    follow = await asyncio.wait_for(
        api.wait_for("POST", rf"^/webhooks/{APP_ID}/gateway-interaction-token$"), 5
    )
    assert follow.json["content"] == "ran: list"
    assert follow.json["allowed_mentions"] == {"parse": []}


async def test_mute_button_over_the_gateway(api: FakeDiscordAPI, client: Any) -> None:
    bot, runner, feedback = client
    click = {"custom_id": "dr:mute:42:Nissan", "component_type": 2}
    bot._connection.parse_interaction_create(interaction(3, click, iid="1600000000000000005"))
    await callback(api, "1600000000000000005")
    assert runner.calls[0][0] == "mute Nissan 7d"
    vote = {"custom_id": "dr:fb:42:0", "component_type": 2}
    bot._connection.parse_interaction_create(interaction(3, vote, iid="1600000000000000006"))
    await callback(api, "1600000000000000006")
    assert feedback.votes == [(42, USER["id"], False)]


async def test_gateway_start_stop_against_the_stand_in(api: FakeDiscordAPI) -> None:
    """DISCORD_API_URL and DISCORD_GATEWAY_URL carry the whole client to the stand-in."""
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    settings = DiscordSettings(
        token=SecretStr(TOKEN),
        api_url=api.api_url,
        gateway_url=f"ws://127.0.0.1:{api.port}/gateway",
    )
    runner = FakeRunner()
    holder = DiscordGateway(settings, runner)
    try:
        await holder.start()
        await asyncio.wait_for(api.identified.wait(), 10)
        assert api.identify is not None
        assert api.identify["intents"] == discord.Intents(guilds=True).value
        data = slash("company", [{"type": 3, "name": "company", "value": "nissan"}])
        await api.dispatch("INTERACTION_CREATE", interaction(2, data, iid="1600000000000000009"))
        body = await callback(api, "1600000000000000009")
        assert body["data"]["content"] == "1 story about Nissan"
        assert runner.calls[0][0] == "nissan"
    finally:
        await holder.stop()
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway
