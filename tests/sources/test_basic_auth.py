"""Basic-auth credentials in a source URL are sent (issue 19, defect 11), on both wires.

``https://user:pw@host/feed.xml`` means "log in as user": the user-info, percent-decoded, goes
out as an ``Authorization: Basic`` header, follows redirects only within the same origin, and
never appears in a request line or an error.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from bot.errors import SourceError
from bot.sources.base import FetchState
from bot.sources.fetcher import fetch_bytes
from tests.fakes.feedserver import FeedServer
from tests.sources.conftest import LIMITS

USER = "reader@example.org"
PASSWORD = "s3cr:et@p/w é%"  # every character that needs percent-encoding in user-info
ITEMS = [{"title": "Plant to close", "link": "https://news.example/1"}]


def with_credentials(url: str, user: str = USER, password: str = PASSWORD) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def other() -> Iterator[FeedServer]:
    """A second server: another origin (same host, another port)."""
    with FeedServer() as running:
        yield running


async def test_credentials_in_the_url_are_sent_as_basic_auth(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_feed("/locked.xml", ITEMS)
    server.require_basic_auth("/locked.xml", USER, PASSWORD)
    result = await fetch_bytes(
        client, with_credentials(server.url("/locked.xml")), FetchState(), LIMITS
    )
    assert result.status == 200 and b"Plant to close" in result.body
    assert server.last_headers("/locked.xml")["authorization"] == basic(USER, PASSWORD)


async def test_wrong_credentials_are_a_401_without_the_password(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_feed("/wrong.xml", ITEMS)
    server.require_basic_auth("/wrong.xml", USER, PASSWORD)
    url = with_credentials(server.url("/wrong.xml"), password="not-it-Xy9")
    with pytest.raises(SourceError) as caught:
        await fetch_bytes(client, url, FetchState(), LIMITS)
    assert caught.value.reason == "forbidden"
    assert "not-it-Xy9" not in str(caught.value) and quote(USER, safe="") not in str(caught.value)


async def test_no_user_info_sends_no_authorization(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_feed("/open.xml", ITEMS)
    await fetch_bytes(client, server.url("/open.xml"), FetchState(), LIMITS)
    assert "authorization" not in server.last_headers("/open.xml")


async def test_credentials_follow_redirects_on_the_same_origin_only(
    server: FeedServer, other: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_feed("/inner.xml", ITEMS)
    server.require_basic_auth("/inner.xml", USER, PASSWORD)
    server.set_redirect("/same.xml", "/inner.xml")
    result = await fetch_bytes(
        client, with_credentials(server.url("/same.xml")), FetchState(), LIMITS
    )
    assert result.status == 200
    assert server.last_headers("/inner.xml")["authorization"] == basic(USER, PASSWORD)

    other.set_feed("/elsewhere.xml", ITEMS)
    other.require_basic_auth("/elsewhere.xml", USER, PASSWORD)
    server.set_redirect("/away.xml", other.url("/elsewhere.xml"))
    with pytest.raises(SourceError) as caught:
        await fetch_bytes(client, with_credentials(server.url("/away.xml")), FetchState(), LIMITS)
    assert caught.value.reason == "forbidden"  # the other origin never got the password
    assert other.hits("/elsewhere.xml") == 1
    assert "authorization" not in other.last_headers("/elsewhere.xml")
    # user-info a server puts in its Location is not the source's to give away either
    server.set_redirect("/back.xml", with_credentials(other.url("/elsewhere.xml"), password="x"))
    with pytest.raises(SourceError):
        await fetch_bytes(client, with_credentials(server.url("/back.xml")), FetchState(), LIMITS)
    assert "authorization" not in other.last_headers("/elsewhere.xml")
