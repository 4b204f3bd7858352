"""The one entry point every platform adapter and the CLI call for ``/deal``.

Adapters translate a platform request into ``(text, Caller)``, call :meth:`CommandRunner.run`
and translate the neutral :class:`Reply` back (Block Kit, Discord embed, plain text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain import Story


@dataclass(frozen=True, slots=True)
class Caller:
    """Who typed the command, where. ``is_admin`` comes from the platform (Slack workspace
    admin/owner, Discord Manage Server) or from the configured admin ids."""

    platform: str
    channel: str
    user: str
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class Reply:
    """A neutral answer. ``title`` is one line; ``stories`` and ``lines`` are the body."""

    title: str
    stories: tuple[Story, ...] = ()
    lines: tuple[str, ...] = ()
    ephemeral: bool = True
    error: bool = False


class CommandRunner(Protocol):
    async def run(self, text: str, caller: Caller) -> Reply:
        """Parse and run one ``/deal`` command line (without the ``/deal`` prefix)."""
        ...

    async def complete_company(self, prefix: str, limit: int = 25) -> list[str]:
        """Company names for autocomplete."""
        ...


class FeedbackRecorder(Protocol):
    async def record_feedback(self, story_id: int, caller: Caller, useful: bool) -> None:
        """Store a 👍/👎 on a story from an alert button (one vote per user, last wins)."""
        ...
