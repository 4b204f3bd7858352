"""The local feed server in a child process, driven over its ``/_control/`` endpoints.

Benchmarks that run :class:`tests.fakes.feedserver.FeedServer` in a thread of the measuring
process share one GIL with the client being measured; this wrapper moves the server out::

    with FeedServerProcess() as server:
        urls = server.populate(1000, items=20)
        server.add_item("/f0.xml", {"title": "New", "link": "https://news.test/new"})
        assert server.hits("/f0.xml") == 0
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self

from tests.fakes.feedserver import CONTROL_PREFIX, FeedServer


class FeedServerProcess:
    """The same server in a child process, so benchmarks measure the client, not a shared GIL.

    Offers ``url``, ``set_feed``, ``add_item``, ``set_raw``, ``populate`` and ``hits``; they
    travel over the server's ``/_control/`` endpoints.
    """

    module = "tests.fakes.feedserver_process"  # what the child runs (subclasses name theirs)

    def __init__(self) -> None:
        self.port = 0
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> Self:
        root = Path(__file__).resolve().parents[2]
        self._process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            cwd=root,
            stdout=subprocess.PIPE,
            stdin=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"feed server process did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def stop(self) -> None:
        if self._process is not None:
            with contextlib.suppress(Exception):
                assert self._process.stdin is not None
                self._process.stdin.close()  # the child exits when its stdin closes
                self._process.wait(5)
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait(5)
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}" + (path if path.startswith("/") else "/" + path)

    def _call(self, action: str, params: Mapping[str, object], payload: object = None) -> str:
        query = urllib.parse.urlencode({k: str(v) for k, v in params.items()})
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.url(CONTROL_PREFIX + action + "?" + query),
            data=data,
            method="POST" if data else "GET",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(response.read().decode())

    def set_feed(
        self,
        path: str,
        items: Sequence[Mapping[str, Any]],
        *,
        title: str = "Test feed",
        gzip: bool = False,
    ) -> None:
        self._call("feed", {"path": path}, {"items": list(items), "title": title, "gzip": gzip})

    def add_item(self, path: str, item: Mapping[str, Any]) -> None:
        self._call("item", {"path": path}, dict(item))

    def set_raw(
        self,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        status: int = 200,
    ) -> None:
        payload = {"body": body.decode(), "headers": dict(headers or {}), "status": status}
        self._call("raw", {"path": path}, payload)

    def populate(
        self, count: int, items: int = 20, prefix: str = "/f", event_share: float | None = None
    ) -> list[str]:
        query: dict[str, object] = {"count": count, "items": items, "prefix": prefix}
        if event_share is not None:
            query["event_share"] = event_share
        self._call("populate", query)
        return [self.url(f"{prefix}{i}.xml") for i in range(count)]

    def hits(self, path: str) -> int:
        return int(self._call("hits", {"path": path}))


def main() -> None:
    """``python -m tests.fakes.feedserver_process``: print the port, serve until stdin closes."""
    with FeedServer() as server:
        print(f"PORT {server.port}", flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
