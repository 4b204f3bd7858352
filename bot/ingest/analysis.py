"""What the worker processes compute for new articles: events and their story features.

The rule classifier costs ~0.1 ms per headline and a story's features (word sets, a MinHash
of the text, company mentions) ~1.5 ms per event, all pure CPU: a cold poll of 1,000 feeds
brings 20,000 new articles, seconds of the event loop's only core. :class:`Analyser` hands a
batch to the process pool that parses feeds (``fetch.parse_workers``), one chunk per worker so
every core works, and falls back to computing inline when there is no pool or the pool broke (a
worker killed by the OOM killer, say): results never depend on where they were computed.

Workers build their classifier once, from the same company table as the main process
(:func:`init_worker` is the pool's initializer; :func:`analyse_chunk` is what they run).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.domain import Event
from bot.stories.features import StoryFeatures
from bot.stories.placement import ArticleText, CompanyFinder, company_finder, story_features

if (
    TYPE_CHECKING
):  # the classifier is imported where it is built (bot.ingest.workers.PRELOAD has it)
    from bot.classify import LearnedClassifier

log = logging.getLogger("dealradar.analysis")

MIN_CHUNK = 64  # below this a process round trip costs more than it saves
IMPORTED_IN_PID = os.getpid()  # in a worker: the forkserver's (it imported the bot once)


@dataclass(frozen=True, slots=True)
class Analysis:
    """The article's events and, for each, the story features it is placed with."""

    events: list[Event]
    features: list[StoryFeatures]

    def __reduce__(self) -> tuple[type[Analysis], tuple[Any, ...]]:
        # one per analysed article back from the workers: loaded by the constructor, not the
        # slots dataclass's (slower) state protocol
        return (Analysis, (self.events, self.features))


def build_classifier(extra_companies: Sequence[dict[str, Any]] = ()) -> LearnedClassifier:
    """The classifier over the shipped company table plus ``companies`` from the config."""
    from bot.classify import CompanyTable, LearnedClassifier, default_classifier

    if not extra_companies:
        return default_classifier()
    return LearnedClassifier(CompanyTable.default().with_extra(list(extra_companies)))


class DeferredClassifier:
    """The main process's classifier (a :class:`bot.domain.Classifier`), built on first use.

    Building it (the company table's patterns, the model) costs about 0.1 s that a run with no
    new article never needs, and with worker processes the articles are classified there.
    """

    def __init__(
        self,
        extra_companies: Sequence[dict[str, Any]] = (),
        *,
        built: LearnedClassifier | None = None,
    ) -> None:
        self._extra = list(extra_companies)
        self._built: tuple[LearnedClassifier, CompanyFinder] | None = None
        if built is not None:
            self._built = (built, company_finder(built.companies))

    def parts(self) -> tuple[LearnedClassifier, CompanyFinder]:
        """The classifier and a finder over its company table, built on the first call."""
        if self._built is None:
            classifier = build_classifier(self._extra)
            self._built = (classifier, company_finder(classifier.companies))
        return self._built

    def classify(self, title: str, summary: str = "", body: str = "") -> list[Event]:
        return self.parts()[0].classify(title, summary, body)

    def find_companies(self, text: str) -> Iterable[tuple[str, str]]:
        """A :data:`CompanyFinder` over the classifier's table (built on first use too)."""
        return self.parts()[1](text)


def analyse(classifier: LearnedClassifier, find: CompanyFinder, text: ArticleText) -> Analysis:
    events = classifier.classify(text.title, text.summary)
    return Analysis(events, [story_features(find, text, e, events) for e in events])


_worker: tuple[LearnedClassifier, CompanyFinder] | None = None


def init_worker(extra_companies: Sequence[dict[str, Any]] = ()) -> None:
    """Process-pool initializer: build this worker's classifier once."""
    global _worker
    classifier = build_classifier(extra_companies)
    _worker = (classifier, company_finder(classifier.companies))


def analyse_chunk(texts: Sequence[ArticleText]) -> list[Analysis]:
    """Run in a worker: the analysis of each article."""
    if _worker is None:
        init_worker()
    assert _worker is not None
    classifier, find = _worker
    return [analyse(classifier, find, text) for text in texts]


class Analyser:
    """Analyses batches in ``executor`` (``workers`` processes), or inline without one."""

    def __init__(
        self,
        classifier: LearnedClassifier | DeferredClassifier,
        executor: Executor | None = None,
        workers: int = 1,
    ) -> None:
        if not isinstance(classifier, DeferredClassifier):
            classifier = DeferredClassifier(built=classifier)
        self._classifier = classifier
        self._executor = executor
        self._workers = max(1, workers)

    def analyse_inline(self, texts: Sequence[ArticleText]) -> list[Analysis]:
        classifier, find = self._classifier.parts()
        return [analyse(classifier, find, text) for text in texts]

    async def analyse_many(self, texts: Sequence[ArticleText]) -> list[Analysis]:
        """The analysis of each article, in order."""
        if self._executor is None or len(texts) < MIN_CHUNK:
            return self.analyse_inline(texts)
        size = max(MIN_CHUNK, -(-len(texts) // self._workers))
        chunks = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
        loop = asyncio.get_running_loop()
        try:
            parts = await asyncio.gather(
                *(loop.run_in_executor(self._executor, analyse_chunk, c) for c in chunks)
            )
        except (BrokenProcessPool, RuntimeError) as exc:  # RuntimeError: pool shut down
            log.warning(
                "analysis workers unavailable; analysing inline",
                extra={"kv": {"articles": len(texts), "error": type(exc).__name__}},
            )
            return self.analyse_inline(texts)
        return [analysis for part in parts for analysis in part]
