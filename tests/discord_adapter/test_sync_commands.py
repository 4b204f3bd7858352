"""``dealradar discord sync-commands`` against the REST stand-in."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config.settings import DiscordSettings
from bot.discordapp.commandtext import BUILDERS
from bot.discordapp.rest import DiscordAPIError
from bot.discordapp.sync import payloads, sync_commands
from bot.errors import ConfigError
from tests.discord_adapter.conftest import validate
from tests.fakes.discord_api import APP_ID, TOKEN, FakeDiscordAPI

ROOT = Path(__file__).resolve().parents[2]


def test_every_subcommand_is_registered_and_handled() -> None:
    (deal,) = payloads()
    assert deal["name"] == "deal"
    assert {o["name"] for o in deal["options"]} == set(BUILDERS)
    company = next(o for o in deal["options"] if o["name"] == "company")
    assert company["options"][0] == {
        "type": 3,
        "name": "company",
        "description": "Company name",
        "required": True,
        "autocomplete": True,
        "min_length": 1,
        "max_length": 100,
    }
    assert company["options"][1]["min_value"] == 1
    assert company["options"][1]["max_value"] == 365


async def test_sync_global_then_guild(api: FakeDiscordAPI) -> None:
    settings = DiscordSettings(token=SecretStr(TOKEN), api_url=api.api_url)
    done = await sync_commands(settings)
    assert [c["name"] for c in done] == ["deal"]
    assert [c["name"] for c in api.commands["global"]] == ["deal"]
    assert any(r.path == "/applications/@me" for r in api.requests)  # no application id configured
    with_id = DiscordSettings(token=SecretStr(TOKEN), api_url=api.api_url, application_id=APP_ID)
    await sync_commands(with_id, "1200000000000000001")
    assert "1200000000000000001" in api.commands
    puts = [r for r in api.requests if r.method == "PUT"]
    assert puts[1].path == f"/applications/{APP_ID}/guilds/1200000000000000001/commands"
    assert validate([r.capture() for r in puts]) == []


async def test_sync_errors_are_clear(api: FakeDiscordAPI) -> None:
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        await sync_commands(DiscordSettings(api_url=api.api_url))
    with pytest.raises(ConfigError, match="--guild"):
        await sync_commands(DiscordSettings(token=SecretStr(TOKEN), api_url=api.api_url), "general")
    with pytest.raises(DiscordAPIError) as err:
        await sync_commands(DiscordSettings(token=SecretStr("revoked-token"), api_url=api.api_url))
    assert err.value.reason == "unauthorized"
    assert "revoked-token" not in str(err.value)


async def test_cli_sync_commands(api: FakeDiscordAPI, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_URL": api.api_url,
        "DISCORD_APPLICATION_ID": APP_ID,
        "DEALRADAR_CONFIG": "",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        "discord",
        "sync-commands",
        "--guild",
        "1200000000000000001",
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert out.decode().strip() == "registered 1 command(s) in guild 1200000000000000001: deal"
    assert TOKEN not in out.decode() + err.decode()
    assert api.commands["1200000000000000001"][0]["name"] == "deal"
