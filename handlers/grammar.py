"""The one ``/deal`` grammar, shared by Slack, Discord, the HTTP endpoints and the CLI.

Text is cleaned first (control and bidi-override characters removed, whitespace collapsed),
then length-limited, then matched against the commands below. Everything else (RTL scripts,
emoji, quotes, text that looks like SQL) is plain text: it is only ever compared with or bound
as data, never interpreted. Every failure is a :class:`bot.errors.CommandError` whose message
is one actionable line::

    <company> [<N>d]                      latest [closures|partnerships] [<N>d]
    watch <company>|everything [closures|partnerships|all] [filters]   unwatch <company>   list
        filters: country:JP status:confirmed,planned|status:-talks min-jobs:500
                 min-confidence:0.8 +"EV" -recall   (see handlers.filter_grammar)
    mute <company> <duration>             unmute <company>
    digest daily HH:MM [timezone] | digest off
    quiet HH:MM-HH:MM [timezone] | quiet off
    sources     sources add <url> [name]     sources remove <name>     help
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config.durations import parse_duration
from bot.domain import EventType
from bot.errors import CommandError
from bot.ports import EVERY_COMPANY
from bot.redaction import redact_url
from handlers import commands as c
from handlers.filter_grammar import is_filter, parse_filters, tokens

MAX_LINE = 500
MAX_ARG = 200
MAX_URL = 400
MAX_DAYS = 365
MAX_MUTE_SECONDS = 365 * 86400.0

_EVENT_WORDS: dict[str, EventType] = {
    "closures": EventType.PLANT_CLOSURE,
    "closure": EventType.PLANT_CLOSURE,
    "partnerships": EventType.PARTNERSHIP,
    "partnership": EventType.PARTNERSHIP,
}
_DAYS = re.compile(r"(\d{1,6})d")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def clean(text: str) -> str:
    """``text`` with control/bidi-override characters dropped and whitespace collapsed."""
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(char)
    return " ".join("".join(kept).split())


def parse(text: str) -> c.Command:
    """The command in one ``/deal`` line (with or without the ``/deal`` prefix).

    Raises:
        CommandError: the line is too long, or no command matches; the message says what to
            type instead.
    """
    line = clean(text[: MAX_LINE * 4])  # a huge paste is rejected without scanning it all
    if len(line) > MAX_LINE:
        raise CommandError(f"That command is too long (over {MAX_LINE} characters); try /deal help")
    words = line.split(" ") if line else []
    if words and words[0].casefold() == "/deal":
        words = words[1:]
    if not words:
        return c.Help()
    head, rest = words[0].casefold(), words[1:]
    parser = _PARSERS.get(head)
    return parser(rest) if parser else _lookup(words)


def _lookup(words: list[str]) -> c.Lookup:
    days = c.DEFAULT_DAYS
    if len(words) > 1 and _DAYS.fullmatch(words[-1].casefold()):
        days = _days(words[-1])
        words = words[:-1]
    return c.Lookup(_company(words, "/deal <company> [<N>d], e.g. /deal nissan 7d"), days)


def _latest(rest: list[str]) -> c.Latest:
    usage = "/deal latest [closures|partnerships] [<N>d], e.g. /deal latest closures 14d"
    event_type: EventType | None = None
    days = 7
    seen_days = False
    for word in rest:
        key = word.casefold()
        if key in _EVENT_WORDS and event_type is None:
            event_type = _EVENT_WORDS[key]
        elif _DAYS.fullmatch(key) and not seen_days:
            days, seen_days = _days(word), True
        else:
            raise CommandError(f"Unexpected {_show(word)}; usage: {usage}")
    return c.Latest(event_type, days)


def _watch(rest: list[str]) -> c.Watch:
    usage = (
        "/deal watch <company> [closures|partnerships|all] [filters], "
        "e.g. /deal watch nissan closures country:JP min-jobs:500 +EV -recall"
    )
    words = tokens(" ".join(rest))
    start = next((n for n, word in enumerate(words) if is_filter(word)), len(words))
    words, filters = words[:start], parse_filters(words[start:])
    events = "all"
    if len(words) > 1 and words[-1].casefold() in (*_EVENT_WORDS, "all"):
        key = words[-1].casefold()
        events = "all" if key == "all" else _EVENT_WORDS[key].value
        words = words[:-1]
    if [w.casefold() for w in words] in (["*"], ["everything"]):
        return c.Watch(EVERY_COMPANY, events, filters)
    return c.Watch(_company(words, usage), events, filters)


def _unwatch(rest: list[str]) -> c.Unwatch:
    if [w.casefold() for w in rest] in (["*"], ["everything"]):
        return c.Unwatch(EVERY_COMPANY)
    return c.Unwatch(_company(rest, "/deal unwatch <company>, e.g. /deal unwatch nissan"))


def _list(rest: list[str]) -> c.ListChannel:
    _no_args("list", rest)
    return c.ListChannel()


def _mute(rest: list[str]) -> c.MuteCompany:
    usage = "/deal mute <company> <duration>, e.g. /deal mute nissan 7d"
    if len(rest) < 2:
        raise CommandError(f"Say what to mute and for how long: {usage}")
    try:
        seconds = parse_duration(rest[-1][:MAX_ARG])
    except ValueError:
        raise CommandError(f"{_show(rest[-1])} is not a duration like 12h or 7d; {usage}") from None
    if seconds > MAX_MUTE_SECONDS:
        raise CommandError(f"Mutes last at most 365d; {usage}")
    return c.MuteCompany(_company(rest[:-1], usage), seconds)


def _unmute(rest: list[str]) -> c.Unmute:
    return c.Unmute(_company(rest, "/deal unmute <company>, e.g. /deal unmute nissan"))


def _digest(rest: list[str]) -> c.Digest:
    usage = "/deal digest daily HH:MM [timezone] or /deal digest off, e.g. digest daily 08:30"
    keys = [w.casefold() for w in rest]
    if keys == ["off"]:
        return c.Digest(None)
    if len(rest) in (2, 3) and keys[0] == "daily":
        at = _clock(rest[1], usage)
        return c.Digest(at, _zone(rest[2], usage) if len(rest) == 3 else None)
    raise CommandError(f"Usage: {usage}")


def _quiet(rest: list[str]) -> c.Quiet:
    usage = "/deal quiet HH:MM-HH:MM [timezone] or /deal quiet off, e.g. quiet 22:00-07:00"
    if [w.casefold() for w in rest] == ["off"]:
        return c.Quiet(None)
    if len(rest) in (1, 2) and rest[0].count("-") == 1:
        start, end = (_clock(part, usage) for part in rest[0].split("-"))
        if start == end:
            raise CommandError(f"Quiet hours must start and end at different times; {usage}")
        return c.Quiet(start, end, _zone(rest[1], usage) if len(rest) == 2 else None)
    raise CommandError(f"Usage: {usage}")


def _sources(rest: list[str]) -> c.Sources | c.SourceAdd | c.SourceRemove:
    if not rest:
        return c.Sources()
    action, args = rest[0].casefold(), rest[1:]
    if action == "add":
        usage = "/deal sources add <url> [name], e.g. sources add https://example.com/feed.xml"
        if not args:
            raise CommandError(f"Give the feed URL: {usage}")
        url = args[0]
        try:
            parts = urlsplit(url) if len(url) <= MAX_URL else None
            ok = parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:  # e.g. an unclosed IPv6 bracket: http://u:pw@[x
            ok = False
        if not ok:
            raise CommandError(f"{_show(redact_url(url))} is not an http(s) URL; {usage}")
        name = _text(args[1:], "source name", usage) if len(args) > 1 else None
        return c.SourceAdd(url, name)
    if action == "remove":
        usage = "/deal sources remove <name>; /deal sources lists the names"
        return c.SourceRemove(_text(args, "source name", usage))
    raise CommandError(
        "Usage: /deal sources, /deal sources add <url> [name], sources remove <name>"
    )


def _help(rest: list[str]) -> c.Help:
    del rest  # "help anything" still helps
    return c.Help()


def _company(words: list[str], usage: str) -> str:
    return _text(words, "company name", usage)


def _text(words: list[str], what: str, usage: str) -> str:
    value = " ".join(words)
    if not value:
        raise CommandError(f"Give a {what}: {usage}")
    if len(value) > MAX_ARG:
        raise CommandError(f"That {what} is too long (over {MAX_ARG} characters); {usage}")
    if not any(ch.isalnum() for ch in value):
        raise CommandError(f"A {what} needs letters or digits; {usage}")
    return value


def _days(word: str) -> int:
    match = _DAYS.fullmatch(word.casefold())
    days = int(match.group(1)) if match else 0
    if not 1 <= days <= MAX_DAYS:
        raise CommandError(f"Give a number of days from 1d to {MAX_DAYS}d, e.g. 30d")
    return days


def _clock(word: str, usage: str) -> str:
    match = _CLOCK.fullmatch(word)
    if not match:
        raise CommandError(f"{_show(word)} is not a time like 08:30; {usage}")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _zone(word: str, usage: str) -> str:
    if len(word) <= 64 and not word.startswith(("/", ".")):
        try:
            ZoneInfo(word)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
        else:
            return word
    raise CommandError(f"{_show(word)} is not a time zone like Europe/Paris or UTC; {usage}")


def _no_args(command: str, rest: list[str]) -> None:
    if rest:
        raise CommandError(f"/deal {command} takes no arguments; try /deal {command}")


def _show(word: str) -> str:
    """A user's word quoted for a message, cut short so an error stays one short line."""
    return repr(word if len(word) <= 40 else word[:39] + "…")


_PARSERS: dict[str, Callable[[list[str]], c.Command]] = {
    "latest": _latest,
    "watch": _watch,
    "unwatch": _unwatch,
    "list": _list,
    "mute": _mute,
    "unmute": _unmute,
    "digest": _digest,
    "quiet": _quiet,
    "sources": _sources,
    "help": _help,
}
