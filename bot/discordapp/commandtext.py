"""``/deal`` subcommands and their options → the one command line the runner parses.

Discord sends typed options; dealradar's grammar (:mod:`handlers.grammar`) is text. Both
command modes rebuild the text here, so ``/deal watch company:Nissan kind:closures`` from the
gateway and the same interaction over HTTP become the same ``"watch Nissan closures"``.
The table is also the single description of every subcommand's options.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.errors import CommandError

Options = Mapping[str, Any]
KINDS = ("closures", "partnerships", "all")
GROUP = "deal"


def _s(options: Options, name: str) -> str:
    value = options.get(name)
    return "" if value is None else " ".join(str(value).split())


def _days(options: Options) -> str:
    days = options.get("days")
    return f" {int(days)}d" if days is not None else ""


def _company(o: Options) -> str:
    return _s(o, "company") + _days(o)


def _latest(o: Options) -> str:
    kind = _s(o, "kind")
    return "latest" + (f" {kind}" if kind and kind != "all" else "") + _days(o)


def _watch(o: Options) -> str:
    kind, filters = _s(o, "kind"), _s(o, "filters")
    return (
        f"watch {_s(o, 'company')}"
        + (f" {kind}" if kind else "")
        + (f" {filters}" if filters else "")
    )


def _digest(o: Options) -> str:
    when = _s(o, "time")
    if when.lower() == "off":
        return "digest off"
    zone = _s(o, "timezone")
    return f"digest daily {when}" + (f" {zone}" if zone else "")


def _quiet(o: Options) -> str:
    hours = _s(o, "hours")
    if hours.lower() == "off":
        return "quiet off"
    zone = _s(o, "timezone")
    return f"quiet {hours}" + (f" {zone}" if zone else "")


def _source_add(o: Options) -> str:
    name = _s(o, "name")
    return f"sources add {_s(o, 'url')}" + (f" {name}" if name else "")


BUILDERS: dict[str, Callable[[Options], str]] = {
    "company": _company,
    "latest": _latest,
    "watch": _watch,
    "unwatch": lambda o: f"unwatch {_s(o, 'company')}",
    "list": lambda o: "list",
    "mute": lambda o: f"mute {_s(o, 'company')} {_s(o, 'duration')}",
    "unmute": lambda o: f"unmute {_s(o, 'company')}",
    "digest": _digest,
    "quiet": _quiet,
    "sources": lambda o: "sources",
    "source-add": _source_add,
    "source-remove": lambda o: f"sources remove {_s(o, 'name')}",
    "help": lambda o: "help",
}


def build_text(subcommand: str, options: Options) -> str:
    """The command line for one ``/deal`` subcommand.

    Raises:
        CommandError: the subcommand is not one of ours (a stale registration).
    """
    builder = BUILDERS.get(subcommand)
    if builder is None:
        raise CommandError(f"Unknown subcommand {subcommand[:40]!r}; try /deal help")
    return builder(options).strip()


def from_interaction_data(data: Mapping[str, Any]) -> tuple[str, dict[str, Any], str | None]:
    """``(subcommand, {option: value}, focused option name)`` from an interaction's ``data``.

    Raises:
        CommandError: not a ``/deal`` subcommand payload.
    """
    top = data.get("options") or []
    if (
        data.get("name") != GROUP
        or not isinstance(top, list)
        or not top
        or not isinstance(top[0], dict)
        or top[0].get("type") != 1
    ):
        raise CommandError("Unknown command; try /deal help")
    options = top[0].get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
        raise CommandError("Malformed command options; try /deal help")
    values: dict[str, Any] = {}
    focused = None
    for option in options:
        values[str(option.get("name"))] = option.get("value")
        if option.get("focused"):
            focused = str(option.get("name"))
    return str(top[0].get("name")), values, focused
