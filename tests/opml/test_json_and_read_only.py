"""``--json`` on ``sources``, ``check-config`` and ``deal``; ``dealradar sources`` only reads."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import main
from bot.domain import EventType, Status
from bot.opml import OpmlFeed
from bot.store.db import create_engine, sessionmaker, upgrade
from bot.store.sources_import import import_feeds
from tests.handlers.conftest import make_story, sql_add_story
from tests.opml.test_opml_cli import T0

CONFIG = """database_url = "sqlite:///{db}"
[[sources]]
name = "Configured"
url = "https://user:pw@configured.example/feed.xml"
"""


def cli(conf: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(conf), *args], prog_name="dealradar")


def setup(tmp_path: Path, *, stored: bool) -> tuple[Path, Path]:
    db = tmp_path / "bot.db"
    conf = tmp_path / "bot.toml"
    conf.write_text(CONFIG.format(db=db), encoding="utf-8")
    if stored:

        async def seed() -> None:
            engine = create_engine(f"sqlite:///{db}")
            try:
                await upgrade(engine)
                feeds = [OpmlFeed("Stored", "rss", "https://stored.example/rss", None, 60.0)]
                await import_feeds(sessionmaker(engine), feeds, 300.0, T0)
                story = make_story(
                    7,
                    ("Nissan",),
                    event_type=EventType.PLANT_CLOSURE,
                    status=Status.CONFIRMED,
                    country="Japan",
                    jobs=900,
                )
                await sql_add_story(sessionmaker(engine), story)
            finally:
                await engine.dispose()

        asyncio.run(seed())
    return conf, db


def digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def test_sources_only_reads_the_database(tmp_path: Path) -> None:
    conf, db = setup(tmp_path, stored=True)
    before = digest(db)
    done = cli(conf, "sources")
    assert done.exit_code == 0, done.output
    assert "Configured  [rss] ok" in done.output  # the config's source, not yet stored ...
    assert "    target        https://configured.example/feed.xml" in done.output
    assert "    next poll     due now" in done.output
    assert "Stored  [rss] ok" in done.output
    assert digest(db) == before  # ... and not added by a status command


def test_sources_without_a_database_creates_none(tmp_path: Path) -> None:
    conf, db = setup(tmp_path, stored=False)
    done = cli(conf, "sources")
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Configured  [rss] ok\n")
    assert not db.exists()
    assert cli(conf, "sources", "export").exit_code == 0
    assert not db.exists()


def test_sources_json(tmp_path: Path) -> None:
    conf, _ = setup(tmp_path, stored=True)
    done = cli(conf, "sources", "--json")
    assert done.exit_code == 0, done.output
    rows = {row["name"]: row for row in json.loads(done.output)["sources"]}
    assert rows["Configured"]["target"] == "https://configured.example/feed.xml"
    assert rows["Stored"] == {
        "name": "Stored",
        "kind": "rss",
        "target": "https://stored.example/rss",
        "origin": "opml",
        "state": "ok",
        "enabled": True,
        "interval_s": 60.0,
        "last_success_at": None,
        "last_error": None,
        "last_error_at": None,
        "consecutive_failures": 0,
        "next_poll_at": T0.isoformat(),
        "disabled_reason": None,
        "disabled_at": None,
    }


def test_check_config_json_and_its_errors(tmp_path: Path) -> None:
    conf, _ = setup(tmp_path, stored=False)
    done = cli(conf, "check-config", "--json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["ok"] is True
    assert data["sources"] == [
        {
            "name": "Configured",
            "kind": "rss",
            "interval_s": 300.0,
            "url": "https://configured.example/feed.xml",
            "query": None,
        }
    ]
    assert "pw" not in done.output
    bad = tmp_path / "bad.toml"
    bad.write_text('bogus = 1\npoll_interval = "soon"\n', encoding="utf-8")
    refused = cli(bad, "check-config", "--json")
    assert refused.exit_code == 2
    problems = json.loads(refused.output)
    assert problems["ok"] is False
    assert any(p.startswith("bogus") for p in problems["problems"])
    assert any(p.startswith("poll_interval") for p in problems["problems"])


def test_deal_json_is_the_same_answer_as_data(tmp_path: Path) -> None:
    conf, _ = setup(tmp_path, stored=True)
    text = cli(conf, "deal", "nissan", "365d")
    done = cli(conf, "deal", "--json", "nissan", "365d")
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["title"] in text.output and data["error"] is False
    [story] = data["stories"]
    assert story["id"] == 7 and story["status"] == "confirmed" and story["country"] == "Japan"
    assert story["event_type"] == "plant_closure" and story["companies"] == ["Nissan"]
    refused = cli(conf, "deal", "watch", "nissan", "min-jobs:lots", "--json")
    assert refused.exit_code == 2
    assert "'min-jobs:lots'" in json.loads(refused.output)["title"]
