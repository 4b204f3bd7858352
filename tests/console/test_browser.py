"""The console in a real browser (headless Chromium from Debian's packages): navigation,
filters, a story page after a real poll of a local feed, hostile headlines shown as text,
and the login a token requires. Skipped with the reason where Chromium is not installed.

With ``DEALRADAR_SCREENSHOTS=DIR`` the stories page and a story page are saved as PNGs there
(how ``docs/console-*.png`` were made).
"""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import Settings
from bot.runtime import app
from bot.sinks.console import ConsoleSink
from bot.web.server import WebServer
from tests.console.browser import Browser, needs_browser, start_driver
from tests.console.seed import IMG, SCRIPT, T0, TOKEN, seed
from tests.fakes.clock import FakeClock
from tests.fakes.feedserver import FeedServer

pytestmark = needs_browser


def item(n: int, title: str, outlet: str) -> dict[str, str]:
    return {"title": title, "link": f"https://{outlet}/story-{n}", "guid": f"{outlet}-{n}"}


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    chrome = start_driver()
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.set_feed("/a.xml", [item(0, "Weather turns cold across the region", "a.example")])
        server.set_feed("/b.xml", [item(0, "Local team wins the cup final", "b.example")])
        yield server


async def _start(tmp_path: Path, feeds: FeedServer, **web: Any) -> tuple[app.Runtime, WebServer]:
    settings = Settings.model_validate(
        {
            "database_url": f"sqlite:///{tmp_path / 'bot.db'}",
            "group_wait": "30s",
            "fetch": {"allow_private_networks": True},
            "http": {"enabled": True, "host": "127.0.0.1", "port": 0},
            "web": {"enabled": True, **web},
            "delivery": {"per_channel_interval": "1ms"},
            "sources": [
                {"name": "Outlet A", "url": feeds.url("/a.xml"), "interval": "1m"},
                {"name": "Outlet B", "url": feeds.url("/b.xml"), "interval": "1m"},
            ],
            "routes": [{"platform": "console"}],
            "companies": [{"name": "Acme Motors", "aliases": ["Acme"]}],
        }
    )
    clock = FakeClock(T0)
    runtime = await app.build(settings, clock=clock)
    runtime.sinks["console"] = ConsoleSink(io.StringIO(), colour=False)
    server = WebServer(
        "127.0.0.1",
        0,
        metrics=runtime.metrics,
        ready=app.ready_check(runtime),
        routes=runtime.web_routes,
    )
    await server.start()
    return runtime, server


@pytest.fixture
async def bot(
    tmp_path: Path, feeds: FeedServer, driver: Any
) -> AsyncIterator[tuple[Browser, app.Runtime, FakeClock]]:
    runtime, server = await _start(tmp_path, feeds)
    try:
        await runtime.poll_once()  # the backlogs: stored, not alerted
        clock: FakeClock = runtime.clock  # type: ignore[assignment]
        driver.delete_all_cookies()
        yield Browser(driver, f"http://127.0.0.1:{server.port}"), runtime, clock
    finally:
        await server.stop()
        await runtime.close()


async def poll_a_story(runtime: app.Runtime, clock: FakeClock, feeds: FeedServer) -> None:
    feeds.add_item(
        "/a.xml",
        item(1, "Ostacor to close its Fenwick assembly plant, cutting 640 jobs", "a.example"),
    )
    feeds.add_item(
        "/b.xml",
        item(1, "Ostacor will shut its Fenwick assembly plant, 640 jobs at risk", "b.example"),
    )
    clock.now += timedelta(minutes=2)
    await runtime.poll_once()
    clock.now += timedelta(seconds=31)
    await runtime.deliver_once()


