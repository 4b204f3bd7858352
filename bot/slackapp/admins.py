"""Who counts as a dealradar admin on Slack: configured ids, or workspace admins and owners.

Workspace roles come from ``users.info`` (``is_admin``, ``is_owner``, ``is_primary_owner``)
and are cached for a few minutes per user, so a burst of commands costs one API call: commands
that arrive while a user's lookup is under way wait for that lookup instead of starting their
own. A failed lookup counts as "not an admin" (fail closed) and is cached only briefly.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable

from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("dealradar.slack")

CACHE_SECONDS = 300.0
FAILURE_CACHE_SECONDS = 30.0
CACHE_SIZE = 1_000


class AdminDirectory:
    """Answers "is this Slack user an admin?". ``admin_ids`` may be ``U123`` or ``slack:U123``."""

    def __init__(
        self,
        client: AsyncWebClient,
        admin_ids: Iterable[str],
        *,
        clock: Callable[[], float],
    ) -> None:
        self._client = client
        self._clock = clock
        self._configured = {a.removeprefix("slack:") for a in admin_ids}
        self._cache: OrderedDict[str, tuple[float, bool]] = OrderedDict()
        self._lookups: dict[str, asyncio.Task[bool]] = {}  # users.info calls under way

    async def is_admin(self, user: str) -> bool:
        """Never raises: a lookup failure means ``False``."""
        if user in self._configured:
            return True
        cached = self._cache.get(user)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        lookup = self._lookups.get(user)
        if lookup is None:
            lookup = asyncio.ensure_future(self._look_up(user))
            self._lookups[user] = lookup
            lookup.add_done_callback(lambda _done: self._lookups.pop(user, None))
        # shielded: a command that gives up waiting does not cancel the others' lookup
        return await asyncio.shield(lookup)

    async def _look_up(self, user: str) -> bool:
        now = self._clock()
        try:
            response = await self._client.users_info(user=user)
            info = response.get("user") or {}
            value = bool(
                info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner")
            )
            ttl = CACHE_SECONDS
        except Exception as error:
            log.warning(
                "slack: users.info failed (%s); treating user as non-admin", type(error).__name__
            )
            value, ttl = False, FAILURE_CACHE_SECONDS
        self._cache[user] = (now + ttl, value)
        self._cache.move_to_end(user)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return value
