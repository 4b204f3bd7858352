"""Company names as people type them: aliases, "did you mean", ambiguity, autocomplete.

:class:`CompanyDirectory` answers from two places: a :class:`bot.ports.CompanyTable`
(the classifier's table of canonical names and aliases, so ``hon hai`` finds Foxconn) and the
companies stored stories mention (so a company the table does not know still works once the
store has stories about it). Stored names are cached for ``refresh_s`` seconds of the injected
clock, so a lookup the table resolves never touches the store.

"Did you mean" (:mod:`bot.suggest`: typos and words in another order) scores the table's names
and at most :data:`MAX_CANDIDATES` stored names: those whose length can reach
:data:`STORED_CUTOFF` at all, in the store's (alphabetical) order. That bounds the work of one
reply however many companies the store has seen, and it runs in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.ports import CompanyTable, StoryQueries
from bot.suggest import close_names, may_reach

_MIN_PREFIX = 3
_MAX_CHOICES = 8
_MAX_SUGGESTIONS = 5
MAX_CANDIDATES = 5_000  # stored names scored for one "did you mean" reply
TABLE_CUTOFF = 60  # 0-100: how close a table name must be to be suggested
STORED_CUTOFF = 70  # stored names are noisier (any organisation a headline named): closer


@dataclass(frozen=True, slots=True)
class Resolution:
    """``name`` when resolved; else ``choices`` (ambiguous) or ``suggestions`` (unknown)."""

    name: str | None
    choices: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


class StaticCompanyTable:
    """A :class:`CompanyTable` from a ``{canonical: aliases}`` mapping (config, tests)."""

    def __init__(self, entries: Mapping[str, Sequence[str]]) -> None:
        self._names = sorted(entries)
        self._keys: dict[str, str] = {}
        for canonical, aliases in entries.items():
            for spelling in (canonical, *aliases):
                self._keys.setdefault(spelling.casefold(), canonical)

    def resolve(self, name: str) -> str | None:
        return self._keys.get(name.casefold())

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        close = close_names(name, list(self._keys), limit=limit * 2, cutoff=TABLE_CUTOFF)
        return _unique(self._keys[key] for key in close)[:limit]

    def names(self) -> list[str]:
        return list(self._names)


class MergedTable:
    """Several tables as one; the first that resolves a name wins (config before built-in)."""

    def __init__(self, *tables: CompanyTable) -> None:
        self._tables = tables

    def resolve(self, name: str) -> str | None:
        for table in self._tables:
            found = table.resolve(name)
            if found:
                return found
        return None

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        return _unique(s for t in self._tables for s in t.suggest(name, limit))[:limit]

    def names(self) -> list[str]:
        return sorted(set(_unique(n for t in self._tables for n in t.names())))


class CompanyDirectory:
    """Resolves what a user typed to the canonical name stories are stored under."""

    def __init__(
        self,
        table: CompanyTable,
        stories: StoryQueries,
        now: Callable[[], datetime],
        refresh_s: float = 300.0,
    ) -> None:
        self._table = table
        self._stories = stories
        self._now = now
        self._refresh_s = refresh_s
        self._stored: list[str] = []
        self._stored_at: datetime | None = None

    def canonical(self, name: str) -> str:
        """The table's canonical name, else ``name`` itself (static routes, no store access)."""
        return self._table.resolve(name) or name

    async def resolve(self, name: str) -> Resolution:
        """Alias → canonical; unique prefix → that company; several → choices; else suggestions.

        Raises:
            StoreError: reading stored company names failed.
        """
        found = self._table.resolve(name)
        if found:
            return Resolution(found)
        key = name.casefold()
        stored = await self._stored_names()
        for candidate in stored:
            if candidate.casefold() == key:
                return Resolution(candidate)
        everyone = _unique([*self._table.names(), *stored])
        if len(key) >= _MIN_PREFIX:
            prefixed = [n for n in everyone if _starts(n, key)]
            if len(prefixed) == 1:
                return Resolution(prefixed[0])
            if prefixed:
                return Resolution(None, choices=tuple(sorted(prefixed)[:_MAX_CHOICES]))
        suggestions = await asyncio.to_thread(self._suggest, name, stored)
        return Resolution(None, suggestions=tuple(suggestions))

    def _suggest(self, name: str, stored: Sequence[str]) -> list[str]:
        """The table's close names, then the closest stored ones (runs in a thread)."""
        close = close_names(
            name,
            fuzzy_candidates(name, stored),
            limit=_MAX_SUGGESTIONS,
            cutoff=STORED_CUTOFF,
        )
        return _unique([*self._table.suggest(name, _MAX_SUGGESTIONS), *close])[:_MAX_SUGGESTIONS]

    async def complete(self, prefix: str, limit: int = 25) -> list[str]:
        """Names starting with ``prefix`` (any word of the name), alphabetical.

        Raises:
            StoreError: reading stored company names failed.
        """
        key = prefix.strip().casefold()
        everyone = sorted(
            set(self._table.names()) | set(await self._stored_names()), key=str.casefold
        )
        return [n for n in everyone if not key or _starts(n, key)][: max(0, limit)]

    async def _stored_names(self) -> list[str]:
        now = self._now()
        if self._stored_at is None or (now - self._stored_at).total_seconds() >= self._refresh_s:
            self._stored = await self._stories.known_companies()
            self._stored_at = now
        return self._stored


def fuzzy_candidates(typed: str, stored: Sequence[str], bound: int = MAX_CANDIDATES) -> list[str]:
    """At most ``bound`` stored names worth scoring against ``typed``: all of them when few,
    else those of a length that can reach :data:`STORED_CUTOFF`, in the store's order."""
    if len(stored) <= bound:
        return list(stored)
    fits = (n for n in stored if may_reach(typed, n, STORED_CUTOFF))
    return list(itertools.islice(fits, bound))


def _starts(name: str, key: str) -> bool:
    folded = name.casefold()
    return folded.startswith(key) or any(word.startswith(key) for word in folded.split())


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
