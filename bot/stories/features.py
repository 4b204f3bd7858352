"""What clustering knows about one article: :class:`StoryFeatures`, and its JSON form.

Features are computed once per article from its text and the classifier's events
(:func:`features_for`) and are all the clusterer ever compares, so a story can be matched
against stored stories without re-reading their articles: a story persists the features of
its most recent articles (see :mod:`bot.stories.state`) in ``StoryRow.features``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.domain import Event, Status
from bot.stories import similarity, sites

NO_TYPE = "other"  # the event type of an article the classifier found no event in
_MAX_KEYS = 10
_MAX_SET = 40


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """The clustering signals of one article (see :mod:`bot.stories.similarity` for the text ones).

    ``seen_at`` is the article's publication time when known, else when the bot first saw it;
    ``dated`` says whether it is a real date (undated items get the stream's clock and a
    looser time rule).
    """

    event_types: frozenset[str]
    companies: frozenset[str]
    names: frozenset[str]
    words: frozenset[str]
    amounts: frozenset[str]
    years: frozenset[str]
    minhash: tuple[int, ...]
    seen_at: datetime
    dated: bool = True
    status: Status | None = None
    plant: str | None = None
    country: str | None = None
    jobs: int | None = None
    location: str | None = None
    units: frozenset[str] = frozenset()
    # to_json's result, built once: a story rewrites its kept members on every report
    _json: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def primary_type(self) -> str:
        """The event type used in story keys: the first type in a fixed order, else ``other``."""
        return sorted(self.event_types)[0] if self.event_types else NO_TYPE

    def index_keys(self) -> list[str]:
        """Keys this article's story is filed under and looked up by: companies, then names.

        Companies are canonical names as the classifier resolves them; names are prefixed
        with ``~`` so they never collide with a company in ``story_companies``.
        """
        keys = sorted(self.companies)
        keys.extend("~" + n for n in sorted(self.names, key=lambda n: (-len(n), n)))
        return keys[:_MAX_KEYS]

    def to_json(self) -> dict[str, Any]:
        """The JSON form (shared between calls: do not modify it)."""
        if self._json is None:
            object.__setattr__(self, "_json", self._build_json())
        assert self._json is not None
        return self._json

    def _build_json(self) -> dict[str, Any]:
        return {
            "types": sorted(self.event_types),
            "companies": sorted(self.companies),
            "names": sorted(self.names),
            "words": sorted(self.words),
            "amounts": sorted(self.amounts),
            "years": sorted(self.years),
            "mh": list(self.minhash),
            "at": self.seen_at.isoformat(),
            "dated": self.dated,
            "status": self.status.value if self.status else None,
            "plant": self.plant,
            "country": self.country,
            "jobs": self.jobs,
            "location": self.location,
            "units": sorted(self.units),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoryFeatures:
        """Rebuild features stored by :meth:`to_json`.

        Raises ``ValueError``, ``KeyError`` or ``TypeError`` when ``data`` is not such a dict.
        """
        status = data.get("status")
        return cls(
            event_types=frozenset(data.get("types", ())),
            companies=frozenset(data.get("companies", ())),
            names=frozenset(data.get("names", ())),
            words=frozenset(data.get("words", ())),
            amounts=frozenset(data.get("amounts", ())),
            years=frozenset(data.get("years", ())),
            minhash=tuple(int(v) for v in data.get("mh", ())),
            seen_at=_aware(datetime.fromisoformat(str(data["at"]))),
            dated=bool(data.get("dated", True)),
            status=Status(status) if status else None,
            plant=data.get("plant"),
            country=data.get("country"),
            jobs=data.get("jobs"),
            location=data.get("location"),
            units=frozenset(data.get("units", ())),
        )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _cap(values: Iterable[str]) -> frozenset[str]:
    return frozenset(sorted(values, key=lambda v: (-len(v), v))[:_MAX_SET])


def features_for(
    title: str,
    summary: str,
    events: Iterable[Event],
    seen_at: datetime,
    *,
    companies: Iterable[str] = (),
    mentions: Iterable[str] = (),
    dated: bool = True,
) -> StoryFeatures:
    """Compute the clustering features of one article.

    ``events`` are the classifier's events for the article (possibly none); ``companies`` are
    extra canonical company mentions (e.g. from the company table) added to the events' ones;
    ``mentions`` are company names as written (``Samsung Electronics``), whose words are not
    counted again as names.
    Naive ``seen_at`` values are taken as UTC. Never raises on any text.
    """
    events = list(events)
    body = f"{title}\n{summary}"
    amounts, years = similarity.numbers(body)
    all_companies = frozenset(c for e in events for c in e.companies) | frozenset(companies)
    company_words = {
        w[: similarity.NAME_STEM]
        for c in (*all_companies, *mentions)
        for w in similarity.name_words(c)
    }
    names = similarity.names(title, summary) - company_words
    first = events[0] if events else None
    jobs = next((e.jobs for e in events if e.jobs), None)
    return StoryFeatures(
        event_types=frozenset(e.type.value for e in events),
        companies=all_companies,
        names=_cap(names),
        words=_cap(similarity.words(body)),
        amounts=_cap(amounts),
        years=frozenset(years),
        minhash=similarity.minhash(body),
        seen_at=_aware(seen_at),
        dated=dated,
        status=first.status if first else None,
        plant=next((e.plant for e in events if e.plant), None),
        country=next((e.country for e in events if e.country), None),
        jobs=jobs,
        location=next((e.location for e in events if e.location), None),
        units=sites.units(body),
    )
