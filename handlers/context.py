"""What every ``/deal`` use case is given: the store, the company directory, the clock, policy.

Built once by :class:`handlers.runner.DealCommands`; use cases are plain async functions of
``(ctx, command, caller)`` so each can be read and tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.config.settings import RouteConfig
from bot.errors import CommandError
from handlers.api import Caller
from handlers.companies import CompanyDirectory, Resolution
from handlers.ports import EVERY_COMPANY, CommandStore

STORY_LIMIT = 15


@dataclass(frozen=True, slots=True)
class Context:
    store: CommandStore
    companies: CompanyDirectory
    now: Callable[[], datetime]
    routes: Sequence[RouteConfig] = ()
    admins: frozenset[str] = frozenset()
    watch_adds_sources: bool = True

    def is_admin(self, caller: Caller) -> bool:
        return (
            caller.is_admin
            or caller.user in self.admins
            or f"{caller.platform}:{caller.user}" in self.admins
        )


async def company_for(ctx: Context, typed: str, example: str, *, known_only: bool) -> str:
    """The canonical company for what the user typed.

    With ``known_only`` an unknown name is an error; otherwise it is used as typed unless it
    looks like a typo of a known company.

    Raises:
        CommandError: the name is ambiguous (lists the choices) or unknown with close matches
            (lists "did you mean" suggestions), or unknown while ``known_only``.
    """
    if typed == EVERY_COMPANY:
        return typed
    found: Resolution = await ctx.companies.resolve(typed)
    if found.name:
        return found.name
    shown = typed if len(typed) <= 40 else typed[:39] + "…"
    if found.choices:
        options = ", ".join(found.choices)
        raise CommandError(
            f"'{shown}' matches several companies: {options}. "
            f"Type the full name, e.g. /deal {example} {found.choices[0]}".replace("  ", " ")
        )
    if found.suggestions:
        options = ", ".join(found.suggestions)
        raise CommandError(
            f"No company called '{shown}'. Did you mean {options}? "
            f"e.g. /deal {example} {found.suggestions[0]}".replace("  ", " ")
        )
    if known_only:
        raise CommandError(f"No company called '{shown}' is known; /deal latest shows recent ones")
    return typed


def fmt_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
