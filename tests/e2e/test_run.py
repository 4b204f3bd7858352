"""End to end: the real ``dealradar`` process against a local feed server, SQLite and the console.

Each test starts the command as a subprocess (with the loopback-only network guard), publishes
items on the local feed server and reads the console alerts from its stdout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.feedserver import FeedServer

CLOSURE = {
    "title": "Acme Motors to close its Springfield assembly plant, cutting 1,200 jobs",
    "link": "https://news.example/acme-springfield-closure",
    "guid": "acme-1",
    "description": "Acme Motors said it will shut the Springfield assembly plant next year.",
}
BACKLOG = {
    "title": "Globex to shut its Riverside smelter, 800 jobs at risk",
    "link": "https://news.example/globex-riverside",
    "guid": "globex-1",
    "description": "Globex will close the Riverside smelter.",
}
NOISE = {
    "title": "Quarterly earnings beat expectations at Initech",
    "link": "https://news.example/initech-earnings",
    "guid": "initech-1",
}


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def write_config(tmp_path: Path, feed_url: str) -> Path:
    config = tmp_path / "dealradar.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "bot.db"}"\n'
        'poll_interval = "1s"\n'
        'group_wait = "1s"\n'
        "[fetch]\nallow_private_networks = true\n"
        "[http]\nport = 0\n"
        '[delivery]\nper_channel_interval = "1ms"\n'
        f'[[sources]]\nname = "local"\nurl = "{feed_url}"\ninterval = "1s"\n',
        encoding="utf-8",
    )
    return config


def command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--config", str(config), *args]


def env() -> dict[str, str]:
    return {**os.environ, "DEALRADAR_NETGUARD": "1", "PYTHONUNBUFFERED": "1"}


def alerts_in(text: str) -> int:
    return text.count("■ PLANT CLOSURE") + text.count("■ PARTNERSHIP")


def test_run_once_stores_backlog_then_alerts_once(tmp_path: Path, feeds: FeedServer) -> None:
    feeds.set_feed("/news.xml", [BACKLOG, NOISE])
    config = write_config(tmp_path, feeds.url("/news.xml"))

    first = subprocess.run(
        command(config, "run", "--once"), env=env(), capture_output=True, text=True, timeout=60
    )
    assert first.returncode == 0, first.stderr
    assert alerts_in(first.stdout) == 0  # a new source's backlog is stored, not alerted

    feeds.set_feed("/news.xml", [CLOSURE, BACKLOG, NOISE])
    second = subprocess.run(
        command(config, "run", "--once"), env=env(), capture_output=True, text=True, timeout=60
    )
    assert second.returncode == 0, second.stderr
    assert alerts_in(second.stdout) == 1, second.stdout
    assert "Springfield" in second.stdout
    assert "1200" in second.stdout or "1,200" in second.stdout

    third = subprocess.run(
        command(config, "run", "--once"), env=env(), capture_output=True, text=True, timeout=60
    )
    assert third.returncode == 0
    assert alerts_in(third.stdout) == 0

    found = subprocess.run(
        command(config, "deal", "acme"), env=env(), capture_output=True, text=True, timeout=60
    )
    assert found.returncode == 0, found.stderr
    assert "Springfield" in found.stdout


class Reader:
    """Collects a stream's lines in a thread so the test can wait for text with a deadline."""

    def __init__(self, stream: object) -> None:
        self.text = ""
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        try:
            for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
                with self._lock:
                    self.text += line
        except ValueError:  # closed by stop()
            return

    def wait_for(self, needle: str, count: int = 1, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.text.count(needle) >= count:
                    return
            time.sleep(0.05)
        raise AssertionError(
            f"{needle!r} did not appear {count}x within {timeout}s:\n{self.text[-3000:]}"
        )


def start(config: Path) -> tuple[subprocess.Popen[str], Reader, Reader]:
    proc = subprocess.Popen(
        command(config, "run"), env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return proc, Reader(proc.stdout), Reader(proc.stderr)


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=30)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    return code


def test_long_running_bot_alerts_once_and_not_again_after_restart(
    tmp_path: Path, feeds: FeedServer
) -> None:
    feeds.set_feed("/news.xml", [BACKLOG])
    config = write_config(tmp_path, feeds.url("/news.xml"))

    proc, out, err = start(config)
    try:
        err.wait_for("poll cycle")  # backlog stored
        feeds.set_feed("/news.xml", [CLOSURE, BACKLOG])
        out.wait_for("■ PLANT CLOSURE")
        polls = err.text.count("poll cycle")
        err.wait_for("poll cycle", count=polls + 3)  # several more cycles: still one alert
        assert alerts_in(out.text) == 1, out.text
    finally:
        assert stop(proc) == 0
    assert "shutting down" in err.text

    proc, out, err = start(config)
    try:
        err.wait_for("poll cycle", count=3)
        assert alerts_in(out.text) == 0, out.text
    finally:
        assert stop(proc) == 0
