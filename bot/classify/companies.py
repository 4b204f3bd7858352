"""The company table: canonical names, aliases and parents, and finding them in text.

Owns the data file shipped beside it (``companies.toml``), its extension from config
(:meth:`CompanyTable.with_extra`), alias resolution ("Hon Hai Precision Industry Co., Ltd." and
"鴻海" both resolve to "Foxconn") and the fast scan of a text for known names. Organisations that
are *not* in the table are recognised from the shape of the text by :mod:`bot.classify.orgs`.

Matching rules (see the header of ``companies.toml``): ordinary aliases match case-insensitively,
so lower-case headlines rebuilt from URLs still match; short all-capital aliases ("GM", "BP") and
entries flagged ``ambiguous`` (names that are also English words: "Target", "Ball") match only as
written, and ambiguous ones never inside ALL-CAPS text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.classify.trie import trie_pattern
from bot.errors import ConfigError
from bot.suggest import close_names

# Legal-form suffixes that never change which company is meant.
_LEGAL = (
    r"(?:Co(?:mpany)?|Corp(?:oration)?|Inc(?:orporated)?|Ltd|Limited|LLC|L\.L\.C|Plc|PLC|plc|AG|"
    r"SA|S\.A|SE|NV|N\.V|BV|GmbH|KGaA|SpA|S\.p\.A|AB|ASA|Oyj|Holdings?|Group)"
)
_LEGAL_TAIL = re.compile(r"(?:[\s,]+(?:&\s*)?" + _LEGAL + r"\.?)+\s*$")
# After a match: swallow trailing legal forms so the span covers "Nissan Motor Co., Ltd.".
_SPAN_TAIL = re.compile(r"(?:,?\s+(?:Motor\s+)?" + _LEGAL + r"\b\.?)+")
_SPACES = re.compile(r"\s+")
_SERVICE_SECTORS = frozenset(
    {
        "retail",
        "finance",
        "media",
        "telecom",
        "airline",
        "logistics",
        "regulator",
        "union",
        "tech",
        "consulting",
        "university",
    }
)


@dataclass(frozen=True, slots=True)
class CompanyEntry:
    """One row of the table."""

    name: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    sector: str = ""
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class CompanyMention:
    """A company found in a text: its canonical name and where it was written."""

    name: str
    start: int
    end: int
    text: str


def _key(name: str) -> str:
    return _SPACES.sub(" ", name.replace("’", "'")).strip().casefold()


def _is_acronym(alias: str) -> bool:
    letters = alias.replace("&", "").replace(".", "")
    return len(letters) <= 4 and letters.isupper()


class CompanyTable:
    """Known companies. Immutable; :meth:`with_extra` returns an extended copy."""

    def __init__(self, entries: Iterable[CompanyEntry]) -> None:
        self._entries: dict[str, CompanyEntry] = {}
        self._alias: dict[str, str] = {}
        for entry in entries:
            self._entries[entry.name] = entry
            for alias in (entry.name, *entry.aliases):
                self._alias[_key(alias)] = entry.name
        folded: list[str] = []
        exact: list[str] = []
        script: list[str] = []  # CJK and other scripts written without spaces: no boundaries
        self._exact_ambiguous: set[str] = set()
        for entry in self._entries.values():
            for alias in (entry.name, *entry.aliases):
                if alias[0] >= "\u2e80":  # CJK, kana, hangul
                    script.append(alias)
                elif entry.ambiguous:
                    exact.append(alias)
                    self._exact_ambiguous.add(alias)
                elif _is_acronym(alias):
                    exact.append(alias)
                else:
                    folded.append(alias.casefold())
        # Matched against the lower-cased text: much faster than re.IGNORECASE on a big trie.
        self._folded = re.compile(r"\b" + trie_pattern(folded) + r"(?![\w&])")
        self._folded_i = re.compile(self._folded.pattern, re.I)
        self._exact = re.compile(r"\b" + trie_pattern(exact) + r"(?![\w&])")
        self._script = re.compile(trie_pattern(script)) if script else None

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def default(cls) -> CompanyTable:
        """The table shipped in the package (parsed once, then cached)."""
        return _default_table()

    @classmethod
    def from_toml(cls, text: str) -> CompanyTable:
        """Parse a table in the ``companies.toml`` format.

        Raises:
            ConfigError: the text is not valid TOML or an entry is malformed.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"companies: {exc}"]) from exc
        return cls(parse_entries(data.get("companies", []), "companies"))

    def with_extra(self, entries: Iterable[Mapping[str, Any] | CompanyEntry]) -> CompanyTable:
        """A copy with config entries added (same fields as the data file).

        An entry whose name is already known adds its aliases (and parent, if given).

        Raises:
            ConfigError: an entry lacks a name or has a field of the wrong type.
        """
        merged = dict(self._entries)
        plain = [e for e in entries if not isinstance(e, CompanyEntry)]
        typed = [e for e in entries if isinstance(e, CompanyEntry)]
        for entry in [*typed, *parse_entries(plain, "companies.extra")]:
            old = merged.get(entry.name)
            if old is not None:
                entry = CompanyEntry(
                    name=old.name,
                    aliases=tuple(dict.fromkeys((*old.aliases, *entry.aliases))),
                    parent=entry.parent or old.parent,
                    sector=entry.sector or old.sector,
                    ambiguous=old.ambiguous or entry.ambiguous,
                )
            merged[entry.name] = entry
        return CompanyTable(merged.values())

    # -- queries --------------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Every canonical name, sorted."""
        return sorted(self._entries)

    def entry(self, name: str) -> CompanyEntry | None:
        """The row for a canonical name or alias, or ``None``."""
        canonical = self.resolve(name)
        return None if canonical is None else self._entries[canonical]

    def parent(self, name: str) -> str | None:
        """The group a company rolls up to, or ``None`` when it is its own top."""
        entry = self.entry(name)
        return None if entry is None else entry.parent

    def is_industrial(self, name: str) -> bool:
        """Whether a known company makes things (its sector is not retail, finance, media...)."""
        entry = self._entries.get(name)
        return entry is not None and entry.sector not in _SERVICE_SECTORS

    def roll_up(self, names: list[str]) -> list[str]:
        """``names`` without product brands whose parent is also named ("GM" + "Chevrolet")."""
        present = set(names)
        kept = []
        for name in names:
            entry = self._entries.get(name)
            if entry is not None and entry.sector == "brand" and entry.parent in present:
                continue
            kept.append(name)
        return kept

    def resolve(self, name: str) -> str | None:
        """Canonical name for ``name``, tolerating legal suffixes; ``None`` when unknown."""
        key = _key(name)
        found = self._alias.get(key)
        if found is not None:
            return found
        stripped = _LEGAL_TAIL.sub("", name.strip().rstrip("."))
        if stripped and stripped != name:
            found = self._alias.get(_key(stripped))
            if found is not None:
                return found
            if stripped.endswith((" Motor", " Motors")):
                return self._alias.get(_key(stripped.rsplit(" ", 1)[0]))
        return None

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Canonical names close to ``name`` (for "did you mean" replies; :mod:`bot.suggest`)."""
        keys = close_names(_key(name), list(self._alias), limit=limit * 3, cutoff=60)
        return list(dict.fromkeys(self._alias[k] for k in keys))[:limit]

    def _lookup(self, written: str) -> str:
        found = self._alias.get(written.casefold())
        return found if found is not None else self._alias[_key(written)]

    def find(self, text: str) -> list[CompanyMention]:
        """Known companies written in ``text``, in order, longest match winning overlaps."""
        shouty = text.upper() == text
        hits: list[tuple[int, int, str]] = []
        lower = text.lower()
        folded = self._folded if len(lower) == len(text) else self._folded_i
        for m in folded.finditer(lower if len(lower) == len(text) else text):
            hits.append((m.start(), m.end(), self._lookup(m.group())))
        for m in self._exact.finditer(text):
            word = m.group()
            if shouty and word in self._exact_ambiguous:
                continue
            hits.append((m.start(), m.end(), self._lookup(word)))
        if self._script is not None and not text.isascii():
            for m in self._script.finditer(text):
                hits.append((m.start(), m.end(), self._lookup(m.group())))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        mentions: list[CompanyMention] = []
        last_end = -1
        for start, end, name in hits:
            if start < last_end:
                continue
            if text[end : end + 1] in (",", " "):
                tail = _SPAN_TAIL.match(text, end)
                if tail is not None:
                    end = tail.end()
            mentions.append(CompanyMention(name, start, end, text[start:end]))
            last_end = end
        return mentions


def parse_entries(raw: Iterable[Mapping[str, Any]], where: str) -> list[CompanyEntry]:
    """Validate raw mappings into entries, listing every problem at once.

    Raises:
        ConfigError: one or more entries are malformed.
    """
    problems: list[str] = []
    entries: list[CompanyEntry] = []
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}[{i}].name: a non-empty string is required")
            continue
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(f"{where}[{i}].aliases: must be a list of strings")
            continue
        parent = item.get("parent")
        if parent is not None and not isinstance(parent, str):
            problems.append(f"{where}[{i}].parent: must be a string")
            continue
        entries.append(
            CompanyEntry(
                name=name.strip(),
                aliases=tuple(a.strip() for a in aliases if a.strip()),
                parent=parent,
                sector=str(item.get("sector", "")),
                ambiguous=bool(item.get("ambiguous", False)),
            )
        )
    if problems:
        raise ConfigError(problems)
    return entries


@cache
def _default_table() -> CompanyTable:
    text = resources.files("bot.classify").joinpath("companies.toml").read_text("utf-8")
    return CompanyTable.from_toml(text)
