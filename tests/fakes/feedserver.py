"""A local feed server for tests and benchmarks: 127.0.0.1, port 0, its own thread and loop.

Because it runs in its own thread with its own event loop, the same server serves sync tests,
async tests (whose loop it never blocks), subprocess end-to-end runs and benchmarks::

    with FeedServer() as server:
        server.set_feed("/a.xml", [{"title": "Plant to close", "link": "https://x.test/1"}])
        url = server.url("/a.xml")
        ...
        assert server.hits("/a.xml") == 1

Routes are data (:class:`Route`); ``set_*`` methods replace a path's route and may be called
while the server runs. Feeds are rendered as RSS 2.0 with an ``ETag`` and ``Last-Modified``
and answer conditional requests with 304. Hostile behaviours: ``set_trickle``, ``set_delay``,
``set_gzip_bomb``, ``set_oversize``, ``set_redirect`` (chains and loops), and ``set_raw`` for
any status, header or body (429 + Retry-After, 500, HTML, malformed XML…);
``require_basic_auth`` makes a path answer 401 without the right Basic credentials.

``populate(n)`` serves ``n`` synthetic feeds at once. For benchmarks, :class:`FeedServerProcess`
(in :mod:`tests.fakes.feedserver_process`) runs the same server in a child process so it does
not share the client's GIL; it offers the same calls over ``/_control/`` endpoints.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import gzip
import hashlib
import threading
import time
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

CONTROL_PREFIX = "/_control/"
_ZEROS = b"\0" * (1 << 20)
_CHUNK = 64 * 1024


@dataclass
class Route:
    """What one path answers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: float | None = None  # epoch seconds
    delay: float = 0.0  # seconds before answering
    trickle: float | None = None  # seconds between single bytes of the body
    gzip_bomb: int | None = None  # decoded bytes of zeros, gzip-compressed on the fly
    oversize: int | None = None  # bytes of filler streamed after the body
    items: list[dict[str, Any]] = field(default_factory=list)
    title: str = "Test feed"
    gzip: bool = False
    basic_auth: str | None = None  # "user:password" the request must carry, else 401


