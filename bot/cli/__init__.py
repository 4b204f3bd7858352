"""The ``dealradar`` command line: one click group; each concern registers its commands here."""

from __future__ import annotations

import os

import click

from bot import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dealradar")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML config file (else $DEALRADAR_CONFIG, else ./dealradar.toml, else defaults).",
)
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """dealradar: alerts chat channels about plant closures and partnerships in the news."""
    if os.environ.get("DEALRADAR_NETGUARD") == "1":  # set by the test suite for subprocesses
        from bot import _netguard

        _netguard.install()
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["verbose"] = verbose


from bot.cli import run as _run  # noqa: E402

_run.register(main)


from bot.cli import deal as _deal  # noqa: E402

_deal.register(main)


from bot.cli import discord as _discord_cli  # noqa: E402

_discord_cli.register(main)


from bot.cli import classify as _classify  # noqa: E402

_classify.register(main)


from bot.cli import stories as _stories  # noqa: E402

_stories.register(main)


from bot.cli import train as _train  # noqa: E402

_train.register(main)
