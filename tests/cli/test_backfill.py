"""``dealradar backfill COMPANY [--days N]`` and the progress bars of long CLI work.

Bad input gets one clear line and exit 2 before anything is fetched; a run against the local
GDELT and news-search stand-ins stores the past without a delivery and ``dealradar deal``
lists it. Progress bars: nothing extra when stdout/stderr are not terminals (output byte for
byte as before), a bar on stderr under a pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.cli.progress import interactive
from bot.sources import gdelt
from bot.sources.spacing import Spacer
from tests.fakes.feedserver import FeedServer
from tests.fakes.gdelt_api import GdeltStandIn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _keep_test_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command sets up the process's logging (replacing the root handlers, pytest's log
    capture among them); in-process runs here leave it as the suite has it."""
    monkeypatch.setattr("bot.cli.backfill.configure_logging", lambda ctx, settings: None)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(
        f'database_url = "sqlite:///{tmp_path / "bot.db"}"\n'
        "[fetch]\nallow_private_networks = true\nparse_workers = 0\n[http]\nenabled = false\n"
        '[[sources]]\nname = "GDELT Toyota"\nkind = "gdelt"\nquery = "Toyota"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "0 is not within 1..90"),
        (["--days", "91"], "91 is not within 1..90"),
        (["--days", "x"], "'x' is not a valid integer"),
    ],
)
def test_days_outside_the_limit_are_a_usage_error(
    config: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "backfill", "foxconn", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (config.parent / "bot.db").exists()


def test_an_unknown_company_is_a_usage_error_with_suggestions(config: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "backfill", "Foxcon"])
    assert result.exit_code == 2
    assert "no company called 'Foxcon' is known; did you mean Foxconn" in result.output
    result = CliRunner().invoke(main, ["--config", str(config), "backfill", "Qwzxv Widgets"])
    assert result.exit_code == 2
    assert "add it under [[companies]]" in result.output


def test_backfill_stores_the_past_and_deal_lists_it(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gdelt, "SPACER", Spacer(0.0))
    with GdeltStandIn("Foxconn", now=datetime.now(UTC), days=90) as standin, FeedServer() as feeds:
        feeds.set_feed("/rss/search", [])
        monkeypatch.setenv("DEALRADAR_GDELT_URL", standin.url)
        monkeypatch.setenv("DEALRADAR_NEWS_SEARCH_URL", feeds.url("/rss/search"))
        runner = CliRunner()
        result = runner.invoke(
            main, ["--config", str(config), "backfill", "hon hai", "--days", "10"]
        )
        assert result.exit_code == 0, result.output
        assert "Foxconn: 20 articles fetched, 20 new stored (not alerted)" in result.stdout
        assert len([r for r in standin.requests if "startdatetime" in r]) == 10
        again = runner.invoke(
            main, ["--config", str(config), "backfill", "foxconn", "--days", "10"]
        )
        assert "20 articles fetched, 0 new stored" in again.stdout
        listed = runner.invoke(main, ["--config", str(config), "deal", "--json", "foxconn", "90d"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["stories"]
    with sqlite3.connect(config.parent / "bot.db") as db:
        assert db.execute("SELECT count(*) FROM deliveries").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM articles WHERE alertable").fetchone() == (0,)


# progress bars -------------------------------------------------------------------------------


class Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_a_bar_needs_stdout_and_stderr_to_be_terminals() -> None:
    assert interactive(Stream(True), Stream(True))  # type: ignore[arg-type]
    assert not interactive(Stream(True), Stream(False))  # type: ignore[arg-type]
    assert not interactive(Stream(False), Stream(True))  # type: ignore[arg-type]


@pytest.fixture
def items(tmp_path: Path) -> Path:
    path = tmp_path / "items.jsonl"
    lines = [
        {"id": n, "headline": f"Nissan to close Oppama plant, cutting {n + 100} jobs"}
        for n in range(5)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["classify", "--jsonl"], ["cluster", "--jsonl"], ["eval"]])
def test_without_a_terminal_nothing_extra_is_printed(items: Path, command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, str(items)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "%" not in result.stdout and "\r" not in result.stdout


def _drain(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other side closed
            return
        if not chunk:
            return
        into.append(chunk)


def run_on_terminals(args: list[str]) -> tuple[int, str, str]:
    """Run ``dealradar ARGS`` with stdout and stderr each on its own pseudo-terminal."""
    out_master, out_slave = pty.openpty()
    err_master, err_slave = pty.openpty()
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [
        threading.Thread(target=_drain, args=(out_master, out)),
        threading.Thread(target=_drain, args=(err_master, err)),
    ]
    for reader in readers:
        reader.start()
    env = {**os.environ, "DEALRADAR_NETGUARD": "1", "COLUMNS": "100"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=subprocess.DEVNULL,
        stdout=out_slave,
        stderr=err_slave,
        cwd=ROOT,
        env=env,
    )
    os.close(out_slave)
    os.close(err_slave)
    code = process.wait(timeout=120)
    for reader in readers:
        reader.join(10)
    os.close(out_master)
    os.close(err_master)
    return code, b"".join(out).decode(), b"".join(err).decode()


def test_on_a_terminal_classify_shows_a_bar_on_stderr(items: Path) -> None:
    code, out, err = run_on_terminals(["classify", "--jsonl", str(items)])
    assert code == 0, err
    assert "classify" in err and "100%" in err
    assert out.count('"events"') == 5 and "100%" not in out