def render_rss(
    title: str, items: Sequence[Mapping[str, Any]], link: str = "http://127.0.0.1/"
) -> bytes:
    """RSS 2.0 for ``items`` (keys: title, link, guid, description, pub_date)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>test</description>",
    ]
    for item in items:
        parts.append("<item>")
        for key, tag in (("title", "title"), ("link", "link"), ("description", "description")):
            if item.get(key) is not None:
                parts.append(f"<{tag}>{escape(str(item[key]))}</{tag}>")
        if item.get("guid") is not None:
            parts.append(f'<guid isPermaLink="false">{escape(str(item["guid"]))}</guid>')
        if item.get("source") is not None:
            parts.append(
                f'<source url="https://outlet.test/">{escape(str(item["source"]))}</source>'
            )
        pub = item.get("pub_date")
        if isinstance(pub, datetime):
            pub = email.utils.format_datetime(pub.astimezone(UTC), usegmt=True)
        if pub is not None:
            parts.append(f"<pubDate>{escape(str(pub))}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def synthetic_items(feed: int, count: int) -> list[dict[str, Any]]:
    """``count`` plausible items for feed number ``feed`` (benchmarks and smoke tests)."""
    return [
        {
            "title": f"Maker {feed} to close plant number {j}",
            "link": f"https://news.test/{feed}/{j}",
            "guid": f"{feed}-{j}",
            "description": f"<p>The company said plant <b>{j}</b> would close next year.</p>",
            "pub_date": "Tue, 24 Nov 2026 10:00:00 GMT",
        }
        for j in range(count)
    ]


class FeedServer:
    """See the module docstring. Not for production: everything is in memory."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._routes: dict[str, Route] = {}
        self._hits: Counter[str] = Counter()
        self._last_headers: dict[str, dict[str, str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> FeedServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # report start-up failures to the caller
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="feedserver", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0, backlog=1024)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    def stop(self) -> None:
        loop, runner = self._loop, self._runner
        if loop is None or runner is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = self._runner = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # configuration ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def set_feed(
        self,
        path: str,
        items: Sequence[Mapping[str, Any]],
        *,
        title: str = "Test feed",
        headers: Mapping[str, str] | None = None,
        gzip: bool = False,
    ) -> None:
        """Serve ``items`` as RSS 2.0 with ETag/Last-Modified (304 on a matching request)."""
        route = Route(items=[dict(i) for i in items], title=title, headers=dict(headers or {}))
        route.gzip = gzip
        self._render(route)
        self._routes[path] = route

    def add_item(self, path: str, item: Mapping[str, Any]) -> None:
        """Publish one more item at the top of the feed at ``path`` (new ETag)."""
        route = self._routes[path]
        route.items.insert(0, dict(item))
        self._render(route)

    def _render(self, route: Route) -> None:
        route.body = render_rss(route.title, route.items)
        route.etag = '"' + hashlib.sha1(route.body, usedforsecurity=False).hexdigest()[:20] + '"'
        route.last_modified = float(int(time.time()))
        route.headers.setdefault("Content-Type", "application/rss+xml; charset=utf-8")

    def set_raw(
        self,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        status: int = 200,
    ) -> None:
        """Answer ``path`` with exactly this status, headers and body."""
        self._routes[path] = Route(status=status, body=body, headers=dict(headers or {}))

    def set_delay(self, path: str, seconds: float) -> None:
        """Wait ``seconds`` before answering ``path`` (its current route, or an empty 200)."""
        self._routes.setdefault(path, Route()).delay = seconds

    def set_trickle(self, path: str, body: bytes, interval: float = 0.05) -> None:
        """Send ``body`` one byte every ``interval`` seconds."""
        self._routes[path] = Route(
            body=body, trickle=interval, headers={"Content-Type": "application/rss+xml"}
        )

    def set_gzip_bomb(self, path: str, decoded_size: int = 1 << 30) -> None:
        """A ``Content-Encoding: gzip`` body that inflates to ``decoded_size`` zero bytes."""
        self._routes[path] = Route(
            gzip_bomb=decoded_size, headers={"Content-Type": "application/rss+xml"}
        )

    def set_oversize(self, path: str, size: int = 100 * 1024 * 1024) -> None:
        """Stream ``size`` bytes (an RSS prologue, then filler) without holding them in memory."""
        self._routes[path] = Route(
            body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>',
            oversize=size,
            headers={"Content-Type": "application/rss+xml"},
        )

    def set_redirect(self, path: str, to: str, status: int = 302) -> None:
        """Redirect ``path`` to ``to`` (a path on this server or an absolute URL)."""
        self._routes[path] = Route(status=status, headers={"Location": to})

    def require_basic_auth(self, path: str, user: str, password: str) -> None:
        """``path`` answers 401 unless the request carries these Basic credentials."""
        self._routes[path].basic_auth = f"{user}:{password}"

    def hits(self, path: str) -> int:
        """How many requests ``path`` has received."""
        return self._hits[path]

    def last_headers(self, path: str) -> dict[str, str]:
        """The headers of the last request to ``path`` (lower-case names)."""
        return dict(self._last_headers.get(path, {}))

    def populate(
        self, count: int, items: int = 20, prefix: str = "/f", event_share: float | None = None
    ) -> list[str]:
        """Serve ``count`` synthetic feeds of ``items`` items at ``{prefix}{i}.xml``; their URLs.

        ``event_share`` None: every item reads like a closure (:func:`synthetic_items`); a
        number: business news with that share of events (:func:`tests.fakes.newsgen.news_items`).
        """
        from tests.fakes.newsgen import news_items

        for i in range(count):
            feed_items = (
                synthetic_items(i, items)
                if event_share is None
                else news_items(i, items, event_share=event_share)
            )
            self.set_feed(f"{prefix}{i}.xml", feed_items)
        return [self.url(f"{prefix}{i}.xml") for i in range(count)]

    async def _control(self, request: web.Request) -> web.StreamResponse:
        """Remote control for :class:`FeedServerProcess` (the same calls, over HTTP)."""
        action = request.path[len(CONTROL_PREFIX) :]
        query = request.query
        payload: Any = await request.json() if request.can_read_body else None
        if action == "feed":
            self.set_feed(
                query["path"],
                payload["items"],
                title=payload.get("title", "Test feed"),
                gzip=bool(payload.get("gzip")),
            )
        elif action == "item":
            self.add_item(query["path"], payload)
        elif action == "raw":
            self.set_raw(
                query["path"],
                payload["body"].encode(),
                payload.get("headers"),
                int(payload.get("status", 200)),
            )
        elif action == "populate":
            share = query.get("event_share")
            self.populate(
                int(query["count"]),
                int(query.get("items", 20)),
                query.get("prefix", "/f"),
                None if share is None else float(share),
            )
        elif action == "hits":
            return web.Response(text=str(self.hits(query["path"])))
        else:
            return web.Response(status=404, text="unknown control action")
        return web.Response(text="ok")

    # serving ---------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith(CONTROL_PREFIX):
            return await self._control(request)
        self._hits[path] += 1
        self._last_headers[path] = {k.lower(): v for k, v in request.headers.items()}
        route = self._routes.get(path)
        if route is None:
            return web.Response(status=404, text="not found")
        if route.basic_auth is not None:
            expected = "Basic " + base64.b64encode(route.basic_auth.encode()).decode()
            if request.headers.get("Authorization") != expected:
                challenge = {"WWW-Authenticate": 'Basic realm="feeds"'}
                return web.Response(status=401, text="unauthorized", headers=challenge)
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.gzip_bomb is not None:
            return await self._stream_gzip_bomb(request, route)
        if route.trickle is not None or route.oversize is not None:
            return await self._stream(request, route)
        headers = dict(route.headers)
        if route.etag is not None and route.last_modified is not None:
            headers["ETag"] = route.etag
            headers["Last-Modified"] = email.utils.formatdate(route.last_modified, usegmt=True)
            if self._not_modified(request, route):
                return web.Response(status=304, headers={"ETag": route.etag})
        body = route.body
        if route.gzip and "gzip" in request.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
        return web.Response(status=route.status, body=body, headers=headers)

    @staticmethod
    def _not_modified(request: web.Request, route: Route) -> bool:
        tag = request.headers.get("If-None-Match")
        if tag is not None:
            return tag == route.etag
        since = request.headers.get("If-Modified-Since")
        if since and route.last_modified is not None:
            try:
                return email.utils.parsedate_to_datetime(since).timestamp() >= route.last_modified
            except (TypeError, ValueError):
                return False
        return False

    async def _stream(self, request: web.Request, route: Route) -> web.StreamResponse:
        response = web.StreamResponse(status=route.status, headers=route.headers)
        with contextlib.suppress(Exception):  # the client hanging up is the expected ending
            await response.prepare(request)
            if route.trickle is not None:
                for byte in route.body:
                    await response.write(bytes([byte]))
                    await asyncio.sleep(route.trickle)
            else:
                await response.write(route.body)
                left = route.oversize or 0
                filler = b"x" * _CHUNK
                while left > 0:
                    await response.write(filler[: min(left, _CHUNK)])
                    left -= _CHUNK
            await response.write_eof()
        return response

    async def _stream_gzip_bomb(self, request: web.Request, route: Route) -> web.StreamResponse:
        headers = {**route.headers, "Content-Encoding": "gzip"}
        response = web.StreamResponse(status=200, headers=headers)
        with contextlib.suppress(Exception):
            await response.prepare(request)
            compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            left = route.gzip_bomb or 0
            while left > 0:
                chunk = compressor.compress(_ZEROS[: min(left, len(_ZEROS))])
                left -= len(_ZEROS)
                if chunk:
                    await response.write(chunk)
            await response.write(compressor.flush())
            await response.write_eof()
        return response
