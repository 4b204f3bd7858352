"""Headless Chromium from Debian's packages (``chromium`` + ``chromium-driver``) driven by
Selenium, for the console's end-to-end tests.

Nothing is downloaded: the browser and driver paths are given, so Selenium Manager never
runs, and Chromium's own background traffic (updates, sync, safe browsing) is switched off.
Selenium is blocking; :class:`Browser` runs each call in a thread so the test's event loop
keeps serving the console meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if CHROMIUM is None or CHROMEDRIVER is None:
        return (
            "headless Chromium not installed: apt-get install chromium chromium-driver"
            " (.ci/run does this)"
        )
    return None


needs_browser = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")


def start_driver() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--safebrowsing-disable-auto-update",
        "--disable-features=Translate,OptimizationHints,MediaRouter",
        "--window-size=1280,900",
        "--proxy-server=127.0.0.1:9",  # anything not bypassed below fails instead of leaving
        "--proxy-bypass-list=<-loopback>;127.0.0.1;localhost",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))


class Browser:
    """Async wrappers around a Selenium driver (each call in a worker thread)."""

    def __init__(self, driver: Any, base: str) -> None:
        self.driver = driver
        self.base = base

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(call, *args)

    async def get(self, path: str) -> None:
        await self.run(self.driver.get, self.base + path)

    async def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return await self.run(self.driver.find_element, By.CSS_SELECTOR, css)

    async def find_all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(await self.run(self.driver.find_elements, By.CSS_SELECTOR, css))

    async def text(self, css: str = "main") -> str:
        """The visible text of ``css``; found again if the page replaced it meanwhile."""
        from selenium.common.exceptions import StaleElementReferenceException

        for _ in range(5):
            element = await self.find(css)
            try:
                return str(await self.run(getattr, element, "text"))
            except StaleElementReferenceException:
                continue
        raise AssertionError(f"{css} kept being replaced")

    async def click(self, css: str) -> None:
        """Click ``css`` and wait for the page it leads to."""
        await self.follow(await self.find(css))

    async def follow(self, element: Any) -> None:
        """Click ``element`` (a link or a submit button) and wait for the next page."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.support.wait import WebDriverWait

        page = await self.find("html")
        await self.run(element.click)

        def left(_driver: Any) -> bool:
            """The old page is gone. Chromium may say so as "stale element" or, caught mid-way
            through the navigation, as a node that "does not belong to the document"."""
            try:
                page.is_enabled()
            except StaleElementReferenceException:
                return True
            except WebDriverException as exc:
                if "does not belong to the document" in str(exc):
                    return True
                raise
            return False

        wait = WebDriverWait(self.driver, 10)
        await self.run(wait.until, left)
        await self.run(
            wait.until, lambda d: d.execute_script("return document.readyState") == "complete"
        )

    async def script(self, source: str) -> Any:
        return await self.run(self.driver.execute_script, source)

    @property
    def path(self) -> str:
        url = str(self.driver.current_url)
        return url.removeprefix(self.base) or "/"
