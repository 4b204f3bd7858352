"""A local stand-in for the GDELT DOC 2.0 API, serving the real ``artlist`` JSON format.

Every article has exactly the fields of the recorded sample
(``../shared/samples/gdelt/gdelt-doc-artlist-climate-250-records.json``: ``url``,
``url_mobile``, ``title`` with GDELT's spaced punctuation, ``seendate`` as
``YYYYMMDDTHHMMSSZ``, ``socialimage``, ``domain``, ``language``, ``sourcecountry``). The
stand-in holds ``per_day`` articles about a company for each of ``days`` days before ``now``
and answers ``startdatetime`` / ``enddatetime`` / ``maxrecords`` / ``sort=datedesc`` as the
API does. It can answer the next requests with a 429 and ``Retry-After``, or with GDELT's own
HTTP-200 plain-text rate notice, and it records every request's query parameters. It runs in
its own thread on 127.0.0.1 (port 0), so synchronous CLI runs can use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "shared/samples/gdelt/gdelt-doc-artlist-climate-250-records.json"
)
RATE_NOTICE = "Please limit requests to one every 5 seconds or contact us."
PLACES = ("Tijuana", "Chennai", "Pardubice", "Kutna Hora", "Wisconsin", "Nagoya")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _parse(value: str) -> datetime:
    return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def headline(company: str, day: int, n: int) -> str:
    """An event headline, spaced like GDELT's (``word , word``); distinct per day."""
    place = PLACES[day % len(PLACES)]
    if n == 0:
        return f"{company} to close {place} plant , cutting {100 + day} jobs"
    return f"{company} and Partner{day} Motors sign partnership on batteries in {place}"


class GdeltStandIn:
    def __init__(
        self, company: str, *, now: datetime, days: int = 90, per_day: int = 2, delay: float = 0
    ) -> None:
        self.company = company
        self.delay = delay
        self.requests: list[dict[str, str]] = []
        self._rate_limited: list[tuple[str, float]] = []  # ("429" | "notice", retry after)
        self.articles = [
            self._article(day, n, now - timedelta(days=day, hours=1 + 3 * n))
            for day in range(days)
            for n in range(per_day)
        ]
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    def _article(self, day: int, n: int, seen: datetime) -> dict[str, Any]:
        slug = f"{self.company.lower().replace(' ', '-')}-{day}-{n}"
        return {
            "url": f"https://news{n}.example.com/{slug}",
            "url_mobile": "",
            "title": headline(self.company, day, n),
            "seendate": _stamp(seen),
            "socialimage": f"https://news{n}.example.com/{slug}.jpg",
            "domain": f"news{n}.example.com",
            "language": "English",
            "sourcecountry": "United States",
        }

    # behaviour -------------------------------------------------------------------------------
    def rate_limit_next(self, retry_after: float, *, notice: bool = False) -> None:
        """Answer the next request rate limited: 429 + Retry-After, or GDELT's 200 notice."""
        self._rate_limited.append(("notice" if notice else "429", retry_after))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v2/doc/doc"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(dict(request.query))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._rate_limited:
            kind, retry_after = self._rate_limited.pop(0)
            if kind == "notice":
                return web.Response(text=RATE_NOTICE, content_type="text/plain")
            return web.Response(status=429, headers={"Retry-After": str(int(retry_after))})
        q = request.query
        if q.get("mode") != "artlist" or q.get("format") != "json":
            return web.Response(text="Invalid mode", content_type="text/plain")
        chosen = self.articles
        if "startdatetime" in q:
            start = _parse(q["startdatetime"])
            chosen = [a for a in chosen if _stamp(start) <= a["seendate"]]
        if "enddatetime" in q:
            end = _parse(q["enddatetime"])
            chosen = [a for a in chosen if a["seendate"] < _stamp(end)]
        chosen = sorted(chosen, key=lambda a: a["seendate"], reverse=True)
        chosen = chosen[: int(q.get("maxrecords", "75"))]
        body = json.dumps({"articles": chosen}, ensure_ascii=False)
        return web.Response(text=body, content_type="application/json")

    # lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> GdeltStandIn:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._serve())
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="gdelt-standin", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/api/v2/doc/doc", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        loop, runner = self._loop, self._runner
        if loop is None or runner is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)


def sample_keys() -> set[str]:
    """The fields of the recorded sample's articles (the stand-in serves exactly these)."""
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return set(document["articles"][0])
