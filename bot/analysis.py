"""Classify many articles at once, in worker processes when there are some.

The rule classifier costs ~0.1 ms per headline of pure CPU; a cold poll of 1,000 feeds brings
20,000 new articles, which is seconds of the event loop's only core. :class:`ClassifierPool`
hands a batch to the process pool that parses feeds (``fetch.parse_workers``), split into one
chunk per worker so both cores work, and falls back to classifying inline when there is no pool
or the pool broke (a worker killed by the OOM killer, say): results never depend on where they
were computed.

Workers build their classifier once, from the same company table as the main process
(:func:`init_worker` is the pool's initializer; :func:`classify_chunk` is what they run).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from bot.classify.classifier import RuleClassifier, default_classifier
from bot.classify.companies import CompanyTable
from bot.domain import Classifier, Event

log = logging.getLogger("dealradar.classify")

MIN_CHUNK = 64  # below this a process round trip costs more than it saves
_worker_classifier: RuleClassifier | None = None


def build_classifier(extra_companies: Sequence[dict[str, Any]] = ()) -> RuleClassifier:
    """The classifier over the shipped company table plus ``companies`` from the config."""
    if not extra_companies:
        return default_classifier()
    return RuleClassifier(CompanyTable.default().with_extra(list(extra_companies)))


def init_worker(extra_companies: Sequence[dict[str, Any]] = ()) -> None:
    """Process-pool initializer: build this worker's classifier once."""
    global _worker_classifier
    _worker_classifier = build_classifier(extra_companies)


def classify_chunk(texts: Sequence[tuple[str, str]]) -> list[list[Event]]:
    """Run in a worker: the events of each ``(title, summary)``."""
    classifier = _worker_classifier or build_classifier()
    return [classifier.classify(title, summary) for title, summary in texts]


class ClassifierPool:
    """Classifies batches in ``executor`` (``workers`` processes), or inline without one."""

    def __init__(
        self, classifier: Classifier, executor: Executor | None = None, workers: int = 1
    ) -> None:
        self._classifier = classifier
        self._executor = executor
        self._workers = max(1, workers)

    def classify_inline(self, texts: Sequence[tuple[str, str]]) -> list[list[Event]]:
        return [self._classifier.classify(title, summary) for title, summary in texts]

    async def classify_many(self, texts: Sequence[tuple[str, str]]) -> list[list[Event]]:
        """The events of each ``(title, summary)``, in order."""
        if self._executor is None or len(texts) < MIN_CHUNK:
            return self.classify_inline(texts)
        size = max(MIN_CHUNK, -(-len(texts) // self._workers))
        chunks = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
        loop = asyncio.get_running_loop()
        try:
            parts = await asyncio.gather(
                *(loop.run_in_executor(self._executor, classify_chunk, c) for c in chunks)
            )
        except (BrokenProcessPool, RuntimeError) as exc:  # RuntimeError: pool shut down
            log.warning(
                "classifier workers unavailable; classifying inline",
                extra={"kv": {"articles": len(texts), "error": type(exc).__name__}},
            )
            return self.classify_inline(texts)
        return [events for part in parts for events in part]
