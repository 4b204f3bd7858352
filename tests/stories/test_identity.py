"""Article identity: canonical URLs fold tracking, AMP, mobile and redirect variants."""

from __future__ import annotations

import base64
import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.stories.identity import canonical_url, decode_google_news_id

SAMPLES = Path(__file__).resolve().parents[2] / "../shared/samples/google-news"


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("https://www.example.com/news/story-1", "https://example.com/news/story-1"),
        ("HTTP://WWW.EXAMPLE.COM:80/news/story-1/", "https://example.com/news/story-1"),
        ("https://example.com:443/news/story-1#comments", "https://example.com/news/story-1"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        (
            "https://example.com/news/story-1?utm_source=rss&utm_medium=feed&fbclid=abc",
            "https://example.com/news/story-1",
        ),
        (
            "https://example.com/a?gclid=1&mc_cid=2&mc_eid=3&ocid=4&cmpid=5&taid=6&id=9",
            "https://example.com/a?id=9",
        ),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/news/story-1/amp/", "https://example.com/news/story-1"),
        ("https://example.com/news/story-1.amp", "https://example.com/news/story-1"),
        ("https://example.com/news/story-1.amp.html", "https://example.com/news/story-1.html"),
        ("https://example.com/news/story-1?amp=1", "https://example.com/news/story-1"),
        ("https://example.com/news/story-1?outputType=amp", "https://example.com/news/story-1"),
        ("https://amp.example.com/news/story-1", "https://example.com/news/story-1"),
        ("https://m.example.com/news/story-1", "https://example.com/news/story-1"),
        ("https://mobile.example.com/news/story-1", "https://example.com/news/story-1"),
        (
            "https://www.bbc.co.uk/news/business-1?at_medium=RSS&at_campaign=rss",
            "https://bbc.co.uk/news/business-1",
        ),
        (
            "https://seekingalpha.com/news/42-acme?source=feed_symbol_AAPL",
            "https://seekingalpha.com/news/42-acme",
        ),
    ],
)
def test_variants_of_one_article_share_a_canonical_url(variant: str, expected: str) -> None:
    assert canonical_url(variant) == expected


def test_distinct_articles_stay_distinct() -> None:
    assert canonical_url("https://example.com/a?id=1") != canonical_url(
        "https://example.com/a?id=2"
    )
    assert canonical_url("https://example.com/a") != canonical_url("https://example.com/b")
    assert canonical_url("https://m.example.com/a") != canonical_url("https://example.org/a")


def test_redirect_wrappers_yield_the_publisher_url() -> None:
    alert = (
        "https://www.google.com/url?rct=j&sa=t&url=https://www.maker.example/plant-closing"
        "%3Futm_source%3Dalert&ct=ga&cd=CAIy&usg=AOvVaw"
    )
    legacy = "http://news.google.com/news/url?sa=t&fd=R&usg=x&url=http://www.maker.example/a.html"
    consent = "https://consent.google.com/ml?continue=https://www.maker.example/b&gl=DE"
    assert canonical_url(alert) == "https://maker.example/plant-closing"
    assert canonical_url(legacy) == "https://maker.example/a.html"
    assert canonical_url(consent) == "https://maker.example/b"


def _old_google_id(url: bytes, amp: bytes | None = None) -> str:
    raw = b"\x08\x13\x22" + bytes([len(url)]) + url
    if amp is not None:
        raw += b"\xd2\x01" + bytes([len(amp)]) + amp
    return base64.urlsafe_b64encode(raw + b"\xd2\x01\x00").decode().rstrip("=")


def test_old_google_news_ids_decode_offline() -> None:
    article = _old_google_id(
        b"https://www.maker.example/news/plant-1.html", b"https://www.maker.example/amp/plant-1"
    )
    assert article.startswith("CBMi")
    for form in ("rss/articles", "articles", "read"):
        link = f"https://news.google.com/{form}/{article}?oc=5&hl=en-US"
        assert canonical_url(link) == "https://maker.example/news/plant-1.html"


def test_new_google_news_ids_stay_google_links_without_parameters() -> None:
    token = base64.urlsafe_b64encode(b"\x08\x13\x22\x0bAU_yqLabcde").decode().rstrip("=")
    assert decode_google_news_id(token) is None
    link = f"https://news.google.com/read/{token}?hl=en-US&gl=US&ceid=US:en"
    assert canonical_url(link) == f"https://news.google.com/rss/articles/{token}"


@pytest.mark.skipif(not SAMPLES.exists(), reason="shared samples not present")
def test_recorded_google_news_pairs_are_keyed_on_their_id() -> None:
    path = SAMPLES / "gn-article-id-to-publisher-url-pairs-2026-01.csv"
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        coded = row["Coded Link"]
        article_id = coded.split("/articles/")[1].split("?")[0]
        assert decode_google_news_id(article_id) is None  # post-2024 opaque tokens
        assert canonical_url(coded) == f"https://news.google.com/rss/articles/{article_id}"
        assert canonical_url(row["Decoded Link"]).startswith("https://")


@given(st.text())
def test_canonical_url_never_raises_on_any_text(value: str) -> None:
    assert isinstance(canonical_url(value), str)


@given(
    st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
    st.text(alphabet="abcxyz.-:[]@%0123456789", max_size=30),
    st.text(max_size=40),
    st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=4),
)
def test_canonical_url_never_raises_on_url_shaped_text(
    scheme: str, host: str, path: str, params: list[tuple[str, str]]
) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    assert isinstance(canonical_url(f"{scheme}://{host}/{path}?{query}#x"), str)


@given(st.binary(max_size=200))
def test_google_id_decoder_never_raises(raw: bytes) -> None:
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    decoded = decode_google_news_id(token)
    assert decoded is None or decoded.startswith("http")
