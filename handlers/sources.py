"""``/deal sources``: source health for everyone, ``add`` / ``remove`` for admins.

Health lines put the bad news first: a disabled source shows why and since when, a failing one
its failure count and last error, a healthy one when it last succeeded and when it polls next.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.errors import CommandError
from bot.ports import SourceHealth
from bot.redaction import redact_url
from handlers import commands as c
from handlers.api import Caller, Reply
from handlers.context import Context, creator, fmt_time, source_refusal

_MAX_ERROR = 120


def health_line(source: SourceHealth) -> str:
    """One line about one source, e.g. ``✗ Example feed (rss): disabled since …: HTTP 404``."""
    head = f"{source.name} ({source.kind})"
    if not source.enabled:
        since = f" since {fmt_time(source.disabled_at)}" if source.disabled_at else ""
        reason = redact_url(source.disabled_reason or "disabled by an admin")
        return f"✗ {head}: disabled{since}: {_short(reason)}"
    if source.consecutive_failures:
        error = _short(redact_url(source.last_error or "unknown error"))
        return f"! {head}: {source.consecutive_failures} failures in a row, last: {error}"
    ok = fmt_time(source.last_success_at) if source.last_success_at else "not yet"
    due = f", next poll {fmt_time(source.next_poll_at)}" if source.next_poll_at else ""
    return f"✓ {head}: last success {ok}{due}"


async def list_sources(ctx: Context) -> Reply:
    """Raises: StoreError."""
    sources = await ctx.store.list_sources()
    if not sources:
        return Reply(title="No sources configured", lines=("Admins: /deal sources add <url>",))
    count = f"{len(sources)} source{'' if len(sources) == 1 else 's'}"
    bad = sum(1 for s in sources if not s.enabled or s.consecutive_failures)
    title = f"{count}, {bad} with problems" if bad else f"{count}, all healthy"
    return Reply(title=title, lines=tuple(health_line(s) for s in sources))


async def add_source(ctx: Context, command: c.SourceAdd, caller: Caller) -> Reply:
    """Raises: CommandError (not an admin, the source exists, or the workspace's source cap
    is reached), StoreError."""
    _require_admin(ctx, caller)
    refused = await source_refusal(ctx, caller)
    if refused:
        raise CommandError(f"No source was added: {refused}")
    name = command.name or (urlsplit(command.url).hostname or command.url)
    if not await ctx.store.add_source(command.url, name, creator(caller), ctx.now()):
        raise CommandError(
            f"A source named '{name}' or with that URL exists; /deal sources lists them"
        )
    return Reply(title=f"Added source '{name}'; it is polled from now on", ephemeral=False)


async def remove_source(ctx: Context, command: c.SourceRemove, caller: Caller) -> Reply:
    """Raises: CommandError (not an admin, or no such source), StoreError."""
    _require_admin(ctx, caller)
    result = await ctx.store.remove_source(command.name)
    shown = _short(command.name, 40)
    if result == "missing":
        raise CommandError(f"No source called '{shown}'; /deal sources lists the names")
    if result == "config":
        raise CommandError(f"'{shown}' comes from the config file; remove it there and restart")
    return Reply(title=f"Removed source '{command.name}'", ephemeral=False)


def _require_admin(ctx: Context, caller: Caller) -> None:
    if not ctx.is_admin(caller):
        raise CommandError(
            "Only admins can add or remove sources (workspace admins, Manage Server, "
            "or ids in the config's admins list)"
        )


def _short(text: str, limit: int = _MAX_ERROR) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
