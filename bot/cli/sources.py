"""``dealradar sources`` (source health), ``sources import FILE.opml`` and ``sources export``.

``dealradar sources [--json]`` with no subcommand prints each source's health; like
``export`` it only reads the database (:mod:`bot.cli.store_access`): configured sources the
database does not hold yet are shown as the next start will add them. ``import`` adds the
feeds of an OPML file in one transaction, skipping those already present, and says what it
did; a refused file (:class:`bot.errors.OpmlError`) changes nothing and exits 2. ``export``
writes every source as OPML 2.0 to stdout; feed URLs are printed as everywhere else, without
credentials or secret-looking query values (:func:`bot.redaction.redact_url`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.run import _ago, _store_exit_code, _when, settings_from
from bot.cli.store_access import read_only
from bot.config.settings import Settings
from bot.errors import CorruptDatabaseError, OpmlError, StoreError
from bot.redaction import redact_url
from bot.store.sources_repo import SourceRecord

if TYPE_CHECKING:
    from bot.opml import OpmlFeed
    from bot.store.sources_import import ImportReport


@click.group("sources", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the health as JSON.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """Source health: last success, last error, next poll, disabled reason."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_from(ctx)
    now = datetime.now(UTC)
    try:
        rows = asyncio.run(source_rows(settings, now))
    except StoreError as exc:
        click.echo(f"dealradar: {exc}", err=True)
        ctx.exit(_store_exit_code(exc))
    if as_json:
        click.echo(json.dumps({"sources": [health_json(row) for row in rows]}, indent=2))
        return
    if not rows:
        click.echo("no sources")
        return
    for row in rows:
        state = "ok" if row.enabled and not row.consecutive_failures else "failing"
        if not row.enabled:
            state = "DISABLED"
        click.echo(f"{row.name}  [{row.kind}] {state}")
        click.echo(f"    target        {redact_url(row.url) if row.url else row.query}")
        click.echo(f"    last success  {_ago(row.last_success_at, now)}")
        if row.last_error:
            error = redact_url(row.last_error)[:300]
            click.echo(f"    last error    {_ago(row.last_error_at, now)}: {error}")
            click.echo(f"    failures      {row.consecutive_failures} in a row")
        if row.enabled:
            click.echo(f"    next poll     {_when(row.next_poll_at, now)}")
        else:
            click.echo(f"    disabled      {_ago(row.disabled_at, now)}: {row.disabled_reason}")


async def source_rows(settings: Settings, now: datetime) -> list[SourceRecord]:
    """Every source in the database, plus the configured ones it does not hold yet (as the
    next start will add them: due now, never polled). Only reads: no migration, no config
    sync, no new SQLite file.

    Raises:
        StoreError: the database cannot be read or its schema is behind this version.
    """
    from bot.runtime.app import desired_sources
    from bot.store.sources_repo import SourcesRepo, unpolled

    async with read_only(settings) as sessions:
        stored = [] if sessions is None else await SourcesRepo(sessions).all()
    names = {row.name for row in stored}
    pending = [unpolled(d, now) for d in desired_sources(settings) if d.name not in names]
    return sorted([*stored, *pending], key=lambda row: row.name)


def health_json(row: SourceRecord) -> dict[str, object]:
    """One source's health as ``dealradar sources --json`` prints it (times ISO 8601 UTC)."""

    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    state = "ok" if row.enabled and not row.consecutive_failures else "failing"
    return {
        "name": row.name,
        "kind": row.kind,
        "target": redact_url(row.url) if row.url else row.query,
        "origin": row.origin,
        "state": state if row.enabled else "disabled",
        "enabled": row.enabled,
        "interval_s": row.interval_s,
        "last_success_at": iso(row.last_success_at),
        "last_error": redact_url(row.last_error)[:300] if row.last_error else None,
        "last_error_at": iso(row.last_error_at),
        "consecutive_failures": row.consecutive_failures,
        "next_poll_at": iso(row.next_poll_at) if row.enabled else None,
        "disabled_reason": row.disabled_reason,
        "disabled_at": iso(row.disabled_at),
    }


@sources.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def import_opml(ctx: click.Context, file: Path) -> None:
    """Add the feeds of an OPML file; feeds already present (same canonical URL) are skipped."""
    settings = settings_from(ctx)
    try:
        data = file.read_bytes()
        from bot.opml import read_opml

        feeds = read_opml(data)
        report = asyncio.run(_import(settings, feeds))
    except OpmlError as exc:
        click.echo(f"dealradar: {file}: {exc}; nothing was imported", err=True)
        ctx.exit(2)
    except OSError as exc:
        click.echo(f"dealradar: cannot read {file}: {exc.strerror or exc}", err=True)
        ctx.exit(2)
    except StoreError as exc:
        click.echo(f"dealradar: {exc}", err=True)
        ctx.exit(_store_exit_code(exc))
    click.echo(
        f"{file}: {len(feeds)} feeds, {len(report.added)} added, {len(report.skipped)} skipped"
    )
    for name in report.added:
        click.echo(f"  added    {name}")
    for name, why in report.skipped:
        click.echo(f"  skipped  {name}: {why}")


@sources.command("export")
@click.pass_context
def export_opml(ctx: click.Context) -> None:
    """Write every source as OPML 2.0 to stdout (news-search and GDELT sources in folders)."""
    settings = settings_from(ctx)
    try:
        click.echo(asyncio.run(_export(settings)), nl=False)
    except StoreError as exc:
        click.echo(f"dealradar: {exc}", err=True)
        ctx.exit(_store_exit_code(exc))


async def _import(settings: Settings, feeds: list[OpmlFeed]) -> ImportReport:
    from bot.store.db import create_engine, upgrade, writer_sessions
    from bot.store.sources_import import import_feeds

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        return await import_feeds(
            writer_sessions(engine), feeds, settings.poll_interval, datetime.now(UTC)
        )
    except (CorruptDatabaseError, StoreError):
        raise
    except Exception as exc:
        raise StoreError(f"cannot import into the database: {type(exc).__name__}: {exc}") from exc
    finally:
        await engine.dispose()


async def _export(settings: Settings) -> str:
    from bot.opml import write_opml
    from bot.sources.gdelt import gdelt_url
    from bot.sources.news_search import search_url
    from bot.store.sources_import import all_feeds

    async with read_only(settings) as sessions:
        feeds = [] if sessions is None else await all_feeds(sessions)
    shown = [replace(f, url=redact_url(f.url)) if f.url else f for f in feeds]
    links = {
        f.name: (search_url if f.kind == "news_search" else gdelt_url)(f.query)
        for f in feeds
        if f.query and f.kind in ("news_search", "gdelt")
    }
    return write_opml(shown, datetime.now(UTC), links)
