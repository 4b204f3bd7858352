"""Batch classification in worker processes gives exactly the inline results, and falls back to
inline classification when the workers are gone."""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from bot.classify.pool import ClassifierPool, build_classifier, classify_chunk, init_worker

TEXTS = [
    ("Ford to close its Saarlouis plant, cutting 1,200 jobs", ""),
    ("Acme and Globex form joint venture to build batteries in Ohio", ""),
    ("Shares close higher after quarterly results", ""),
    ("Quanta Widgets to shut its Lyon factory", "The maker said 300 jobs would go."),
] * 40  # 160 texts: more than one chunk per worker


def pool(workers: int = 2) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=init_worker,
        initargs=([{"name": "Quanta Widgets", "aliases": ["QW"]}],),
    )


async def test_workers_agree_with_inline_including_configured_companies() -> None:
    classifier = build_classifier([{"name": "Quanta Widgets", "aliases": ["QW"]}])
    inline = ClassifierPool(classifier).classify_inline(TEXTS)
    executor = pool()
    try:
        pooled = await ClassifierPool(classifier, executor, 2).classify_many(TEXTS)
    finally:
        executor.shutdown()
    assert pooled == inline
    assert any("Quanta Widgets" in e.companies for events in pooled for e in events)


async def test_small_batches_stay_inline() -> None:
    class Refuses:
        def submit(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("a process round trip for three headlines")

    classifier = build_classifier()
    result = await ClassifierPool(classifier, Refuses(), 2).classify_many(TEXTS[:3])  # type: ignore[arg-type]
    assert result == ClassifierPool(classifier).classify_inline(TEXTS[:3])


async def test_a_shut_down_pool_falls_back_to_inline(caplog: pytest.LogCaptureFixture) -> None:
    classifier = build_classifier()
    executor = pool(1)
    executor.shutdown()
    with caplog.at_level(logging.WARNING, logger="dealradar.classify"):
        result = await ClassifierPool(classifier, executor, 1).classify_many(TEXTS)
    assert result == ClassifierPool(classifier).classify_inline(TEXTS)
    assert "classifying inline" in caplog.text


def test_chunk_without_initializer_uses_the_shipped_table() -> None:
    assert classify_chunk(TEXTS[:1]) == [build_classifier().classify(*TEXTS[0])]
