"""The ``dealradar`` command line: one click group whose commands are imported on first use.

:data:`COMMANDS` names each command's module and object and carries its one-line summary, so
``dealradar --version`` and ``dealradar --help`` import no command module and none of the
libraries they pull in (SQLAlchemy, aiohttp, the chat SDKs, the classifier); a cron job pays
only for the command it runs. tests/cli/test_cli_lazy.py checks each summary against its
command's docstring.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from bot import __version__

# name -> ("module:attribute", the first paragraph of the command's docstring)
COMMANDS: dict[str, tuple[str, str]] = {
    "backfill": (
        "bot.cli.backfill:backfill",
        "Fetch and store a company's recent news (news search, GDELT) without alerting.",
    ),
    "check-config": (
        "bot.cli.run:check_config",
        "Validate the configuration and print what it resolves to (secrets redacted).",
    ),
    "classify": (
        "bot.cli.classify:classify_command",
        "Find plant closures and partnerships in TEXT (or in every line of --jsonl FILE).",
    ),
    "cluster": (
        "bot.cli.stories:cluster",
        "Print the story key of each item of a JSON-lines file, in order.",
    ),
    "db": ("bot.cli.run:db", "Database maintenance."),
    "deal": (
        "bot.cli.deal:deal",
        "Run a /deal command, e.g. `dealradar deal nissan 7d` or `dealradar deal help`.",
    ),
    "discord": ("bot.cli.discord:discord_group", "Discord set-up."),
    "eval": (
        "bot.cli.classify:eval_command",
        "Score the classifier on a labelled JSON-lines file in the corpus format.",
    ),
    "eval-clusters": (
        "bot.cli.stories:eval_clusters",
        "Score clustering of a labelled file (field ``cluster``) pairwise.",
    ),
    "run": (
        "bot.cli.run:run",
        "Run the bot: poll sources, classify, cluster and deliver alerts.",
    ),
    "sources": (
        "bot.cli.sources:sources",
        "Source health: last success, last error, next poll, disabled reason.",
    ),
    "train": (
        "bot.cli.train:train_command",
        "Fit the classifier's model from the labelled pool, dev and story sets.",
    ),
}


class LazyGroup(click.Group):
    """A click group whose subcommands, named in ``lazy``, are imported when first looked up."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "run":  # a long-running process: a stop during its imports is clean
            from bot.cli import early_stop

            early_stop.catch()
            ctx.call_on_close(early_stop.restore)
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, name: str) -> click.Command:
        module_name, _, attribute = self.lazy[name][0].partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}:{attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the summaries of commands not yet imported."""
        listed = {
            name: self.commands[name]
            if name in self.commands
            else click.Command(name, help=self.lazy[name][1])
            for name in self.list_commands(ctx)
        }
        click.Group(self.name, commands=listed).format_commands(ctx, formatter)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
