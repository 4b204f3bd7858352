"""Analysis (events + story features) in worker processes gives exactly the inline results, and
falls back to inline analysis when the workers are gone."""

from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

import pytest

from bot.ingest.analysis import (
    Analyser,
    DeferredClassifier,
    analyse_chunk,
    build_classifier,
    init_worker,
)
from bot.ingest.workers import worker_context
from bot.stories.placement import ArticleText

AT = datetime(2026, 3, 1, tzinfo=UTC)
EXTRA = [{"name": "Quanta Widgets", "aliases": ["QW"]}]
TEXTS = [
    ArticleText("Ford to close its Saarlouis plant, cutting 1,200 jobs", "", AT, True),
    ArticleText("Acme and Globex form joint venture to build batteries in Ohio", "", AT, False),
    ArticleText("Shares close higher after quarterly results", "", AT, True),
    ArticleText(
        "Quanta Widgets to shut its Lyon factory", "The maker said 300 jobs would go.", AT, True
    ),
] * 40  # 160 texts: more than one chunk per worker


def pool(workers: int = 2) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers,
        mp_context=worker_context(),
        initializer=init_worker,
        initargs=(EXTRA,),
    )


async def test_workers_agree_with_inline_including_configured_companies() -> None:
    analyser = Analyser(build_classifier(EXTRA))
    inline = analyser.analyse_inline(TEXTS)
    executor = pool()
    try:
        pooled = await Analyser(build_classifier(EXTRA), executor, 2).analyse_many(TEXTS)
    finally:
        executor.shutdown()
    assert pooled == inline
    events = [e for analysis in pooled for e in analysis.events]
    assert any("Quanta Widgets" in e.companies for e in events)
    for analysis in pooled:  # one feature set per event, dated as the article
        assert len(analysis.features) == len(analysis.events)
        assert all(f.seen_at == AT for f in analysis.features)


async def test_small_batches_stay_inline() -> None:
    class Refuses:
        def submit(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("a process round trip for three headlines")

    analyser = Analyser(build_classifier(), Refuses(), 2)  # type: ignore[arg-type]
    assert await analyser.analyse_many(TEXTS[:3]) == analyser.analyse_inline(TEXTS[:3])


async def test_a_shut_down_pool_falls_back_to_inline(caplog: pytest.LogCaptureFixture) -> None:
    executor = pool(1)
    executor.shutdown()
    analyser = Analyser(build_classifier(), executor, 1)
    with caplog.at_level(logging.WARNING, logger="dealradar.analysis"):
        result = await analyser.analyse_many(TEXTS)
    assert result == analyser.analyse_inline(TEXTS)
    assert "analysing inline" in caplog.text


def test_chunk_without_initializer_uses_the_shipped_table() -> None:
    (analysis,) = analyse_chunk(TEXTS[:1])
    assert analysis == Analyser(build_classifier()).analyse_inline(TEXTS[:1])[0]


def test_the_deferred_classifier_is_built_on_first_use_and_answers_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bot.ingest.analysis

    built: list[int] = []

    def counting(extra: object = ()) -> object:
        built.append(1)
        return build_classifier(EXTRA)

    monkeypatch.setattr(bot.ingest.analysis, "build_classifier", counting)
    deferred = DeferredClassifier(EXTRA)
    analyser = Analyser(deferred)
    assert built == []
    eager = build_classifier(EXTRA)
    text = TEXTS[3]
    assert deferred.classify(text.title, text.summary) == eager.classify(text.title, text.summary)
    assert list(deferred.find_companies(text.title)) == [("Quanta Widgets", "Quanta Widgets")]
    assert analyser.analyse_inline(TEXTS[:4]) == Analyser(eager).analyse_inline(TEXTS[:4])
    assert built == [1]


def test_the_shipped_company_table_loads_on_first_lookup() -> None:
    from bot.classify.companies import CompanyTable
    from bot.runtime.wiring import DeferredTable

    loads: list[int] = []

    def load() -> CompanyTable:
        loads.append(1)
        return CompanyTable.default()

    table = DeferredTable(load)
    assert loads == []
    assert table.resolve("Hon Hai") == CompanyTable.default().resolve("Hon Hai")
    assert list(table.names()) == list(CompanyTable.default().names())
    assert table.suggest("Nisan") == CompanyTable.default().suggest("Nisan")
    assert loads == [1]
