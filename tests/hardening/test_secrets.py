"""Secrets never leak: tokens, the signing secret, a database password and feed credentials
are set to recognisable values, every one of them is made to fail, and ALL output of the real
processes is searched for them.

Failures forced: Slack and Discord refuse the tokens (the stand-ins expect others), Socket Mode
cannot connect, a feed with ``user:password@`` in its URL answers 401, the database is a
PostgreSQL URL with a password on a closed port. Output searched: the running bot's log at
debug level, ``dealradar run --once``, ``sources``, ``check-config``, ``deal sources`` (the
``/deal sources`` reply), and ``repr``/``str`` of the loaded settings.
"""

from __future__ import annotations

import socket
from pathlib import Path

from bot.config.loader import load_settings
from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import (
    Bot,
    DiscordStandIn,
    SlackStandIn,
    backlog_done,
    bot_env,
    headline,
    query,
    run_cli,
    wait_until,
    write_config,
)

SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-SECRETbot-1111",
    "SLACK_APP_TOKEN": "xapp-SECRETapp-2222",
    "SLACK_SIGNING_SECRET": "SECRETsigning3333",
    "DISCORD_TOKEN": "SECRETdiscord.4444.token",
}
DB_PASSWORD = "SECRETdbpass5555"
FEED_PASSWORD = "SECRETfeed6666"
ALL = [*SECRETS.values(), DB_PASSWORD, FEED_PASSWORD]


def leaks(text: str) -> list[str]:
    return [secret for secret in ALL if secret in text]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_no_secret_in_any_output_while_everything_fails(tmp_path: Path) -> None:
    with (
        FeedServer() as feeds,
        SlackStandIn(bot_token="xoxb-the-right-one") as slack,
        DiscordStandIn(token="the-right-discord-token") as discord,
    ):
        feeds.set_feed("/wire.xml", [{"title": "Markets open flat", "link": "https://n.example/0"}])
        feeds.set_raw("/private.xml", b"unauthorised", status=401)
        private = feeds.url("/private.xml").replace("//", f"//reader:{FEED_PASSWORD}@", 1)
        database = tmp_path / "bot.db"
        config = write_config(
            tmp_path / "bot.toml",
            database=database,
            feeds={"wire": feeds.url("/wire.xml"), "private": private},
            extra='log_level = "debug"\nadmins = ["console"]',
            routes='[[routes]]\nplatform = "slack"\nchannel = "C1"\n'
            '[[routes]]\nplatform = "discord"\nchannel = "1000000000000000001"\n',
        )
        env = bot_env(
            SLACK_API_URL=slack.url,
            DISCORD_API_URL=discord.api.api_url,
            DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{discord.api.port}/gateway",
            **SECRETS,
        )
        bot = Bot(config, env, tmp_path / "bot.log")
        bot.start()
        try:
            wait_until(lambda: backlog_done(database), 30, "the backlog poll")
            feeds.add_item("/wire.xml", headline(0))
            wait_until(
                lambda: query(database, "SELECT 1 FROM deliveries WHERE state = 'failed'"),
                30,
                "deliveries refused for the bad tokens",
            )
            wait_until(
                lambda: query(database, "SELECT 1 FROM sources WHERE consecutive_failures > 0"),
                30,
                "the private feed failing",
            )
            assert bot.alive()
            bot.stop()
        finally:
            bot.kill9()
        outputs = {"run": bot.text()}
        for args in (("sources",), ("check-config",), ("deal", "sources"), ("run", "--once")):
            done = run_cli(config, env, *args)
            outputs[" ".join(args)] = done.stdout + done.stderr
        assert "invalid_auth" in outputs["run"]  # the failures really happened …
        assert "401" in outputs["sources"] or "401" in outputs["deal sources"]
        settings = load_settings(str(config), env=env)
        outputs["repr(settings)"] = repr(settings) + str(settings)
        for name, text in outputs.items():
            assert not leaks(text), f"{name} leaks {leaks(text)}:\n{text[-2000:]}"


def test_no_database_password_in_output_when_the_database_is_unreachable(
    tmp_path: Path,
) -> None:
    url = f"postgresql://dealradar:{DB_PASSWORD}@127.0.0.1:{closed_port()}/dealradar"
    config = tmp_path / "bot.toml"
    config.write_text(
        f'database_url = "{url}"\n[[sources]]\nname = "a"\nurl = "http://127.0.0.1:9/a.xml"\n',
        encoding="utf-8",
    )
    env = bot_env(**SECRETS)
    settings = load_settings(str(config), env=env)
    assert not leaks(repr(settings) + str(settings))
    # ``run --once`` on this URL: tests/hardening/test_storage_faults.py (exit 1, no password)
    for args in (("sources",), ("check-config",), ("deal", "sources")):
        done = run_cli(config, env, *args)
        text = done.stdout + done.stderr
        assert not leaks(text), f"{args} leaks {leaks(text)}:\n{text[-2000:]}"
        if args != ("check-config",):
            assert done.returncode == 1, (args, text)
