"""The local feed server in a child process, recording *when* each feed was fetched.

The replica test needs polls per source per interval, not just totals, so this subclass of
:class:`tests.fakes.feedserver.FeedServer` keeps a wall-clock timestamp per request (the
replicas and the test share the machine's clock) and serves them at ``/_control/hitlog``.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict

from aiohttp import web

from tests.fakes.feedserver import CONTROL_PREFIX, FeedServer
from tests.fakes.feedserver_process import FeedServerProcess


class TimedFeedServer(FeedServer):
    def __init__(self) -> None:
        super().__init__()
        self.hit_times: dict[str, list[float]] = defaultdict(list)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == CONTROL_PREFIX + "hitlog":
            return web.Response(text=json.dumps(self.hit_times))
        if not request.path.startswith(CONTROL_PREFIX):
            self.hit_times[request.path].append(time.time())
        return await super()._handle(request)


class TimedFeedServerProcess(FeedServerProcess):
    """:class:`FeedServerProcess` running :class:`TimedFeedServer`; adds :meth:`hitlog`."""

    module = "tests.scale.timed_feeds"

    def hitlog(self) -> dict[str, list[float]]:
        """Epoch seconds of every request, per path."""
        data: dict[str, list[float]] = json.loads(self._call("hitlog", {}))
        return data


def main() -> None:
    with TimedFeedServer() as server:
        print(f"PORT {server.port}", flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
