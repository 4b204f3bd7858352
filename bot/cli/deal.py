"""``dealradar deal <words...>``: the ``/deal`` handler from a terminal.

Runs exactly what Slack and Discord run (:class:`handlers.runner.DealCommands` over the SQL
store) as an admin console caller, and prints the reply as plain text, or with ``--json`` as
data (:func:`reply_json`; errors too, on stdout, still exit 2). Exit status: 0 on
success, 2 on a usage error (the one-line message is printed) or a damaged SQLite file, 1 when
the config or the database is unusable.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import fields
from typing import Any

import click

from bot.config.loader import load_settings
from bot.config.settings import Settings
from bot.errors import ConfigError, CorruptDatabaseError
from bot.runtime.wiring import build_commands
from bot.store.db import create_engine, upgrade
from handlers.api import Caller, Reply
from handlers.plain_text import render_plain

CONSOLE_CALLER = Caller(platform="console", channel="console", user="console", is_admin=True)


async def run_deal(settings: Settings, text: str) -> Reply:
    """Open the database (migrating it), run one command, close.

    Raises:
        StoreError: the database cannot be opened or migrated.
    """
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        return await build_commands(settings, engine).run(text, CONSOLE_CALLER)
    finally:
        await engine.dispose()


@click.command(
    "deal",
    context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]},
)
@click.option("--json", "as_json", is_flag=True, help="Print the reply as JSON.")
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def deal(ctx: click.Context, as_json: bool, words: tuple[str, ...]) -> None:
    """Run a /deal command, e.g. `dealradar deal nissan 7d` or `dealradar deal help`."""
    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    try:
        settings = load_settings(obj.get("config_path"))
        reply = asyncio.run(run_deal(settings, " ".join(words)))
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        ctx.exit(1)
    except CorruptDatabaseError as exc:
        click.echo(f"dealradar: {exc}", err=True)
        ctx.exit(2)
    except Exception as exc:  # e.g. the database file cannot be opened
        click.echo(f"error: {type(exc).__name__}: {exc}".splitlines()[0], err=True)
        ctx.exit(1)
    if as_json:
        click.echo(json.dumps(reply_json(reply), indent=2))
        ctx.exit(2 if reply.error else 0)
    if reply.error:
        click.echo(render_plain(reply), err=True)
        ctx.exit(2)
    click.echo(render_plain(reply))


def reply_json(reply: Reply) -> dict[str, Any]:
    """The reply as data: its title, lines, stories (every field; times ISO 8601 UTC), error."""
    return {
        "title": reply.title,
        "error": reply.error,
        "lines": list(reply.lines),
        "stories": [
            {
                **{f.name: getattr(story, f.name) for f in fields(story)},
                "event_type": story.event_type.value,
                "status": story.status.value,
                "first_seen_at": story.first_seen_at.isoformat(),
                "updated_at": story.updated_at.isoformat(),
                "companies": list(story.companies),
                "outlets": list(story.outlets),
                "evidence": list(story.evidence),
            }
            for story in reply.stories
        ],
    }
