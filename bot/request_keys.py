"""Run-once keys for chat requests: Slack retries and replays, Discord interaction ids.

:class:`bot.ports.SeenOnce` is the one port both adapters' HTTP endpoints ask before running a
handler; :class:`MemorySeen` serves a single process, and
``bot.store.processed_requests.ProcessedRequests`` implements the same port on the
``processed_requests`` table for several replicas. Keys carry their platform as a prefix
(``slack:…``, ``discord:…``), so one table serves both.
"""

from __future__ import annotations

from collections import OrderedDict


class MemorySeen:
    """An in-memory :class:`SeenOnce` keeping the newest ``capacity`` keys."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    async def claim(self, key: str) -> bool:
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        while len(self._keys) > self._capacity:
            self._keys.popitem(last=False)
        return True
