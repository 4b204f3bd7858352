"""Workspace admin lookups: one ``users.info`` call per user for a burst of commands."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slackapp.admins import AdminDirectory


class SlowUsers:
    """Answers ``users.info`` once ``release`` is set; counts the calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = asyncio.Event()

    async def users_info(self, *, user: str) -> dict[str, Any]:
        self.calls.append(user)
        await self.release.wait()
        return {"user": {"id": user, "is_owner": user == "UOWNER"}}


async def test_commands_arriving_during_a_lookup_share_it() -> None:
    users = SlowUsers()
    client: AsyncWebClient = users  # type: ignore[assignment]
    directory = AdminDirectory(client, ["UCONFIG"], clock=lambda: 0.0)
    burst = [asyncio.create_task(directory.is_admin("UOWNER")) for _ in range(5)]
    other = asyncio.create_task(directory.is_admin("UNOBODY"))
    await asyncio.sleep(0)
    users.release.set()
    assert await asyncio.gather(*burst) == [True] * 5
    assert await other is False
    assert sorted(users.calls) == ["UNOBODY", "UOWNER"]
    assert await directory.is_admin("UOWNER") is True  # cached now
    assert await directory.is_admin("UCONFIG") is True  # configured: no call
    assert sorted(users.calls) == ["UNOBODY", "UOWNER"]


async def test_a_caller_that_gives_up_does_not_cancel_the_others_lookup() -> None:
    users = SlowUsers()
    client: AsyncWebClient = users  # type: ignore[assignment]
    directory = AdminDirectory(client, [], clock=lambda: 0.0)
    impatient = asyncio.create_task(directory.is_admin("UOWNER"))
    patient = asyncio.create_task(directory.is_admin("UOWNER"))
    await asyncio.sleep(0)
    impatient.cancel()
    users.release.set()
    assert await patient is True
    assert users.calls == ["UOWNER"]
