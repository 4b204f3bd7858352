"""``dealradar backfill COMPANY [--days N]``: store a company's recent past without alerting.

Runs :class:`bot.ingest.backfill.Backfiller` in the foreground over the bot's own store, sources and
HTTP client (:func:`bot.runtime.app.build`): the company's news-search feed as it is now and, where
a GDELT source is enabled, GDELT's last N days. Nothing is alerted; ``/deal COMPANY Nd`` lists what
was stored. Progress goes to the log, and to a bar on stderr on a terminal. Interrupting (Ctrl-C)
keeps what was committed; running it again resumes (what is stored is skipped).

Exit status: 0 done (failed requests are listed), 1 every request failed or the database is
unusable, 2 bad usage (an unknown company, ``--days`` outside 1..90) or configuration.
"""

from __future__ import annotations

import asyncio

import click

from bot.cli.progress import progress_bar
from bot.cli.run import configure_logging, settings_from
from bot.config.settings import Settings

DEFAULT_DAYS = 90
MAX_DAYS = 90  # bot.ingest.backfill.MAX_DAYS, kept here so --help imports nothing heavy


async def _backfill(settings: Settings, company: str, days: int) -> tuple[int, int, list[str]]:
    from bot.runtime import app

    runtime = await app.build(settings)
    try:
        steps = await runtime.backfiller.steps(company, days)
        with progress_bar(steps, f"backfill {company}") as advance:
            report = await runtime.backfiller.run(company, days, lambda _: advance(1))
        return report.fetched, report.stored, report.failed
    finally:
        await runtime.close()


def _canonical(settings: Settings, typed: str) -> str:
    """The company table's name for ``typed``. Raises click.BadParameter (exit 2)."""
    from bot.runtime.wiring import company_table

    table = company_table(settings)
    name = table.resolve(typed)
    if name is not None:
        return name
    close = table.suggest(typed, 3)
    hint = f"; did you mean {', '.join(close)}?" if close else " (add it under [[companies]])"
    raise click.BadParameter(f"no company called {typed!r} is known{hint}", param_hint="COMPANY")


@click.command("backfill")
@click.argument("company")
@click.option(
    "--days",
    type=int,
    default=DEFAULT_DAYS,
    show_default=True,
    help=f"How many days of GDELT to fetch (1 to {MAX_DAYS}).",
)
@click.pass_context
def backfill(ctx: click.Context, company: str, days: int) -> None:
    """Fetch and store a company's recent news (news search, GDELT) without alerting."""
    if not 1 <= days <= MAX_DAYS:
        raise click.BadParameter(
            f"{days} is not within 1..{MAX_DAYS} (GDELT searches the last {MAX_DAYS} days)",
            param_hint="'--days'",
        )
    settings = settings_from(ctx)
    configure_logging(ctx, settings)
    name = _canonical(settings, company)
    from bot.errors import CorruptDatabaseError, StoreError

    try:
        fetched, stored, failed = asyncio.run(_backfill(settings, name, days))
    except KeyboardInterrupt:
        click.echo(f"backfill of {name} interrupted; run it again to resume", err=True)
        ctx.exit(1)
    except StoreError as exc:
        click.echo(f"dealradar: {exc}", err=True)
        ctx.exit(2 if isinstance(exc, CorruptDatabaseError) else 1)
    for problem in failed:
        click.echo(f"failed: {problem}", err=True)
    click.echo(
        f"{name}: {fetched} articles fetched, {stored} new stored (not alerted); "
        f"dealradar deal {name} {days}d lists its stories"
    )
    if fetched == 0 and failed:
        ctx.exit(1)
