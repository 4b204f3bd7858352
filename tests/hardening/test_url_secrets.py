"""Secrets inside URLs never reach what the bot shows (issue 19, defect 10): user-info and
secret-looking query parameters are taken out of ``check-config`` errors and output,
``dealradar sources``, ``/deal sources add`` replies and the log line of a crashed command.
The ``dealradar`` commands run as real processes; no source is ever fetched."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.classify.companies import CompanyTable
from bot.redaction import SECRET_PARAMS, redact_url
from handlers.api import Caller
from handlers.memory import MemoryStore
from handlers.runner import DealCommands
from tests.hardening.harness import bot_env, run_cli

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
