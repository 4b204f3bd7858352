"""What every ``/deal`` use case is given: the store, the company directory, the clock, policy.

Built once by :class:`handlers.runner.DealCommands`; use cases are plain async functions of
``(ctx, command, caller)`` so each can be read and tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.config.settings import LimitsConfig, RouteConfig
from bot.errors import CommandError
from bot.ports import EVERY_COMPANY, Backfills, CommandStore
from handlers.api import Caller
from handlers.company_directory import CompanyDirectory, Resolution

STORY_LIMIT = 15


@dataclass(frozen=True, slots=True)
class Context:
    store: CommandStore
    companies: CompanyDirectory
    now: Callable[[], datetime]
    routes: Sequence[RouteConfig] = ()
    admins: frozenset[str] = frozenset()
    watch_adds_sources: bool = True
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    backfill: Backfills | None = None  # where a new watch fetches the company's recent past

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


def creator(caller: Caller) -> str:
    """How a source records who added it: ``"platform:user"``."""
    return f"{caller.platform}:{caller.user}"


async def source_refusal(ctx: Context, caller: Caller) -> str | None:
    """Why ``caller`` may not add a source from chat now, or None.

    Raises:
        StoreError: the store fails.
    """
    cap = ctx.limits.max_sources
    if await ctx.store.count_chat_sources(caller.platform) >= cap:
        return (
            f"this workspace has reached its limit of {cap} sources added from chat "
            "(limits.max_sources)"
        )
    if ctx.is_admin(caller):
        return None
    quota = ctx.limits.member_sources
    if await ctx.store.count_chat_sources(caller.platform, caller.user) >= quota:
        return (
            f"a member may add {quota} (limits.member_sources) and you have; "
            "an admin can add more with /deal sources add"
        )
    return None


def fmt_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
