"""The filter words of ``/deal watch``: ``country:`` ``status:`` ``min-jobs:``
``min-confidence:`` ``+phrase`` ``-phrase``, into :class:`bot.filters.Filters`.

::

    country:JP | country:JP,DE | country:"South Korea"    any of these countries
    status:confirmed,planned | status:-talks             only these, or all but these
    min-jobs:500   min-confidence:0.8                    at least
    +EV  +"electric vehicle"   -recall                   must / must not appear

Phrases may be quoted with straight or curly quotes (Slack and phones turn ``"`` into ``“”``).
Every mistake is a :class:`bot.errors.CommandError` naming the bad part.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.countries import country_named
from bot.domain import Status
from bot.errors import CommandError
from bot.filters import Filters

MAX_PHRASE = 100
MAX_PHRASES = 10
MAX_JOBS = 10_000_000
KEYS = ("country", "status", "min-jobs", "min-confidence")
HINT = (
    "filters are country:JP, status:confirmed,planned or status:-talks, min-jobs:500, "
    'min-confidence:0.8, +"phrase", -phrase'
)
_TOKEN = re.compile(r'[^\s"]*"[^"]*"|\S+')
_KEY = re.compile(r"([a-z][a-z-]*):(.*)", re.IGNORECASE | re.DOTALL)
_STATUSES = ", ".join(s.value for s in Status)


def tokens(text: str) -> list[str]:
    """Words, with a quoted part (``+"EV maker"``, ``country:"South Korea"``) kept whole."""
    return _TOKEN.findall(text.replace("\u201c", '"').replace("\u201d", '"'))


def is_filter(token: str) -> bool:
    """Whether ``token`` starts the filters of a watch (a ``key:`` or a ``+``/``-`` phrase)."""
    return (len(token) > 1 and token[0] in "+-") or bool(_KEY.fullmatch(token))


def parse_filters(words: list[str]) -> Filters:
    """Filters from their tokens (see :func:`tokens`).

    Raises:
        CommandError: an unknown key, a bad value, an unclosed quote or a repeated key; the
            message quotes the bad part.
    """
    found = Filters()
    seen: set[str] = set()
    for word in words:
        if word[:1] in "+-" and len(word) > 1:
            phrase = _phrase(word)
            if word[0] == "+":
                found = replace(found, include=(*found.include, phrase))
            else:
                found = replace(found, exclude=(*found.exclude, phrase))
            if max(len(found.include), len(found.exclude)) > MAX_PHRASES:
                raise CommandError(f"At most {MAX_PHRASES} +phrases and {MAX_PHRASES} -phrases")
            continue
        match = _KEY.fullmatch(word)
        if match is None:
            raise CommandError(f"{_show(word)} is not a filter; {HINT}")
        key, value = match.group(1).casefold(), _unquote(word, match.group(2))
        if key not in KEYS:
            raise CommandError(f"Unknown filter {_show(word)}; {HINT}")
        if key in seen:
            raise CommandError(f"{key}: is given twice ({_show(word)}); give it once")
        seen.add(key)
        if not value:
            raise CommandError(f"{_show(word)} needs a value; {HINT}")
        found = _apply(found, key, value, word)
    return found


def _apply(found: Filters, key: str, value: str, word: str) -> Filters:
    if key == "country":
        names = []
        for part in value.split(","):
            name = country_named(part)
            if name is None:
                raise CommandError(
                    f"{_show(part)} in {_show(word)} is not a country; give an ISO code "
                    "like JP or a name like Japan"
                )
            names.append(name)
        return replace(found, countries=tuple(dict.fromkeys(names)))
    if key == "status":
        excluded = value.startswith("-")
        statuses = []
        for part in value.removeprefix("-").split(","):
            try:
                statuses.append(Status(part.strip().casefold()))
            except ValueError:
                raise CommandError(
                    f"{_show(part)} in {_show(word)} is not a status; statuses are "
                    f"{_STATUSES} (status:-talks means all but talks)"
                ) from None
        return replace(found, statuses=tuple(dict.fromkeys(statuses)), statuses_excluded=excluded)
    if key == "min-jobs":
        if not re.fullmatch(r"\d{1,8}", value) or not 0 < int(value) <= MAX_JOBS:
            raise CommandError(f"{_show(word)}: give a whole number of jobs, e.g. min-jobs:500")
        return replace(found, min_jobs=int(value))
    try:
        confidence = float(value) if re.fullmatch(r"[01]?(\.\d{1,3})?", value) else -1.0
    except ValueError:
        confidence = -1.0
    if not 0 <= confidence <= 1:
        raise CommandError(f"{_show(word)}: give a confidence from 0 to 1, e.g. min-confidence:0.8")
    return replace(found, min_confidence=confidence)


def _phrase(word: str) -> str:
    text = _unquote(word, word[1:])
    if not text or not any(ch.isalnum() for ch in text):
        raise CommandError(f"{_show(word)}: a phrase needs letters or digits, e.g. +EV or -recall")
    if len(text) > MAX_PHRASE:
        raise CommandError(f"{_show(word)}: a phrase is at most {MAX_PHRASE} characters")
    return text


def _unquote(word: str, value: str) -> str:
    if value.count('"') == 2 and value.startswith('"') and value.endswith('"'):
        return " ".join(value[1:-1].split())
    if '"' in value:
        raise CommandError(f'{_show(word)} has an unclosed or stray quote; e.g. +"EV maker"')
    return value


def _show(word: str) -> str:
    return repr(word if len(word) <= 40 else word[:39] + "…")
