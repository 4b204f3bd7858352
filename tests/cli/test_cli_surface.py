"""The command line's surface is a contract: names, options, help texts and usage exit codes.

``cli_surface.json`` records, for every command and subcommand, click's description of it
(``to_info_dict``: every parameter's options, type, default, flags and help) and its rendered
``--help`` at two fixed widths. Deployments, cron lines and external checks call these
commands; a change here is a change for them. Regenerate the
file (``python tests/cli/test_cli_surface.py > tests/cli/cli_surface.json``) only for a
deliberate change of the command line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

SURFACE = Path(__file__).with_name("cli_surface.json")
WIDTHS = (80, 50)  # the usual, and one narrow enough to shorten every summary


def _help(path: list[str]) -> dict[str, Any]:
    from bot.cli import main

    out: dict[str, Any] = {}
    for width in WIDTHS:
        result = CliRunner().invoke(
            main, [*path, "--help"], prog_name="dealradar", terminal_width=width
        )
        out[str(width)] = {"exit_code": result.exit_code, "output": result.output}
    return out


def _walk(command: click.Command, ctx: click.Context, path: list[str], out: dict[str, Any]) -> None:
    # Command's own description, not Group's: that one describes subcommands in contexts
    # without their own settings, and click caches each command's help option as the first
    # context it sees names it (``deal`` would gain ``-h``)
    info = click.Command.to_info_dict(command, ctx)
    out[" ".join(["dealradar", *path])] = {"info": info, "help": _help(path)}
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            with click.Context(sub, info_name=name, parent=ctx, **sub.context_settings) as sub_ctx:
                _walk(sub, sub_ctx, [*path, name], out)


def surface() -> dict[str, Any]:
    """Every command's description and help, keyed by its full command line."""
    from bot.cli import main

    out: dict[str, Any] = {}
    with click.Context(main, info_name="dealradar", **main.context_settings) as ctx:
        _walk(main, ctx, [], out)
    runner = CliRunner()
    out["usage errors"] = {
        " ".join(argv): runner.invoke(main, argv, prog_name="dealradar").exit_code
        for argv in (["no-such-command"], ["--no-such-option"], ["run", "--bogus"], ["db"])
    }
    shown: dict[str, Any] = json.loads(json.dumps(out, default=repr))  # paths etc. as text
    return shown


def test_the_command_line_is_unchanged() -> None:
    # in a fresh interpreter: click caches a command's help option on the command object, and
    # other tests run these commands in groups of their own
    done = subprocess.run(
        [sys.executable, __file__], capture_output=True, text=True, timeout=120, check=True
    )
    actual = json.loads(done.stdout)
    expected = json.loads(SURFACE.read_text(encoding="utf-8"))
    assert sorted(actual) == sorted(expected)
    for key, value in expected.items():
        assert actual[key] == value, key


if __name__ == "__main__":
    print(json.dumps(surface(), indent=1, ensure_ascii=False, sort_keys=True))
