"""The command line imports a command's module only when that command runs.

``dealradar --version`` and ``--help`` import none of the heavy libraries, nor does ``run
--once`` with nothing due import the HTTP wire, the chat SDKs, the classifier or NumPy (checked in
a fresh interpreter's ``sys.modules`` at exit); and the summaries :data:`bot.cli.COMMANDS` lists in
``--help`` are those of the commands themselves.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest

from bot.cli import COMMANDS, LazyGroup, main

HEAVY = (
    "sqlalchemy",
    "alembic",
    "aiohttp",
    "httpx",
    "feedparser",
    "pydantic",
    "slack_bolt",
    "slack_sdk",
    "discord",
    "sklearn",
    "numpy",
    "bot.classify",
    "bot.store",
)


# what the console script does, then sys.modules as the process exits
PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules))))
from bot.cli import main
main(prog_name="dealradar")
"""


def imported_modules(*args: str, cwd: Path | None = None) -> set[str]:
    """Every module a fresh ``dealradar ARGS`` process has imported when it exits."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stderr.rsplit("\nMODULES ", 1)[1]))


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"]])
def test_version_and_help_import_no_heavy_library(args: list[str]) -> None:
    modules = imported_modules(*args)
    assert "bot.cli" in modules
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY))
    assert heavy == []
    assert not any(m.startswith("bot.cli.") for m in modules)


def test_a_command_imports_its_own_module_only() -> None:
    modules = imported_modules("classify", "--help")
    assert "bot.cli.classify" in modules
    assert not {"bot.cli.run", "bot.cli.deal", "bot.cli.discord", "bot.cli.train"} & modules


async def _migrate_and_sync(config: str) -> None:
    """The schema and the configured sources, as a first start leaves them."""
    from bot.config.loader import load_settings
    from bot.runtime.app import desired_sources
    from bot.store.db import create_engine, sessionmaker, upgrade
    from bot.store.sources_repo import SourcesRepo

    settings = load_settings(config, env={})
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        await SourcesRepo(sessionmaker(engine)).sync_config(
            desired_sources(settings), datetime.now(UTC)
        )
    finally:
        await engine.dispose()


def test_a_run_with_nothing_due_imports_no_wire_chat_or_training_library(tmp_path: Path) -> None:
    config = tmp_path / "dealradar.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "bot.db"}"\n')
    asyncio.run(_migrate_and_sync(str(config)))
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        conn.execute("UPDATE sources SET next_poll_at = '2999-01-01 00:00:00.000000'")
    conn.close()
    modules = imported_modules("--config", str(config), "run", "--once", cwd=tmp_path)
    assert "bot.runtime.app" in modules
    unneeded = (
        "aiohttp",
        "feedparser",
        "numpy",
        "slack",
        "discord",
        "sklearn",
        "bot.web.server",
        "bot.classify",
    )
    assert sorted(m for m in modules if m.startswith(unneeded)) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_summary_is_the_commands_own(name: str) -> None:
    group = LazyGroup("probe", lazy=COMMANDS)
    command = group.get_command(click.Context(group), name)
    assert command is not None and command.name == name
    stand_in = click.Command(name, help=COMMANDS[name][1])
    for limit in range(10, 160):
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)
    assert not command.hidden and not command.deprecated and not command.short_help


def test_every_command_is_listed_and_loads() -> None:
    ctx = click.Context(main)
    assert main.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        assert isinstance(main.get_command(ctx, name), click.Command)
    assert main.get_command(ctx, "no-such-command") is None
