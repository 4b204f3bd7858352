# ruff: noqa: E501  (real headlines are data; they are not wrapped)
"""Every real-world sample in /work/shared/samples, parsed, with what each one teaches checked.

See /work/shared/samples/README.md for where each file comes from. Skipped when absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import FeedEntry
from bot.errors import SourceError
from bot.sources.feeds import parse_feed
from bot.sources.gdelt import parse_gdelt
from tests.sources.conftest import SAMPLES

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not present")
NOW = datetime(2026, 11, 24, tzinfo=UTC)


@dataclass(frozen=True)
class Expect:
    count: int  # exact number of entries after normalisation
    title: str  # a title (exact, after normalisation) that must be present
    guids: bool = True  # every entry has a guid
    dated: bool = True  # every entry has a published time
    content_type: str | None = None


FEEDS: dict[str, Expect] = {
    "feeds/bbc-news-front-page.rss.xml": Expect(
        27, "Relish and dread as Starmer 'shambles' hangs over Scotland and Wales elections"
    ),
    "feeds/cnbc-international-top-news.rss.xml": Expect(
        30, "One year after Trump’s sovereignty threats, Canadians keep ‘elbows up’"
    ),
    "feeds/dailymail-iso-8859-1-media-content-dupes.rss.xml": Expect(
        1,
        "Could the infamous Black Dahlia case be about to be solved? Cadaver dog discovers death scent at Hollywood home of suspect 66 years after the horrific murder",
    ),
    "feeds/golem-rss1.0-iso-8859-1.rdf.xml": Expect(
        1, "Digitalministerium: Neue Glasfaserförderung mit Schnellkasse"
    ),
    "feeds/guardian-us.rss.xml": Expect(
        55, "Trump’s speech was bad. The Democrats' response to it was worse | Cas Mudde"
    ),
    "feeds/heise-developer.atom.xml": Expect(
        15, "Microsoft veröffentlicht Cordova-Erweiterung für Visual Studio Code"
    ),
    "feeds/heise-online-rss0.9-rdf.xml": Expect(
        60, "Mega-Deal: IBM übernimmt Red Hat", guids=False, dated=False
    ),
    "feeds/influxdata-blog-jsonfeed-1.1.json": Expect(
        3,
        "InfluxDB vs. Graphite for Time Series Data & Metrics Benchmark",
        guids=False,
        dated=False,
        content_type="application/feed+json",
    ),
    "feeds/japantimes-latest.rss.xml": Expect(
        30, "Japan says North Korean ‘object’ orbiting Earth after launch"
    ),
    "feeds/jn-pt-feedburner-iso-8859-1.rss.xml": Expect(
        40, "Mãe de utente é a nova presidente da Raríssimas", guids=False
    ),
    "feeds/kc0011-gb2312-chinese-forum.rss.xml": Expect(
        20, "建国35周年纪念，华表，和平鸽", guids=False
    ),
    "feeds/livemint-news-cdata-everywhere.rss.xml": Expect(
        25, "SmartCity Kochi to raise ₹4,000 crore from investors"
    ),
    "feeds/nyt-business.rss.xml": Expect(
        50, "24 Hours With Nike’s C.E.O. as He Races to Win Back the Sports World"
    ),
    "feeds/oren-ru-windows-1251-yandex.rss.xml": Expect(
        10, "ЧОПовцы в Оренбурге избили молодого человека", guids=False
    ),
    "feeds/seekingalpha-aapl-symbol.rss.xml": Expect(20, "Wall Street Week Ahead"),
    "google-news/gn-legacy-2012-topic-vladimir-putin-en-uk.xml": Expect(
        10,
        "Russia election loser 'outraged' as Putin loses patience with protesters - Telegraph.co.uk",
    ),
    "google-news/google-alerts-slack.atom.xml": Expect(
        20, "Slack (NASDAQ:WORK) Director Sells $39655442.33 in Stock"
    ),
    "quirks/braingle-feedburner-duplicate-guid.rss.xml": Expect(1, "Huh?"),
    "quirks/cercle-psy-latin1-no-declaration.rss.xml": Expect(
        9, "La criminalité liée surtout à... l'ennui ?", guids=False
    ),
    "quirks/fcutrecht-broken-xml-declaration.rss": Expect(
        20, "Serdar Gözübüyük scheidsrechter bij FC Twente - FC Utrecht", guids=False
    ),
    "quirks/ibash-windows-1251-declared.rss.xml": Expect(
        50, "Цитата #17703", content_type="text/xml; charset=utf-8"
    ),
    "quirks/ilmessaggero-italian-pubdate-no-declaration.rss.xml": Expect(
        1,
        "Missili Polonia, cosa è successo? Tensione Nato-Russia, Mosca: non siamo stati noi",
        dated=False,
    ),
    "quirks/nbc-new-york-non-rfc822-pubdate.rss.xml": Expect(
        1, "NYC cops search for stabbing suspect after leaving 18-year-old to bleed out on sidewalk"
    ),
    "quirks/nyt-us-news-mojibake.rss.xml": Expect(
        20, "A Kennedy’s Crusade Against Covid Vaccines Anguishes Family and Friends"
    ),
    "quirks/uol-noticias-latin1-bytes-no-xml-declaration.rss": Expect(
        15,
        "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno",
        guids=False,
        dated=False,
    ),
}
GOOGLE_NEWS_SEARCH = {
    "gn-search-nvidia-en-US-trimmed-5-items.xml": (
        5,
        "DeepSeek partners with Huawei to develop chip programming tools, reducing reliance on Nvidia",
        "Reuters",
    ),
    "gn-search-brent-crude-oil-price-en-GB.xml": (
        6,
        "Middle East War Triggers New Global Refining Boom",
        "Crude Oil Prices Today | OilPrice.com",
    ),
    "gn-search-bears-ears-monument-en-US-full-92-items.xml": (
        92,
        "Trump again shrinks two national monuments in Utah",
        "The Washington Post",
    ),
    "gn-search-site-reuters-markets-en-SG-prettyprinted.xml": (
        100,
        "It’s time for short sellers to make a comeback",
        "Reuters",
    ),
}
MOJIBAKE_MARKERS = ("â€", "Ã©", "Ã£", "Ã§", "Ð", "ï¿½")


def parse(relative: str, content_type: str | None = None) -> list[FeedEntry]:
    body = (SAMPLES / relative).read_bytes()
    return parse_feed(body, content_type=content_type, base_url="https://feeds.test/x", now=NOW)


def assert_clean(entries: list[FeedEntry]) -> None:
    for entry in entries:
        assert entry.url.startswith(("http://", "https://")), entry.url
        assert entry.url == entry.url.strip()
        assert entry.title == " ".join(entry.title.split())
        assert "<" not in entry.summary or ">" not in entry.summary or "</" not in entry.summary
        assert not any(marker in entry.title for marker in MOJIBAKE_MARKERS), entry.title
        assert entry.published is None or entry.published.tzinfo is not None


@pytest.mark.parametrize("relative", sorted(FEEDS))
def test_feed_sample(relative: str) -> None:
    expect = FEEDS[relative]
    entries = parse(relative, expect.content_type)
    assert len(entries) == expect.count
    assert expect.title in [e.title for e in entries]
    assert all(e.guid for e in entries) == expect.guids
    assert all(e.published for e in entries) == expect.dated
    assert_clean(entries)


@pytest.mark.parametrize("name", sorted(GOOGLE_NEWS_SEARCH))
def test_google_news_search_sample(name: str) -> None:
    count, title, outlet = GOOGLE_NEWS_SEARCH[name]
    entries = parse(f"google-news/{name}")
    assert len(entries) == count
    by_title = {e.title: e for e in entries}
    assert by_title[title].outlet == outlet  # <source> became the outlet, suffix removed
    assert not by_title[title].title.endswith(outlet)
    # The " - Publisher" suffix is removed once ("Transcript - Reuters - Reuters" keeps one).
    suffixed = [e for e in entries if e.outlet and e.title.endswith(" - " + e.outlet)]
    assert len(suffixed) <= 1
    for entry in entries:
        assert entry.outlet
        assert entry.url.startswith("https://news.google.com/rss/articles/CBMi")
        assert entry.guid is not None
        assert entry.guid.startswith("CBMi")  # the article id, not resolved against any URL
        assert entry.url.split("?")[0].endswith(entry.guid)
    assert_clean(entries)


def test_google_news_article_id_csv_is_not_a_feed() -> None:
    with pytest.raises(SourceError) as info:
        parse("google-news/gn-article-id-to-publisher-url-pairs-2026-01.csv", "text/csv")
    assert info.value.reason == "not_a_feed"


def test_bloomberg_news_sitemap_is_not_a_feed() -> None:
    with pytest.raises(SourceError) as info:
        parse("feeds/bloomberg-google-news-sitemap.xml")
    assert info.value.reason == "not_a_feed"


def test_reuters_truncated_server_error_is_malformed() -> None:
    with pytest.raises(SourceError) as info:
        parse("quirks/reuters-most-read-truncated-server-error.rss.xml")
    assert info.value.reason == "malformed"
    assert info.value.retryable


def test_nyt_mojibake_is_repaired_everywhere() -> None:
    entries = parse("quirks/nyt-us-news-mojibake.rss.xml")
    text = " ".join(e.title + " " + e.summary for e in entries)
    assert "â€" not in text
    assert "’" in text


def test_pretty_printed_google_links_are_trimmed() -> None:
    entries = parse("google-news/gn-search-site-reuters-markets-en-SG-prettyprinted.xml")
    assert all("\n" not in e.url and " " not in e.url for e in entries)


def test_latin1_without_declaration_keeps_accents() -> None:
    titles = [e.title for e in parse("quirks/cercle-psy-latin1-no-declaration.rss.xml")]
    assert "Perturbateurs endocriniens : quels effets sur le cerveau ?" in titles
    assert not any("\ufffd" in t for t in titles)


def test_rfc822_dates_without_seconds_parse() -> None:
    entries = parse("feeds/cnbc-international-top-news.rss.xml")
    assert all(e.published and e.published.year == 2026 for e in entries)


def test_atom_published_wins_over_updated() -> None:
    entries = parse("feeds/heise-developer.atom.xml")
    assert entries[0].published == datetime(2016, 2, 1, 16, 22, tzinfo=UTC)


def test_json_feed_double_escaped_title_and_rfc822_dates() -> None:
    entries = parse("feeds/influxdata-blog-jsonfeed-1.1.json", "application/feed+json")
    assert [e.url.split("/")[2] for e in entries] == ["www.influxdata.com"] * 2 + ["example.com"]
    assert entries[0].published == datetime(2019, 5, 31, 19, 17, 58, tzinfo=UTC)


def test_gdelt_artlist_sample() -> None:
    body = (SAMPLES / "gdelt/gdelt-doc-artlist-climate-250-records.json").read_bytes()
    entries = parse_gdelt(body, base_url="https://api.gdelt.test/doc")
    assert len(entries) == 250  # same title under different URLs is syndication, not a duplicate
    assert all(e.outlet and e.published and e.guid is None for e in entries)
    titles = " ".join(e.title for e in entries)
    assert "předpisem, který" in titles  # GDELT's "word , word" tokenisation undone
    assert " , " not in titles
    assert any(e.url.startswith("http://") for e in entries)
    assert entries[0].published is not None
    assert entries[0].published.tzinfo is UTC


def test_gdelt_timeline_sample_has_no_articles() -> None:
    body = (SAMPLES / "gdelt/gdelt-doc-timelinevolraw-openai-2017-01.json").read_bytes()
    assert parse_gdelt(body, base_url="https://api.gdelt.test/doc") == []


def test_gdelt_plaintext_error_sample() -> None:
    body = (SAMPLES / "gdelt/gdelt-doc-error-maxrecords-http200-plaintext.txt").read_bytes()
    with pytest.raises(SourceError) as info:
        parse_gdelt(body, base_url="https://api.gdelt.test/doc")
    assert info.value.reason == "bad_query"
    assert not info.value.retryable
    assert "maximum of 250 records" in str(info.value)


def test_every_sample_is_covered() -> None:
    covered = (
        set(FEEDS)
        | {f"google-news/{n}" for n in GOOGLE_NEWS_SEARCH}
        | {
            "google-news/gn-article-id-to-publisher-url-pairs-2026-01.csv",
            "feeds/bloomberg-google-news-sitemap.xml",
            "quirks/reuters-most-read-truncated-server-error.rss.xml",
            "gdelt/gdelt-doc-artlist-climate-250-records.json",
            "gdelt/gdelt-doc-timelinevolraw-openai-2017-01.json",
            "gdelt/gdelt-doc-error-maxrecords-http200-plaintext.txt",
        }
    )
    present = {str(p.relative_to(SAMPLES)) for p in SAMPLES.glob("*/*") if p.is_file()}
    assert present <= covered, sorted(present - covered)


_ = Path  # keep the import for type checkers reading SAMPLES
