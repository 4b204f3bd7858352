"""Secrets inside URLs never reach what the bot shows (issue 19, defect 10): user-info and
secret-looking query parameters are taken out of ``check-config`` errors and output,
``dealradar sources``, ``/deal sources add`` replies and the log line of a crashed command.
The ``dealradar`` commands run as real processes; only the Basic-auth feed is ever fetched, from
a local server."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.classify.companies import CompanyTable
from bot.redaction import SECRET_PARAMS, redact_url
from handlers.api import Caller
from handlers.memory import MemoryStore
from handlers.runner import DealCommands
from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import bot_env, run_cli, write_config

PASSWORD = "FtpPassw0rd"
TOKEN = "Tok3nValue"


@pytest.mark.parametrize("name", [*SECRET_PARAMS, "API_KEY", "Token"])
def test_secret_query_values_and_user_info_are_masked(name: str) -> None:
    url = f"https://u:{PASSWORD}@feeds.example/rss?q=nissan&{name}={TOKEN}#top"
    shown = redact_url(url)
    assert PASSWORD not in shown and TOKEN not in shown
    assert shown == f"https://feeds.example/rss?q=nissan&{name}=***#top"


def test_free_text_and_broken_urls_are_redacted_and_ordinary_parameters_kept() -> None:
    text = f"GET http://u:{PASSWORD}@[x failed; see https://h.example/?apikey={TOKEN}&keyword=a"
    shown = redact_url(text)
    assert PASSWORD not in shown and TOKEN not in shown
    assert "keyword=a" in shown
    assert (
        redact_url("https://h.example/?monkey=1&q=token") == "https://h.example/?monkey=1&q=token"
    )


def _config(tmp: Path, url: str) -> Path:
    path = tmp / "bot.toml"
    path.write_text(
        f'database_url = "sqlite:///{tmp / "bot.db"}"\nadmins = ["console:console"]\n'
        f'[[sources]]\nname = "feed"\nurl = "{url}"\n',
        encoding="utf-8",
    )
    return path


def test_check_config_and_sources_never_show_url_secrets(tmp_path: Path) -> None:
    env = bot_env()
    bad = run_cli(
        _config(tmp_path, f"ftp://u:{PASSWORD}@h.example/x?token={TOKEN}"), env, "check-config"
    )
    assert bad.returncode == 2
    assert "is not an http(s) URL" in bad.stderr + bad.stdout
    good = _config(tmp_path, f"https://u:{PASSWORD}@h.example/x?apikey={TOKEN}&q=1")
    shown = [run_cli(good, env, "check-config"), run_cli(good, env, "sources")]
    added = run_cli(
        good, env, "deal", "sources", "add", f"ftp://u:{PASSWORD}@h.example/?key={TOKEN}"
    )
    for result in [bad, *shown, added]:
        output = result.stdout + result.stderr
        assert PASSWORD not in output and TOKEN not in output, output
    assert "apikey=***" in shown[0].stdout and "apikey=***" in shown[1].stdout
    assert added.returncode == 2 and "key=***" in added.stderr


async def test_sources_add_with_a_broken_url_is_a_usage_reply_and_nothing_leaks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``http://u:pw@[x`` made urlsplit raise: "Something went wrong" and a log line with the
    command as typed. It is a usage reply now (issue 19, defect 11)."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    runner = DealCommands(MemoryStore(), CompanyTable.default(), lambda: now)
    admin = Caller("slack", "C1", "U1", is_admin=True)
    caplog.set_level(logging.DEBUG)
    reply = await runner.run(f"sources add http://u:{PASSWORD}@[x", admin)
    assert reply.error
    assert "is not an http(s) URL; /deal sources add <url> [name]" in reply.title
    assert PASSWORD not in reply.title + caplog.text


def test_basic_auth_feed_is_polled_and_its_password_never_shown(tmp_path: Path) -> None:
    """``https://user:pw@host/feed.xml`` got 401: the credentials were never sent. They are
    sent now (issue 19, defect 11), and stay out of the debug log and ``dealradar sources``."""
    password = "Feed:Passw0rd@x"
    encoded = quote(password, safe="")
    sent = base64.b64encode(f"reader:{password}".encode()).decode()
    with FeedServer() as feeds:
        feeds.set_feed("/locked.xml", [{"title": "Plant to close", "link": "https://n.example/1"}])
        feeds.require_basic_auth("/locked.xml", "reader", password)
        url = feeds.url("/locked.xml").replace("http://", f"http://reader:{encoded}@")
        config = write_config(
            tmp_path / "bot.toml",
            database=tmp_path / "bot.db",
            feeds={"locked": url},
            routes='[[routes]]\nplatform = "console"\n',
        )
        env = bot_env()
        polled = run_cli(config, env, "-v", "run", "--once")
        listed = run_cli(config, env, "sources")
        assert feeds.last_headers("/locked.xml")["authorization"] == f"Basic {sent}"
    assert polled.returncode == 0, polled.stderr[-3000:]
    assert "locked  [rss] ok" in listed.stdout, listed.stdout
    assert "last success  never" not in listed.stdout and "last error" not in listed.stdout
    assert f"http://127.0.0.1:{feeds.port}/locked.xml" in listed.stdout
    for output in (polled.stdout + polled.stderr, listed.stdout + listed.stderr):
        for secret in (password, encoded, sent, "Passw0rd"):
            assert secret not in output, output[-3000:]
