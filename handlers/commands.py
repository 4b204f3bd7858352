"""The typed ``/deal`` commands: what :func:`handlers.grammar.parse` produces.

One frozen dataclass per command; every field is already validated (lengths, ranges, known
time zones), so use cases never look at raw text again.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import EventType
from bot.filters import NO_FILTERS, Filters

DEFAULT_DAYS = 30


@dataclass(frozen=True, slots=True)
class Lookup:
    """``/deal <company> [<N>d]``"""

    company: str
    days: int = DEFAULT_DAYS


@dataclass(frozen=True, slots=True)
class Latest:
    """``/deal latest [closures|partnerships] [<N>d]``"""

    event_type: EventType | None = None
    days: int = 7


@dataclass(frozen=True, slots=True)
class Watch:
    """``/deal watch <company> [closures|partnerships|all] [filters]``; ``events`` is "all"
    or a type."""

    company: str
    events: str = "all"
    filters: Filters = NO_FILTERS


@dataclass(frozen=True, slots=True)
class Unwatch:
    company: str


@dataclass(frozen=True, slots=True)
class ListChannel:
    """``/deal list``"""


@dataclass(frozen=True, slots=True)
class MuteCompany:
    company: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Unmute:
    company: str


@dataclass(frozen=True, slots=True)
class Digest:
    """``/deal digest daily HH:MM [tz]`` (``at`` set) or ``/deal digest off`` (``at`` None)."""

    at: str | None
    timezone: str | None = None  # None keeps the channel's time zone


@dataclass(frozen=True, slots=True)
class Quiet:
    """``/deal quiet HH:MM-HH:MM [tz]`` or ``/deal quiet off`` (``start`` None)."""

    start: str | None
    end: str | None = None
    timezone: str | None = None  # None keeps the channel's time zone


@dataclass(frozen=True, slots=True)
class Sources:
    """``/deal sources``"""


@dataclass(frozen=True, slots=True)
class SourceAdd:
    url: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SourceRemove:
    name: str


@dataclass(frozen=True, slots=True)
class Help:
    pass


Command = (
    Lookup
    | Latest
    | Watch
    | Unwatch
    | ListChannel
    | MuteCompany
    | Unmute
    | Digest
    | Quiet
    | Sources
    | SourceAdd
    | SourceRemove
    | Help
)

ADMIN_COMMANDS = (SourceAdd, SourceRemove)