async def test_story_page_after_a_real_poll(
    bot: tuple[Browser, app.Runtime, FakeClock], feeds: FeedServer
) -> None:
    browser, runtime, clock = bot
    await poll_a_story(runtime, clock, feeds)
    await browser.get("/")
    assert "Ostacor" in await browser.text("table.stories")
    await browser.click("table.stories a.headline")
    assert browser.path.startswith("/stories/")
    assert "Ostacor" in await browser.text("h1")
    reports = await browser.find_all("table.reports tbody tr")
    assert len(reports) == 2
    body = await browser.text()
    assert "a.example" in body and "b.example" in body
    assert "640" in body
    assert "console" in await browser.text("main")  # delivered to the console channel
    assert "sent" in body
    if os.environ.get("DEALRADAR_SCREENSHOTS"):
        await seed(runtime.engine, clock.now)
        out = Path(os.environ["DEALRADAR_SCREENSHOTS"])
        await browser.run(browser.driver.save_screenshot, str(out / "console-story.png"))
        await browser.get("/?days=90")
        await browser.run(browser.driver.save_screenshot, str(out / "console-stories.png"))


async def test_navigation_and_filters(bot: tuple[Browser, app.Runtime, FakeClock]) -> None:
    browser, runtime, clock = bot
    await seed(runtime.engine, clock.now)
    await browser.get("/")
    assert await browser.text("h1") == "Stories"
    for label, heading in (
        ("Sources", "Sources"),
        ("Deliveries", "Deliveries"),
        ("Channels", "Subscriptions and mutes"),
        ("Stories", "Stories"),
    ):
        link = next(a for a in await browser.find_all("header nav a") if a.text == label)
        await browser.follow(link)
        assert await browser.text("h1") == heading
    # filter by type with the form (no script: a plain GET form)
    select = await browser.find("select[name=type]")
    await browser.run(
        lambda: select.find_element("css selector", "option[value=partnership]").click()
    )
    await browser.click("form.filters button[type=submit]")
    assert "type=partnership" in browser.path
    rows = await browser.text("table.stories tbody")
    assert "Nissan explores Foxconn EV production" in rows
    assert "Acme Motors confirms" not in rows
    # a company by its alias
    await browser.get("/")
    box = await browser.find("input[name=company]")
    await browser.run(box.send_keys, "hon hai")
    await browser.click("form.filters button[type=submit]")
    assert "is Foxconn" in await browser.text()
    assert "Nissan explores Foxconn EV production" in await browser.text("table.stories")
    # to a company page and on to a story
    links = [a for a in await browser.find_all("table.stories td a") if a.text == "Foxconn"]
    await browser.follow(links[0])
    assert browser.path == "/company/Foxconn"
    assert await browser.text("h1") == "Foxconn"
    assert await browser.find_all("svg.weekly rect")


async def test_hostile_headlines_show_as_text(bot: tuple[Browser, app.Runtime, FakeClock]) -> None:
    browser, runtime, clock = bot
    await seed(runtime.engine, clock.now)
    for path in ("/", "/stories/hostile-script", "/stories/hostile-img", "/company/Acme"):
        await browser.get(path)
        assert await browser.find_all("main script") == []
        assert await browser.find_all("img") == []
        assert await browser.script("return window.__pwned === undefined") is True
    await browser.get("/")
    table = await browser.text("table.stories")
    assert SCRIPT in table
    assert IMG in table
    await browser.get("/stories/hostile-script")
    assert await browser.text("h1") == SCRIPT
    assert await browser.find_all("h1 a") == []  # a javascript: URL is not made a link
    await browser.get("/stories/hostile-img")
    assert await browser.text("h1") == IMG
    assert await browser.script("return window.__pwned === undefined") is True


async def test_token_required(tmp_path: Path, feeds: FeedServer, driver: Any) -> None:
    runtime, server = await _start(tmp_path, feeds, token=TOKEN)
    browser = Browser(driver, f"http://127.0.0.1:{server.port}")
    try:
        driver.delete_all_cookies()
        await browser.get("/sources")
        assert browser.path == "/login"
        box = await browser.find("input[name=token]")
        await browser.run(box.send_keys, "not-the-token-at-all")
        await browser.click("form.login button")
        assert "not right" in await browser.text()
        box = await browser.find("input[name=token]")
        await browser.run(box.send_keys, TOKEN)
        await browser.click("form.login button")
        assert browser.path == "/"
        assert await browser.text("h1") == "Stories"
        assert "dealradar_console" not in await browser.script("return document.cookie")
        await browser.click("form.logout button")
        assert browser.path == "/login"
        await browser.get("/api/stories")
        assert "authentication required" in await browser.text("body")
    finally:
        await server.stop()
        await runtime.close()
