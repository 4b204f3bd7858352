"""What the hardening tests share: the real ``dealradar`` process, a Slack stand-in that
outlives it, a config writer, headlines the classifier recognises and read-only peeks into the
bot's SQLite file.

The bot runs as ``python -m bot`` with the loopback-only network guard; its output goes to a
file (not a pipe) so that ``kill -9`` never leaves a reader thread behind.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

_FIRST = ["Var", "Quel", "Torm", "Bel", "Cas", "Dun", "Orv", "Pell", "Zan", "Kir", "Mor", "Ful"]
_LAST = ["ex", "ora", "ant", "ello", "ix", "ura", "ond", "ima", "esk", "ova", "ulo", "arn"]
_TOWN_A = ["Ash", "Brook", "Carl", "Dent", "Elm", "Fair", "Glen", "Harl", "Ivy", "Jasp", "Kent"]
_TOWN_B = ["ford", "ton", "field", "wick", "dale", "port", "mouth", "bury", "stead", "ham"]
_PLANTS = ["assembly plant", "engine factory", "paper mill", "battery works", "steel mill"]


def headline(n: int) -> dict[str, str]:
    """Item ``n`` of a run (n < 110): a plant closure or partnership by made-up companies in
    a town of its own, so each item is its own story. Checked with ``dealradar classify``."""
    a = _FIRST[n % 12] + _LAST[(n // 12) % 12]
    b = _FIRST[(n + 5) % 12] + _LAST[(n // 12 + 7) % 12] + "ix"
    town = _TOWN_A[n % 11] + _TOWN_B[(n // 11) % 10]
    if n % 3 == 2:
        title = f"{a} Systems and {b} Labs sign partnership to build battery cells in {town}"
    else:
        title = f"{a} Motors to close its {town} {_PLANTS[n % 5]}, cutting {200 + 7 * n} jobs"
    return {"title": title, "link": f"https://news.example/item-{n}", "guid": f"item-{n}"}


class SlackStandIn:
    """:class:`FakeSlackApi` in its own thread and loop, so it outlives killed bots; the
    answer to ``chat.postMessage`` is held back ``post_delay`` seconds after the message is
    stored, which widens the window in which a kill loses the answer."""

    def __init__(self, *, bot_token: str = "xoxb-test", post_delay: float = 0.0) -> None:  # noqa: S107
        delay = {"chat.postMessage": post_delay} if post_delay else {}
        self.api = FakeSlackApi(bot_token=bot_token, answer_delay=delay)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> SlackStandIn:
        self._thread.start()
        self.call(self.api.start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.call(self.api.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def call(self, coro: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(30)

    @property
    def url(self) -> str:
        return self.api.api_url

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        return [
            m for m in list(self.api.messages) if m["channel"] == channel and not m["thread_ts"]
        ]

    def delivery_keys(self, channel: str) -> Counter[str]:
        """How many top-level messages carry each delivery key (metadata)."""
        keys: Counter[str] = Counter()
        for message in self.top_level(channel):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            keys[str(payload.get("delivery"))] += 1
        return keys


def write_config(
    path: Path,
    *,
    database: Path,
    feeds: Mapping[str, str],
    extra: str = "",
    routes: str = '[[routes]]\nplatform = "slack"\nchannel = "C1"\n',
    private: bool = True,
) -> Path:
    """A fast config: 1 s polls, 1 s group wait, no pacing, an HTTP server on a free port."""
    text = (
        f'database_url = "sqlite:///{database}"\n'
        'poll_interval = "1s"\ngroup_wait = "1s"\n' + extra + "\n"
        f"[fetch]\nallow_private_networks = {'true' if private else 'false'}\n"
        'timeout = "5s"\n'
        "[http]\nport = 0\n"
        '[delivery]\nper_channel_interval = "1ms"\nflood_threshold = 1000\n'
    )
    for name, url in feeds.items():
        text += f'[[sources]]\nname = "{name}"\nurl = "{url}"\ninterval = "1s"\n'
    path.write_text(text + routes, encoding="utf-8")
    return path


def bot_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DISCORD_", "DEALRADAR_"))
    }
    env.update(DEALRADAR_NETGUARD="1", PYTHONUNBUFFERED="1", **extra)
    return env


def command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--config", str(config), *args]


class Bot:
    """One ``dealradar run`` process; output appended to ``log``."""

    def __init__(self, config: Path, env: Mapping[str, str], log: Path) -> None:
        self._config = config
        self._env = dict(env)
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.mark = 0

    def start(self, preexec_fn: Callable[[], object] | None = None) -> Bot:
        """``preexec_fn`` runs in the child before ``exec`` (say, to lower a resource limit)."""
        self.mark = len(self.text())  # where this process's output begins
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                command(self._config, "run"),
                env=self._env,
                stdout=out,
                stderr=out,
                cwd=ROOT,
                preexec_fn=preexec_fn,
            )
        return self

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> int:
        """SIGINT and wait: the bot's exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(30)
        self.proc = None
        return code

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def current(self) -> str:
        """Output of the process started last."""
        return self.text()[self.mark :]

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def run_cli(config: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(config, *args), env=dict(env), capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def wait_until(check: Callable[[], T], timeout: float, what: str, poll: float = 0.1) -> T:
    """Poll ``check`` until it returns something truthy (bounded); raises AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(poll)


def query(database: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """A read-only query on the bot's SQLite file (empty when it does not exist yet)."""
    if not database.exists():
        return []
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as conn:
            return list(conn.execute(sql, params).fetchall())
    except sqlite3.OperationalError:  # schema not created yet
        return []


def backlog_done(database: Path) -> bool:
    rows = query(database, "SELECT count(*) FROM sources WHERE backlog_done = 1 AND enabled = 1")
    return bool(rows and rows[0][0] >= 1)


def rng(seed: int | None = None) -> random.Random:
    return random.Random(seed if seed is not None else int(os.environ.get("HARDENING_SEED", "8")))


def http_port(bot: Bot, timeout: float = 30) -> int:
    """The port the bot's HTTP server bound (read from its log)."""
    import re

    def found() -> int:
        match = re.search(r'msg="http server listening".*port=(\d+)', bot.text())
        return int(match.group(1)) if match else 0  # 0: not yet (a bound port is never 0)

    return wait_until(found, timeout, "the bot's HTTP server")


class DiscordStandIn:
    """:class:`FakeDiscordAPI` in its own thread and loop (outlives the bot processes)."""

    def __init__(self, token: str | None = None) -> None:
        from tests.fakes.discord_api import FakeDiscordAPI

        self.api = FakeDiscordAPI()
        if token is not None:
            self.api.token = token
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> DiscordStandIn:
        self._thread.start()
        self._call(self.api.start())
        return self

    def __exit__(self, *exc: object) -> None:
        self._call(self.api.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)
