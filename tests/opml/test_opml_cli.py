"""``dealradar sources import`` / ``export``: OPML round trip, duplicates by canonical URL,
and hostile files refused whole with a clear error and nothing changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.opml import OpmlFeed
from bot.store.db import create_engine, sessionmaker, upgrade
from bot.store.sources_import import all_feeds, import_feeds

T0 = datetime(2026, 12, 1, tzinfo=UTC)
SOURCES = [
    OpmlFeed("Plant Wire", "rss", "https://plantwire.example/feed.xml", None, 120.0),
    OpmlFeed("Autos & Co", "rss", "http://autos.example/rss?section=plants", None, 300.0),
    OpmlFeed("News search: Nissan", "news_search", None, '"Nissan" (plant OR factory)', 300.0),
    OpmlFeed("GDELT: Foxconn", "gdelt", None, "Foxconn factory", 900.0),
]


def config(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'database_url = "sqlite:///{tmp_path / name}.db"\n', encoding="utf-8")
    return path


def cli(conf: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(conf), *args], prog_name="dealradar")


def feeds_in(tmp_path: Path, name: str) -> list[OpmlFeed]:
    async def read() -> list[OpmlFeed]:
        engine = create_engine(f"sqlite:///{tmp_path / name}.db")
        try:
            await upgrade(engine)
            return await all_feeds(sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def seed(tmp_path: Path, name: str, feeds: list[OpmlFeed]) -> None:
    async def write() -> None:
        engine = create_engine(f"sqlite:///{tmp_path / name}.db")
        try:
            await upgrade(engine)
            await import_feeds(sessionmaker(engine), feeds, 300.0, T0)
        finally:
            await engine.dispose()

    asyncio.run(write())


def test_export_then_import_into_an_empty_database_gives_the_same_sources(
    tmp_path: Path,
) -> None:
    seed(tmp_path, "a", SOURCES)
    exported = cli(config(tmp_path, "a"), "sources", "export")
    assert exported.exit_code == 0, exported.output
    text = exported.output
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"')
    assert '<outline text="News search" title="News search">' in text
    assert '<outline text="GDELT" title="GDELT">' in text
    nissan = next(line for line in text.splitlines() if "News search: Nissan" in line)
    assert 'xmlUrl="https://' in nissan  # other readers can subscribe to it
    opml = tmp_path / "export.opml"
    opml.write_text(text, encoding="utf-8")

    done = cli(config(tmp_path, "b"), "sources", "import", str(opml))
    assert done.exit_code == 0, done.output
    assert "4 feeds, 4 added, 0 skipped" in done.output
    assert feeds_in(tmp_path, "b") == feeds_in(tmp_path, "a")

    again = cli(config(tmp_path, "b"), "sources", "import", str(opml))
    assert "4 feeds, 0 added, 4 skipped" in again.output
    assert "same feed as source 'Plant Wire'" in again.output
    assert feeds_in(tmp_path, "b") == feeds_in(tmp_path, "a")


def test_import_skips_feeds_with_the_same_canonical_url_and_keeps_names_unique(
    tmp_path: Path,
) -> None:
    seed(tmp_path, "db", SOURCES[:1])
    opml = tmp_path / "in.opml"
    opml.write_text(
        """<?xml version="1.0"?>
<opml version="1.0"><head><title>mine</title></head><body>
  <outline text="Tech"><outline text="Plant Wire again" type="rss"
     xmlUrl="https://www.plantwire.example/feed.xml?utm_source=x#top"/></outline>
  <outline text="Plant Wire" type="rss" xmlUrl="https://other.example/feed"/>
  <outline type="rss" xmlUrl="https://third.example/atom.xml"/>
  <outline text="Dup in file" type="rss" xmlUrl="https://third.example/atom.xml"/>
</body></opml>""",
        encoding="utf-8",
    )
    done = cli(config(tmp_path, "db"), "sources", "import", str(opml))
    assert done.exit_code == 0, done.output
    assert "4 feeds, 2 added, 2 skipped" in done.output
    assert "skipped  Plant Wire again: same feed as source 'Plant Wire'" in done.output
    assert "skipped  Dup in file: same feed as source 'third.example'" in done.output
    names = [f.name for f in feeds_in(tmp_path, "db")]
    assert names == ["Plant Wire", "Plant Wire (2)", "third.example"]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<opml version="2.0"><body><outline text="&lol3;" xmlUrl="https://a.example/f"/></body></opml>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://a.example/f"/></body></opml>"""


def _outlines(count: int) -> str:
    one = '<outline xmlUrl="http://m.example/{n}"/>'
    body = "".join(one.format(n=n) for n in range(count))
    return f'<?xml version="1.0"?><opml version="2.0"><body>{body}</body></opml>'


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (XXE, "DTD"),
        (BILLION_LAUGHS, "DTD"),
        (
            '<opml version="2.0"><body><outline text="ok" xmlUrl="https://a.example/f"/>'
            '<outline text="local" xmlUrl="file:///etc/passwd"/></body></opml>',
            "outline 'local': 'file:///etc/passwd' is not an http(s) URL",
        ),
        (
            '<opml version="2.0"><body><outline text="js" xmlUrl="javascript:alert(1)"/>'
            "</body></opml>",
            "is not an http(s) URL",
        ),
        (_outlines(100_000), "more than 10000 outlines"),
        ("<opml><body><outline", "not well-formed XML"),
        ('<rss version="2.0"><channel/></rss>', "not an OPML document"),
    ],
)
def test_hostile_or_broken_files_are_refused_and_change_nothing(
    tmp_path: Path, document: str, says: str
) -> None:
    seed(tmp_path, "db", SOURCES)
    before = feeds_in(tmp_path, "db")
    opml = tmp_path / "hostile.opml"
    opml.write_text(document, encoding="utf-8")
    done = cli(config(tmp_path, "db"), "sources", "import", str(opml))
    assert done.exit_code == 2
    assert says in done.output
    assert "nothing was imported" in done.output
    assert feeds_in(tmp_path, "db") == before
