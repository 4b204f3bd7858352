"""``DealCommands``: the :class:`handlers.api.CommandRunner` every adapter and the CLI call.

It parses the line once with :mod:`handlers.grammar`, dispatches to one use case, and turns
every failure into a one-line error :class:`handlers.api.Reply`: a ``CommandError`` shows its
usage message, any other failure a short "try again" line (the traceback goes to the log,
never to the chat). It also records 👍/👎 feedback from alert buttons.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.config.settings import LimitsConfig, RouteConfig
from bot.errors import CommandError, DealradarError
from bot.ports import Backfills, CommandStore, CompanyTable
from bot.redaction import redact_url
from handlers import channel, lookup, sources
from handlers import commands as c
from handlers.api import Caller, Reply
from handlers.company_directory import CompanyDirectory
from handlers.context import Context
from handlers.grammar import parse
from handlers.help import help_reply
from handlers.ratelimit import CommandRateLimiter, Refusal

log = logging.getLogger(__name__)


class DealCommands:
    """Implements :class:`handlers.api.CommandRunner` and :class:`handlers.api.FeedbackRecorder`."""

    def __init__(
        self,
        store: CommandStore,
        companies: CompanyTable,
        now: Callable[[], datetime],
        *,
        routes: Sequence[RouteConfig] = (),
        admins: Sequence[str] = (),
        watch_adds_sources: bool = True,
        limits: LimitsConfig | None = None,
        backfill: Backfills | None = None,
    ) -> None:
        limits = limits or LimitsConfig()
        self.directory = CompanyDirectory(companies, store, now)
        self._rate = CommandRateLimiter(
            limits.user_commands_per_minute, limits.channel_commands_per_minute
        )
        self._ctx = Context(
            store=store,
            companies=self.directory,
            now=now,
            routes=tuple(routes),
            admins=frozenset(admins),
            watch_adds_sources=watch_adds_sources,
            limits=limits,
            backfill=backfill,
        )

    async def run(self, text: str, caller: Caller) -> Reply:
        """Parse and run one command line; never raises (errors become ``error=True`` replies).
        A command over the per-user or per-channel rate limit is answered without running."""
        refusal = self._rate.admit(caller.platform, caller.channel, caller.user, self._ctx.now())
        if refusal is not None:
            return Reply(title=_slow_down(refusal), error=True)
        try:
            return await self._dispatch(parse(text), caller)
        except CommandError as exc:
            return Reply(title=str(exc), error=True)
        except DealradarError as exc:
            log.warning("/deal %r failed: %s", redact_url(text[:200])[:80], exc)
            return Reply(
                title="The store is busy or unavailable; try again in a minute", error=True
            )
        except Exception:
            log.exception("/deal %r crashed", redact_url(text[:200])[:80])
            return Reply(title="Something went wrong on our side; try again later", error=True)

    async def complete_company(self, prefix: str, limit: int = 25) -> list[str]:
        """Autocomplete; an empty list when the store fails (autocomplete must never error)."""
        try:
            return await self.directory.complete(prefix[:200], limit)
        except Exception:
            log.exception("company autocomplete failed")
            return []

    async def record_feedback(self, story_id: int, caller: Caller, useful: bool) -> None:
        """Raises: CommandError (the story no longer exists), StoreError."""
        ok = await self._ctx.store.record_feedback(
            story_id, caller.platform, caller.user, useful, self._ctx.now()
        )
        if not ok:
            raise CommandError("That story no longer exists")

    async def _dispatch(self, command: c.Command, caller: Caller) -> Reply:
        ctx = self._ctx
        match command:
            case c.Lookup():
                return await lookup.lookup(ctx, command)
            case c.Latest():
                return await lookup.latest(ctx, command)
            case c.Watch():
                return await channel.watch(ctx, command, caller)
            case c.Unwatch():
                return await channel.unwatch(ctx, command, caller)
            case c.ListChannel():
                return await channel.list_channel(ctx, caller)
            case c.MuteCompany():
                return await channel.mute(ctx, command, caller)
            case c.Unmute():
                return await channel.unmute(ctx, command, caller)
            case c.Digest():
                return await channel.digest(ctx, command, caller)
            case c.Quiet():
                return await channel.quiet(ctx, command, caller)
            case c.Sources():
                return await sources.list_sources(ctx)
            case c.SourceAdd():
                return await sources.add_source(ctx, command, caller)
            case c.SourceRemove():
                return await sources.remove_source(ctx, command, caller)
            case c.Help():
                return help_reply()


def _slow_down(refusal: Refusal) -> str:
    who = "from you" if refusal.scope == "user" else "in this channel"
    wait = max(1, math.ceil(refusal.retry_after.total_seconds()))
    return (
        f"Too many /deal commands {who}: at most {refusal.limit} a minute "
        f"(limits.{refusal.scope}_commands_per_minute); try again in {wait}s"
    )
