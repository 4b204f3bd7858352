"""Crashes: ``kill -9`` of the real bot at random moments, restart, repeat — nothing lost,
nothing posted twice.

The bot (``dealradar run``, SQLite file, 1 s polls, 1 s group wait) posts to a Slack stand-in
that lives in the test process and outlives every kill; its ``chat.postMessage`` answer is held
back a little after the message is stored, so some kills land between "Slack accepted it" and
"the outbox knows". Each cycle publishes new stories, lets the bot run a random 0.2–2.5 s
(polling, ingesting, delivering) and kills it. At the end one last process drains the queue.
Due alerts are the ``new`` deliveries in the outbox (one per story and channel); each must
appear exactly once among the channel's top-level messages (Slack metadata carries the
delivery key, which is how the sink reconciles an attempt whose answer was lost).

``HARDENING_SEED`` picks the kill moments; the slow variant prints its figures.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import (
    Bot,
    SlackStandIn,
    backlog_done,
    bot_env,
    headline,
    query,
    rng,
    wait_until,
    write_config,
)

CHANNEL = "C1"
RUNNING = "dealradar running"


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(post_delay=0.3) as standin:
        yield standin


def due_keys(database: Path) -> set[str]:
    rows = query(
        database,
        "SELECT key FROM deliveries WHERE kind = 'new' AND platform = 'slack' AND channel = ?",
        CHANNEL,
    )
    return {str(r[0]) for r in rows}


def all_sent(database: Path) -> bool:
    rows = query(database, "SELECT count(*) FROM deliveries WHERE state != 'sent'")
    return bool(rows) and rows[0][0] == 0


def drained(database: Path, published: int) -> bool:
    """Every published item stored (classified) and no delivery left pending."""
    rows = query(
        database,
        "SELECT count(*) FROM articles WHERE guid LIKE 'item-%' AND classified = 1",
    )
    return bool(rows) and rows[0][0] >= published and all_sent(database)


def snapshot(database: Path) -> str:
    return repr(
        {
            "deliveries": query(
                database,
                "SELECT key, kind, state, attempts, lease_owner, last_error FROM deliveries"
                " WHERE state != 'sent'",
            ),
            "articles": query(database, "SELECT count(*) FROM articles"),
            "stories": query(database, "SELECT count(*) FROM stories"),
            "sources": query(
                database, "SELECT name, lease_owner, consecutive_failures, last_error FROM sources"
            ),
        }
    )


def crash_loop(
    tmp_path: Path, feeds: FeedServer, slack: SlackStandIn, cycles: int, seed: int
) -> dict[str, int]:
    random = rng(seed)
    database = tmp_path / "bot.db"
    config = write_config(
        tmp_path / "bot.toml", database=database, feeds={"wire": feeds.url("/wire.xml")}
    )
    env = bot_env(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.url)
    bot = Bot(config, env, tmp_path / "bot.log")
    feeds.set_feed("/wire.xml", [{"title": "Markets open flat", "link": "https://n.example/0"}])
    published = 0
    restarts = starting = 0
    try:
        bot.start()
        wait_until(lambda: backlog_done(database), 30, "the backlog poll")
        for _ in range(cycles):
            for _ in range(random.randint(1, 2)):
                feeds.add_item("/wire.xml", headline(published))
                published += 1
            # the kill moment (not a wait for a result): one kill in five while the process
            # starts (imports, migrations, config sync), the rest 0-2.5 s into its ticks
            if random.random() < 0.2:
                starting += 1
            else:
                wait_until(lambda: RUNNING in bot.current(), 30, "the restart")
            time.sleep(random.uniform(0.0, 2.5))
            bot.kill9()
            restarts += 1
            bot.start()
        # the last process drains what is left: it has to be running, not just started (the
        # killed one may have drained the queue already)
        wait_until(lambda: RUNNING in bot.current(), 30, "the last start")
        try:
            wait_until(lambda: drained(database, published), 90, "the queue to drain")
        except AssertionError as timeout:
            raise AssertionError(f"{timeout}: {snapshot(database)}\n{bot.text()[-3000:]}") from None
        assert bot.stop() == 0, bot.text()[-3000:]
    finally:
        bot.kill9()
    due = due_keys(database)
    posted = slack.delivery_keys(CHANNEL)
    reclaimed = query(database, "SELECT count(*) FROM deliveries WHERE attempts > 1")[0][0]
    return {
        "restarts": restarts,
        "kills_while_starting": starting,
        "delivery_cycles": bot.text().count("delivery cycle"),
        "published": published,
        "due": len(due),
        "delivered": len(due & set(posted)),
        "lost": len(due - set(posted)),
        "duplicated": sum(n - 1 for n in posted.values() if n > 1),
        "unexpected": len(set(posted) - due),
        "reclaimed": int(reclaimed),
        "reconciliations": len(slack.api.calls("conversations.history")),
    }


def check(figures: dict[str, int]) -> None:
    assert figures["due"] == figures["published"], figures  # one story per published item
    assert figures["lost"] == 0, figures
    assert figures["duplicated"] == 0, figures
    assert figures["unexpected"] == 0, figures


def test_kill_9_five_times_loses_and_duplicates_nothing(
    tmp_path: Path, feeds: FeedServer, slack: SlackStandIn
) -> None:
    check(crash_loop(tmp_path, feeds, slack, cycles=5, seed=rng().randint(0, 1 << 30)))


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_kill_9_fifty_times_loses_and_duplicates_nothing(
    tmp_path: Path, feeds: FeedServer, slack: SlackStandIn
) -> None:
    figures = crash_loop(tmp_path, feeds, slack, cycles=50, seed=rng().randint(0, 1 << 30))
    print("crash figures:", figures)
    check(figures)


def test_two_bots_started_by_mistake_on_one_sqlite_file_post_each_alert_once(
    tmp_path: Path, feeds: FeedServer, slack: SlackStandIn
) -> None:
    database = tmp_path / "bot.db"
    config = write_config(
        tmp_path / "bot.toml", database=database, feeds={"wire": feeds.url("/wire.xml")}
    )
    env = bot_env(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.url)
    feeds.set_feed("/wire.xml", [{"title": "Markets open flat", "link": "https://n.example/0"}])
    bots = [Bot(config, env, tmp_path / f"bot{i}.log") for i in range(2)]
    try:
        for bot in bots:
            bot.start()
        wait_until(lambda: backlog_done(database), 30, "the backlog poll")
        for n in range(6):
            feeds.add_item("/wire.xml", headline(n))
        wait_until(lambda: len(due_keys(database)) >= 6 and all_sent(database), 60, "delivery")
        for bot in bots:
            assert bot.alive(), bot.text()[-3000:]  # both really ran side by side
            assert bot.stop() == 0, bot.text()[-3000:]
    finally:
        for bot in bots:
            bot.kill9()
    posted = slack.delivery_keys(CHANNEL)
    assert set(posted) == due_keys(database)
    assert len(posted) == 6
    assert all(n == 1 for n in posted.values()), posted


def test_sigint_while_the_bot_is_starting_is_a_clean_stop(
    tmp_path: Path, feeds: FeedServer
) -> None:
    """A stop that lands during start-up (migrations, workers) exits 0 without a traceback."""
    database = tmp_path / "bot.db"
    config = write_config(
        tmp_path / "bot.toml", database=database, feeds={"wire": feeds.url("/wire.xml")}
    )
    bot = Bot(config, bot_env(), tmp_path / "bot.log")
    try:
        bot.start()
        wait_until(lambda: "Context impl" in bot.current(), 30, "the migrations to start")
        code = bot.stop()
    finally:
        bot.kill9()
    assert code == 0, bot.text()[-3000:]
    assert "Traceback" not in bot.text()


def _catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM (the ``SigCgt`` mask of /proc)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_sigint_while_the_bot_imports_its_libraries_is_a_clean_stop(
    tmp_path: Path, feeds: FeedServer
) -> None:
    """A stop as soon as ``run`` is looked up (SQLAlchemy, SDKs, classifier still importing)."""
    config = write_config(
        tmp_path / "bot.toml", database=tmp_path / "bot.db", feeds={"wire": feeds.url("/wire.xml")}
    )
    bot = Bot(config, bot_env(), tmp_path / "bot.log")
    try:
        bot.start()
        assert bot.proc is not None
        pid = bot.proc.pid
        wait_until(lambda: _catches_sigterm(pid), 30, "the early stop handlers", poll=0.001)
        code = bot.stop()
    finally:
        bot.kill9()
    assert code == 0, bot.text()[-3000:]
    assert "Traceback" not in bot.text()
    # it stopped before building anything: no migration ran
    assert "nothing was started" in bot.text(), bot.text()[-3000:]
    assert "Context impl" not in bot.text()
