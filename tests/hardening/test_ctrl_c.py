"""Ctrl-C in a terminal: the terminal sends SIGINT to the whole foreground process group, the
bot and its parse workers alike. The bot stops cleanly (exit 0) and nothing prints a traceback:
the workers ignore SIGINT and the bot shuts them down."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import Bot, bot_env, wait_until, write_config

WORKERS = 2


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def workers_of(pid: int) -> list[psutil.Process]:
    """The bot's parse workers: the children of its forkserver."""
    try:
        processes = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    servers = [p for p in processes if "forkserver" in " ".join(_cmdline(p))]
    return [child for server in servers for child in _children(server)]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return list(process.cmdline())
    except psutil.Error:
        return []


def _children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return list(process.children())
    except psutil.Error:
        return []


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs process groups")
def test_ctrl_c_stops_the_bot_and_its_workers_without_a_traceback(
    tmp_path: Path, feeds: FeedServer
) -> None:
    config = write_config(
        tmp_path / "bot.toml", database=tmp_path / "bot.db", feeds={"wire": feeds.url("/wire.xml")}
    )
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[fetch]\n", f"[fetch]\nparse_workers = {WORKERS}\n"
        ),
        encoding="utf-8",
    )
    bot = Bot(config, bot_env(), tmp_path / "bot.log")
    bot.start(preexec_fn=os.setpgrp)  # its own process group, as a shell job gets
    assert bot.proc is not None
    group = bot.proc.pid
    try:
        wait_until(lambda: "dealradar running" in bot.current(), 60, "the bot to run")
        workers = wait_until(
            lambda: found if len(found := workers_of(group)) >= WORKERS else [],
            60,
            "the parse workers to start",
        )
        os.killpg(group, signal.SIGINT)  # what the terminal does on Ctrl-C
        code = bot.proc.wait(60)
        gone, alive = psutil.wait_procs(workers, timeout=30)
    finally:
        bot.kill9()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)  # nothing of it left running if the test failed
    text = bot.text()
    assert code == 0, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
    assert "KeyboardInterrupt" not in text, text[-3000:]
    assert "shutting down" in text
    assert not alive, "parse workers outlived the bot"
    assert len(gone) == len(workers)
