"""SQLite writers wait their turn: chat commands that write (watch, mute, quiet, digest) while
the poller and another process hold write transactions on the same file all succeed.

The database is a real SQLite file; the poller is stood in for by a task writing through the
same writer sessions the ingest uses, and a second ``sqlite3`` process (a second ``dealradar``
on the same file, or ``dealradar deal`` from a terminal) takes the write lock over and over.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from bot.config.loader import load_settings
from bot.runtime.wiring import build_commands
from bot.store.db import create_engine, upgrade, writer_sessions
from bot.store.models import SourceRow
from bot.store.sources_repo import DesiredSource, SourcesRepo
from handlers.api import Caller

# A second process on the same file: write transactions back to back, each holding the lock
# for 20 ms (the work of an ingest batch) with 5 ms between them, until its stdin closes.
OTHER_PROCESS = r"""
import sqlite3, sys, threading
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("PRAGMA busy_timeout=30000")
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
print("writing", flush=True)
commits = 0
while not stop.is_set():
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE sources SET consecutive_failures = consecutive_failures + 1")
    stop.wait(0.02)
    conn.execute("COMMIT")
    commits += 1
    stop.wait(0.005)  # between batches: fetching, parsing
print(commits, flush=True)
"""

COMMANDS = (
    "watch nissan",
    "mute toyota 7d",
    "quiet 22:00-07:00",
    "watch foxconn closures",
    "digest daily 08:30",
    "mute honda 1d",
    "watch everything",
)


async def test_command_writes_wait_their_turn_while_the_poller_and_another_process_write(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.db"
    config = tmp_path / "bot.toml"
    # the command rate limits are not under test here: 240 commands from one member at once
    config.write_text(
        f'database_url = "sqlite:///{database}"\n'
        "[limits]\nuser_commands_per_minute = 1000\nchannel_commands_per_minute = 1000\n",
        encoding="utf-8",
    )
    settings = load_settings(str(config), env={})
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    now = datetime.now(UTC)
    await SourcesRepo(writer_sessions(engine)).sync_config(
        [DesiredSource("wire", "rss", "http://127.0.0.1:9/wire.xml", None, 60.0)], now
    )
    commands = build_commands(settings, engine)
    stop = asyncio.Event()
    poller_commits = 0

    async def poller_like_writer() -> None:
        nonlocal poller_commits
        writers = writer_sessions(engine)
        while not stop.is_set():
            async with writers.begin() as session:
                await session.execute(update(SourceRow).values(last_polled_at=datetime.now(UTC)))
                await asyncio.sleep(0.01)  # the rest of the ingest, lock held
            poller_commits += 1

    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "writing"
        poller = asyncio.create_task(poller_like_writer())
        replies = await asyncio.gather(
            *(
                commands.run(COMMANDS[n % len(COMMANDS)], Caller("slack", f"C{n % 12}", "U1"))
                for n in range(240)
            )
        )
        stop.set()
        await poller
    finally:
        out, _ = other.communicate("", timeout=30)
        await engine.dispose()
    failed = [reply.title for reply in replies if reply.error]
    assert failed == [], f"{len(failed)} of {len(replies)} failed, e.g. {failed[:3]}"
    assert poller_commits > 0 and int(out.split()[-1]) > 0  # both writers really wrote
