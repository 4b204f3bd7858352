"""What narrows a subscription: :class:`Filters`, and whether a story passes them.

A ``/deal watch`` may carry filters (``country:JP status:-talks min-jobs:500
min-confidence:0.8 +"EV" -recall``, parsed by :mod:`handlers.filter_grammar`). Routing
(:class:`bot.alerts.routing.Router`) asks :meth:`Filters.failure` of each new story; every
filter must pass. A story whose country, jobs or confidence is unknown fails a filter on that
field: a channel that asked for "at least 500 jobs" hears only of stories that say so. Phrases are
matched as whole words, case-insensitively, in the story's headline and the article's title
and summary: every ``+`` phrase must appear and no ``-`` phrase may.

Filters decide only whether a story is *new* to a channel; a follow-up to a story the channel
already shows is threaded there whatever the filters say (:mod:`bot.ingest.pipeline`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.countries import code_of
from bot.domain import Status, Story


@dataclass(frozen=True, slots=True)
class Facts:
    """What filters look at: the story, the text that reported it and the event's confidence."""

    story: Story
    text: str = ""
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Filters:
    """A subscription's filters; the empty value lets everything through."""

    countries: tuple[str, ...] = ()  # gazetteer names ("Japan"); any of them
    statuses: tuple[Status, ...] = ()
    statuses_excluded: bool = False  # True: every status but ``statuses``
    min_jobs: int | None = None
    min_confidence: float | None = None
    include: tuple[str, ...] = ()  # every phrase must appear
    exclude: tuple[str, ...] = ()  # no phrase may appear

    @property
    def empty(self) -> bool:
        return self == NO_FILTERS

    def failure(self, facts: Facts) -> str | None:
        """Why ``facts`` fail these filters (the first filter that fails), or None."""
        story = facts.story
        if self.countries and story.country not in self.countries:
            return "country"
        if self.statuses and (story.status in self.statuses) == self.statuses_excluded:
            return "status"
        if self.min_jobs is not None and (story.jobs or 0) < self.min_jobs:
            return "min-jobs"
        if self.min_confidence is not None and (
            facts.confidence is None or facts.confidence < self.min_confidence
        ):
            return "min-confidence"
        if self.include or self.exclude:
            text = f"{story.headline}\n{facts.text}"
            if not all(_phrase(p).search(text) for p in self.include):
                return "+phrase"
            if any(_phrase(p).search(text) for p in self.exclude):
                return "-phrase"
        return None

    def describe(self) -> str:
        """The filters in the grammar that sets them (empty string when there are none)."""
        parts: list[str] = []
        if self.countries:
            parts.append("country:" + ",".join(code_of(c) or _quoted(c) for c in self.countries))
        if self.statuses:
            sign = "-" if self.statuses_excluded else ""
            parts.append(f"status:{sign}" + ",".join(s.value for s in self.statuses))
        if self.min_jobs is not None:
            parts.append(f"min-jobs:{self.min_jobs}")
        if self.min_confidence is not None:
            parts.append(f"min-confidence:{self.min_confidence:g}")
        parts.extend(f"+{_quoted(p)}" for p in self.include)
        parts.extend(f"-{_quoted(p)}" for p in self.exclude)
        return " ".join(parts)

    def to_json(self) -> dict[str, Any] | None:
        """The stored form; None for no filters."""
        if self.empty:
            return None
        return {
            "countries": list(self.countries),
            "statuses": [s.value for s in self.statuses],
            "statuses_excluded": self.statuses_excluded,
            "min_jobs": self.min_jobs,
            "min_confidence": self.min_confidence,
            "include": list(self.include),
            "exclude": list(self.exclude),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Filters:
        """Filters from :meth:`to_json`'s form (None or ``{}``: no filters).

        Raises:
            ValueError: an unknown status or a malformed value.
        """
        if not data:
            return cls()
        jobs, confidence = data.get("min_jobs"), data.get("min_confidence")
        return cls(
            countries=tuple(str(c) for c in data.get("countries") or ()),
            statuses=tuple(Status(s) for s in data.get("statuses") or ()),
            statuses_excluded=bool(data.get("statuses_excluded")),
            min_jobs=None if jobs is None else int(jobs),
            min_confidence=None if confidence is None else float(confidence),
            include=tuple(str(p) for p in data.get("include") or ()),
            exclude=tuple(str(p) for p in data.get("exclude") or ()),
        )


NO_FILTERS = Filters()


def _quoted(text: str) -> str:
    return f'"{text}"' if not re.fullmatch(r"[\w.&'-]+", text) else text


@lru_cache(maxsize=512)
def _phrase(phrase: str) -> re.Pattern[str]:
    words = (re.escape(w) for w in phrase.split())
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)
