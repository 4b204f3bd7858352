"""``dealradar deal …`` against a seeded SQLite file, through the real click group."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.domain import EventType, Status
from bot.store.db import create_engine, sessionmaker, upgrade
from tests.handlers.conftest import make_story, sql_add_story


@pytest.fixture
def config(tmp_path: Path) -> Path:
    # the CLI reads the wall clock, so stories are seeded relative to it (hours old)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    asyncio.run(_seed_now(url, datetime.now(UTC)))
    path = tmp_path / "dealradar.toml"
    path.write_text(f'database_url = "{url}"\nadmins = ["someone"]\n', encoding="utf-8")
    return path


async def _seed_now(url: str, now: datetime) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        sessions = sessionmaker(engine)
        await sql_add_story(sessions, make_story(1, ("Nissan", "Foxconn"), age_days=0.5, now=now))
        await sql_add_story(
            sessions,
            make_story(
                2,
                ("Nissan",),
                age_days=0.25,
                event_type=EventType.PLANT_CLOSURE,
                status=Status.CONFIRMED,
                jobs=900,
                now=now,
            ),
        )
    finally:
        await engine.dispose()


def test_deal_nissan_prints_stories_newest_first(config: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "deal", "nissan"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Nissan: 2 stories in the last 30 days"
    assert "plant closure · confirmed · Nissan · 900 jobs · 1 outlet" in lines[1]
    assert "partnership · talks · Nissan, Foxconn" in lines[4]


def test_deal_alias_watch_and_list_persist(config: Path) -> None:
    runner = CliRunner()
    alias = runner.invoke(main, ["--config", str(config), "deal", "hon", "hai", "7d"])
    assert alias.exit_code == 0 and alias.output.startswith("Foxconn: 1 story")
    watch = runner.invoke(main, ["--config", str(config), "deal", "watch", "nissan"])
    assert watch.exit_code == 0, watch.output
    listing = runner.invoke(main, ["--config", str(config), "deal", "list"])
    assert "watching Nissan: closures and partnerships" in listing.output


def test_usage_error_exits_2_with_one_line(config: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "deal", "mute", "nissan"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "Say what to mute" in result.output


def test_options_looking_words_are_passed_through(config: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "deal", "-x", "--drop"])
    assert result.exit_code == 0, result.output
    assert "No -x --drop stories" in result.output


def test_bad_config_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("database_url = 'mysql://nope'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(bad), "deal", "nissan"])
    assert result.exit_code == 1
    assert "database_url" in result.output
