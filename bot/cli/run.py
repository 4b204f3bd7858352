"""``dealradar run``, ``check-config`` and ``db upgrade``: the operator's commands (``sources``
is :mod:`bot.cli.sources`).

Exit codes: 0 success; 1 the job could do nothing (every poll failed, database unreachable);
2 bad configuration or usage (the message names the key), or a damaged SQLite file (the one-line
message names it and how to restore or recover it; waiting or retrying does not help).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime

import click

from bot.cli import early_stop
from bot.config.durations import format_duration
from bot.config.loader import SECRET_ENV, load_settings
from bot.config.settings import Settings
from bot.errors import ConfigError, CorruptDatabaseError, StoreError
from bot.logs import setup_logging
from bot.redaction import redact_url

log = logging.getLogger(__name__)


def settings_from(ctx: click.Context) -> Settings:
    """Load settings for a command, or exit 2 with every problem listed."""
    try:
        return load_settings(ctx.obj.get("config_path"))
    except ConfigError as exc:
        click.echo(f"dealradar: {exc}", err=True)
        ctx.exit(2)
        raise  # unreachable: ctx.exit raises


def secret_values(settings: Settings) -> list[str]:
    values = []
    for key in SECRET_ENV.values():
        section, name = key.split(".")
        secret = getattr(getattr(settings, section), name)
        if secret is not None:
            values.append(secret.get_secret_value())
    return values


def configure_logging(ctx: click.Context, settings: Settings) -> None:
    level = "debug" if ctx.obj.get("verbose") else settings.log_level
    setup_logging(level, secret_values(settings))


@click.command()
@click.option("--once", is_flag=True, help="One poll-and-deliver cycle, then exit (for cron).")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Run the bot: poll sources, classify, cluster and deliver alerts."""
    if once:
        early_stop.release()
    settings = settings_from(ctx)
    configure_logging(ctx, settings)
    try:
        code = asyncio.run(_run(settings, once))
    except StoreError as exc:
        click.echo(f"dealradar: {exc}", err=True)
        code = _store_exit_code(exc)
    ctx.exit(code)


def _store_exit_code(exc: StoreError) -> int:
    """2 for a damaged file (only the operator can fix it), else 1."""
    return 2 if isinstance(exc, CorruptDatabaseError) else 1


async def _run(settings: Settings, once: bool) -> int:
    from bot.runtime import app, gc_tuning

    stop = asyncio.Event()
    if not once:
        # before building: a SIGINT or SIGTERM while starting (migrations, workers) is a
        # clean stop too, not a KeyboardInterrupt out of the middle of start-up
        loop = asyncio.get_running_loop()
        for sig in early_stop.STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
        if early_stop.requested():  # it came while the libraries were being imported
            log.info("stop requested during start-up; nothing was started")
            return 0
    runtime = await app.build(settings)
    gc_tuning.tune()  # a long-running process: see bot/runtime/gc_tuning.py
    try:
        if once:
            return await app.run_once(runtime)
        if not stop.is_set():
            await app.run_forever(runtime, stop, announce=click.echo)
        return 0
    finally:
        await runtime.close()


@click.command("check-config")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def check_config(ctx: click.Context, as_json: bool) -> None:
    """Validate the configuration and print what it resolves to (secrets redacted)."""
    if as_json:
        try:
            resolved = load_settings(ctx.obj.get("config_path"))
        except ConfigError as exc:
            click.echo(json.dumps({"ok": False, "problems": exc.problems}, indent=2))
            ctx.exit(2)
        click.echo(json.dumps(config_json(resolved), indent=2))
        return
    s = settings_from(ctx)
    click.echo("configuration OK")
    click.echo(f"  database_url   {_redact_url(s.database_url)}")
    click.echo(f"  poll_interval  {format_duration(s.poll_interval)}")
    click.echo(f"  group_wait     {format_duration(s.group_wait)}")
    click.echo(f"  sources        {len(s.sources)}")
    for src in s.sources:
        where = redact_url(src.url) if src.url else src.query
        every = format_duration(src.interval or s.poll_interval)
        click.echo(f"    - {src.name} [{src.resolved_kind}, every {every}] {where}")
    click.echo(f"  routes         {len(s.routes)}")
    for route in s.routes:
        companies = ", ".join(route.companies) or "all companies"
        events = ", ".join(e.value for e in route.events)
        click.echo(f"    - {route.platform} {route.channel or ''} ({companies}; {events})".rstrip())
    slack = "enabled" if s.slack.enabled else "off (SLACK_BOT_TOKEN unset)"
    discord = "enabled" if s.discord.enabled else "off (DISCORD_TOKEN unset)"
    click.echo(f"  slack          {slack}")
    click.echo(f"  discord        {discord}")
    click.echo(f"  http           {s.http.host}:{s.http.port}" if s.http.enabled else "  http off")


def config_json(s: Settings) -> dict[str, object]:
    """What ``check-config --json`` prints: the same facts as the text, secrets redacted."""
    return {
        "ok": True,
        "database_url": _redact_url(s.database_url),
        "poll_interval_s": s.poll_interval,
        "group_wait_s": s.group_wait,
        "sources": [
            {
                "name": src.name,
                "kind": src.resolved_kind,
                "interval_s": src.interval or s.poll_interval,
                "url": redact_url(src.url) if src.url else None,
                "query": src.query,
            }
            for src in s.sources
        ],
        "routes": [
            {
                "platform": route.platform,
                "channel": route.channel,
                "companies": list(route.companies),
                "events": [e.value for e in route.events],
            }
            for route in s.routes
        ],
        "slack": {"enabled": s.slack.enabled},
        "discord": {"enabled": s.discord.enabled},
        "http": {"enabled": s.http.enabled, "host": s.http.host, "port": s.http.port},
    }


def _redact_url(url: str) -> str:
    from bot.logs import SecretScrubber

    return SecretScrubber().scrub(url)


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    return f"{format_duration(max(seconds, 1))} ago ({moment:%Y-%m-%d %H:%M:%S} UTC)"


def _when(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    return "due now" if seconds <= 0 else f"in {format_duration(max(seconds, 1))}"


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply database migrations (also done automatically at start)."""
    settings = settings_from(ctx)

    async def go() -> tuple[str | None, str | None]:
        from bot.store.db import create_engine, migration_state, upgrade

        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
            return await migration_state(engine)
        finally:
            await engine.dispose()

    try:
        current, _head = asyncio.run(go())
    except CorruptDatabaseError as exc:
        click.echo(f"dealradar: {exc}", err=True)
        ctx.exit(2)
    except Exception as exc:
        click.echo(f"dealradar: migration failed: {type(exc).__name__}: {exc}", err=True)
        ctx.exit(1)
    click.echo(f"database at revision {current}")
