"""The poller over a real store (SQLite): state advances, failures back off, sources get disabled,
one bad source never stops the others."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.domain import FeedEntry, Notice
from bot.errors import SourceError
from bot.ingest.pipeline import ChangedFetch
from bot.ingest.poller import FinishMany, Poller
from bot.ingest.writer import IngestMany
from bot.sources import rss
from bot.sources.base import FetchLimits, FetchOutcome, FetchState, SourceSpec
from bot.store.db import create_engine, sessionmaker, upgrade
from bot.store.sources_repo import DesiredSource, SourceRecord, SourcesRepo
from tests.fakes.clock import FakeClock
from tests.fakes.feedserver import render_rss

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def repo(sqlite_url: str) -> AsyncIterator[SourcesRepo]:
    engine = create_engine(sqlite_url)
    await upgrade(engine)
    yield SourcesRepo(sessionmaker(engine))
    await engine.dispose()


class Recorder:
    def __init__(self, repo: SourcesRepo) -> None:
        self.repo = repo
        self.batches: list[tuple[str, int]] = []
        self.notices: list[str] = []

    async def ingest(
        self, source: SourceRecord, outcome: FetchOutcome, now: datetime, values: dict[str, object]
    ) -> int:
        self.batches.append((source.name, len(outcome.entries)))
        await self.repo.finish_poll(source.id, "p", **values)
        return len(outcome.entries)

    async def notify(self, notice: Notice) -> None:
        self.notices.append(notice.text)


StoreOne = Callable[[SourceRecord, FetchOutcome, datetime, dict[str, object]], Awaitable[int]]


def one_by_one(ingest: StoreOne) -> IngestMany:
    """The poller's ``ingest_many`` over a test store that takes one changed fetch at a time."""

    async def ingest_many(fetches: list[ChangedFetch]) -> list[int]:
        return [await ingest(f.source, f.outcome, f.now, f.source_values) for f in fetches]

    return ingest_many


def finish_each(repo: SourcesRepo) -> FinishMany:
    """The poller's ``finish_many`` as one ``finish_poll`` per source."""

    async def finish_many(owner: str, updates: list[tuple[int, dict[str, object]]]) -> None:
        for source_id, values in updates:
            await repo.finish_poll(source_id, owner, **values)

    return finish_many


def ok_kind(calls: list[FetchState]):
    async def fetch(
        client: httpx.AsyncClient, spec: SourceSpec, state: FetchState, limits: FetchLimits
    ) -> FetchOutcome:
        calls.append(state)
        if state.etag == '"v1"':
            return FetchOutcome(status="not_modified", state=state)
        entry = FeedEntry(title="t", url="https://news.example/1")
        return FetchOutcome(status="changed", entries=[entry], state=FetchState('"v1"', None, "h1"))

    return fetch


def failing_kind(error: SourceError):
    async def fetch(*_args: object) -> FetchOutcome:
        raise error

    return fetch


def poller(
    repo: SourcesRepo, rec: Recorder, kinds: Mapping[str, object], clock: FakeClock
) -> Poller:
    return Poller(
        repo,
        httpx.AsyncClient(),
        kinds,  # type: ignore[arg-type]
        one_by_one(rec.ingest),
        finish_many=finish_each(repo),
        owner="p",
        limits=FetchLimits(),
        clock=clock,
        notify=rec.notify,
        rand=lambda: 0.5,
    )


async def test_changed_then_not_modified(repo: SourcesRepo) -> None:
    clock, calls = FakeClock(T0), list[FetchState]()
    await repo.sync_config([DesiredSource("good", "ok", "http://127.0.0.1/a", None, 60)], T0)
    rec = Recorder(repo)
    p = poller(repo, rec, {"ok": ok_kind(calls)}, clock)
    first = await p.poll_due()
    assert (first.polled, first.changed, first.new_articles) == (1, 1, 1)
    assert (await p.poll_due()).polled == 0  # not due again yet
    clock.now = T0 + timedelta(seconds=60)
    second = await p.poll_due()
    assert second.not_modified == 1
    assert calls[-1] == FetchState('"v1"', None, "h1")  # conditional GET state was stored
    (row,) = await repo.all()
    assert row.backlog_done is True
    assert row.last_success_at == clock.now
    assert row.recent_polls == "cn"  # changed, then not modified: the console's sparkline


async def test_failure_backs_off_and_others_keep_polling(repo: SourcesRepo) -> None:
    clock, calls = FakeClock(T0), list[FetchState]()
    await repo.sync_config(
        [
            DesiredSource("bad", "bad", "http://127.0.0.1/x", None, 60),
            DesiredSource("good", "ok", "http://127.0.0.1/a", None, 60),
        ],
        T0,
    )
    rec = Recorder(repo)
    error = SourceError("http://127.0.0.1/x answered 503", reason="server_error", retry_after=600)
    stats = await poller(
        repo, rec, {"bad": failing_kind(error), "ok": ok_kind(calls)}, clock
    ).poll_due()
    assert (stats.failed, stats.changed) == (1, 1)
    rows = {r.name: r for r in await repo.all()}
    assert rows["bad"].consecutive_failures == 1
    assert rows["bad"].last_error is not None
    assert "503" in rows["bad"].last_error
    assert rows["bad"].next_poll_at >= T0 + timedelta(seconds=600)  # Retry-After honoured
    assert rows["bad"].enabled
    assert (rows["bad"].recent_polls, rows["good"].recent_polls) == ("e", "c")


async def test_repeated_permanent_failures_disable_with_reason_and_notice(
    repo: SourcesRepo,
) -> None:
    clock = FakeClock(T0)
    await repo.sync_config([DesiredSource("gone", "bad", "http://127.0.0.1/x", None, 60)], T0)
    rec = Recorder(repo)
    p = poller(
        repo,
        rec,
        {"bad": failing_kind(SourceError("404", reason="not_found", retryable=False))},
        clock,
    )
    for _ in range(30):
        await p.poll_due()
        (row,) = await repo.all()
        if not row.enabled:
            break
        clock.now = row.next_poll_at
    (row,) = await repo.all()
    assert not row.enabled
    assert row.disabled_reason is not None
    assert "not_found" in row.disabled_reason
    assert any("disabled" in n for n in rec.notices)
    clock.now += timedelta(days=30)
    assert (await p.poll_due()).polled == 0  # disabled sources are not polled


async def test_recovery_after_failures_sends_a_notice(repo: SourcesRepo) -> None:
    clock, calls = FakeClock(T0), list[FetchState]()
    await repo.sync_config([DesiredSource("flaky", "k", "http://127.0.0.1/x", None, 60)], T0)
    rec = Recorder(repo)
    bad = poller(repo, rec, {"k": failing_kind(SourceError("timeout", reason="timeout"))}, clock)
    for _ in range(3):
        await bad.poll_due()
        (row,) = await repo.all()
        clock.now = row.next_poll_at
    good = poller(repo, rec, {"k": ok_kind(calls)}, clock)
    stats = await good.poll_due()
    assert stats.recovered == ["flaky"]
    assert any("recovered" in n for n in rec.notices)


async def test_a_crashing_kind_is_contained(repo: SourcesRepo) -> None:
    clock = FakeClock(T0)

    async def broken(*_args: object) -> FetchOutcome:
        raise ZeroDivisionError("parser bug")

    await repo.sync_config([DesiredSource("buggy", "b", "http://127.0.0.1/x", None, 60)], T0)
    stats = await poller(repo, Recorder(repo), {"b": broken}, clock).poll_due()
    assert stats.failures_by_reason == {"internal": 1}


class FlakyStore(SourcesRepo):
    """The real repository, except that writes fail while ``down``."""

    down = False

    async def finish_poll(self, source_id: int, owner: str, **values: object) -> None:
        if self.down:
            raise ConnectionError("database unreachable")
        await super().finish_poll(source_id, owner, **values)


async def test_a_source_whose_results_could_not_be_stored_is_released_next_cycle(
    sqlite_url: str,
) -> None:
    """The store went away between claim and commit: the source must not wait for its lease
    (minutes) to run out once the store is back."""
    engine = create_engine(sqlite_url)
    await upgrade(engine)
    repo = FlakyStore(sessionmaker(engine))
    try:
        clock, calls = FakeClock(T0), list[FetchState]()
        await repo.sync_config([DesiredSource("wire", "ok", "http://127.0.0.1/a", None, 60)], T0)
        rec = Recorder(repo)

        async def ingest(*args: object) -> int:
            if repo.down:
                raise ConnectionError("database unreachable")
            return await rec.ingest(*args)  # type: ignore[arg-type]

        p = Poller(
            repo,
            httpx.AsyncClient(),
            {"ok": ok_kind(calls)},
            one_by_one(ingest),
            finish_many=finish_each(repo),
            owner="p",
            limits=FetchLimits(),
            clock=clock,
            rand=lambda: 0.5,
            lease_s=300,
        )
        repo.down = True
        assert (await p.poll_due()).failed == 1  # fetched, but neither stored nor released
        repo.down = False
        clock.now = T0 + timedelta(seconds=31)  # the retry delay, far inside the 300 s lease
        stats = await p.poll_due()
        assert (stats.polled, stats.changed, stats.failed) == (1, 1, 0)
        (row,) = await repo.all()
        assert row.backlog_done
    finally:
        await engine.dispose()


async def test_at_most_concurrency_fetches_at_once_and_every_source_polled(
    repo: SourcesRepo,
) -> None:
    import asyncio

    await repo.sync_config(
        [DesiredSource(f"s{i}", "slow", f"http://127.0.0.1/{i}", None, 60) for i in range(20)], T0
    )
    in_flight, peak, seen = 0, 0, []

    async def slow(
        client: httpx.AsyncClient, spec: SourceSpec, state: FetchState, limits: FetchLimits
    ) -> FetchOutcome:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        seen.append(spec.name)
        return FetchOutcome(status="not_modified", state=state)

    rec = Recorder(repo)
    p = Poller(
        repo,
        httpx.AsyncClient(),
        {"slow": slow},
        one_by_one(rec.ingest),
        finish_many=finish_each(repo),
        owner="p",
        limits=FetchLimits(),
        clock=FakeClock(T0),
        concurrency=3,
    )
    stats = await p.poll_due()
    assert stats.polled == stats.not_modified == 20
    assert sorted(seen) == sorted(f"s{i}" for i in range(20))
    assert peak == 3


class GatedStore:
    """Four sources of kind ``ok``; the store waits for :attr:`release`; fetches are listed."""

    def __init__(self, repo: SourcesRepo) -> None:
        import asyncio

        self.release = asyncio.Event()
        self.fetched: list[str] = []
        self.rec = Recorder(repo)
        self._inner = ok_kind([])

    async def kind(
        self, client: httpx.AsyncClient, spec: SourceSpec, state: FetchState, limits: FetchLimits
    ) -> FetchOutcome:
        self.fetched.append(spec.name)
        return await self._inner(client, spec, state, limits)  # type: ignore[no-any-return]

    async def ingest(
        self, source: SourceRecord, outcome: FetchOutcome, now: datetime, values: dict[str, object]
    ) -> int:
        await self.release.wait()  # the store is busy until the test says so
        return await self.rec.ingest(source, outcome, now, values)

    def poller(self, repo: SourcesRepo, **options: int) -> Poller:
        return Poller(
            repo,
            httpx.AsyncClient(),
            {"ok": self.kind},
            one_by_one(self.ingest),
            finish_many=finish_each(repo),
            owner="p",
            limits=FetchLimits(),
            clock=FakeClock(T0),
            **options,  # type: ignore[arg-type]
        )

    async def fetched_all(self) -> bool:
        import asyncio

        for _ in range(400):
            if len(self.fetched) == 4:
                return True
            await asyncio.sleep(0.005)
        return False


async def four_sources(repo: SourcesRepo) -> None:
    await repo.sync_config(
        [DesiredSource(f"s{i}", "ok", f"http://127.0.0.1/{i}", None, 60) for i in range(4)], T0
    )


async def test_fetching_goes_on_while_a_changed_feed_is_stored(repo: SourcesRepo) -> None:
    import asyncio

    await four_sources(repo)
    gate = GatedStore(repo)
    polling = asyncio.create_task(gate.poller(repo, concurrency=1).poll_due())
    assert await gate.fetched_all()  # one lane fetched all four while the first store waited
    assert not polling.done()  # and the cycle waits for the stores
    gate.release.set()
    stats = await polling
    assert (stats.changed, stats.new_articles) == (4, 4)
    assert len(gate.rec.batches) == 4


async def test_cancelling_a_cycle_cancels_its_pending_stores(repo: SourcesRepo) -> None:
    import asyncio

    await repo.sync_config([DesiredSource("s", "ok", "http://127.0.0.1/a", None, 60)], T0)
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def stuck_ingest(*_args: object) -> int:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return 0

    p = Poller(
        repo,
        httpx.AsyncClient(),
        {"ok": ok_kind([])},
        one_by_one(stuck_ingest),
        finish_many=finish_each(repo),
        owner="p",
        limits=FetchLimits(),
        clock=FakeClock(T0),
    )
    polling = asyncio.create_task(p.poll_due())
    await asyncio.wait_for(started.wait(), 5)
    polling.cancel()
    with pytest.raises(asyncio.CancelledError):
        await polling
    assert cancelled.is_set()  # nothing keeps storing behind a cancelled cycle


async def test_the_next_claimed_batch_is_fetched_while_the_last_one_is_stored(
    repo: SourcesRepo,
) -> None:
    import asyncio

    await four_sources(repo)
    gate = GatedStore(repo)
    polling = asyncio.create_task(gate.poller(repo, batch=2).poll_due())  # two claims of two
    assert await gate.fetched_all()  # the second claim did not wait for the first's stores
    gate.release.set()
    stats = await polling
    assert (stats.polled, stats.changed, stats.new_articles) == (4, 4, 4)


class FailingIngest(Recorder):
    """Stores what it is given, except while ``failing``; records the guids each poll brought."""

    def __init__(self, repo: SourcesRepo) -> None:
        super().__init__(repo)
        self.stored: set[str] = set()
        self.brought: list[list[str]] = []
        self.failing = False

    async def ingest(
        self, source: SourceRecord, outcome: FetchOutcome, now: datetime, values: dict[str, object]
    ) -> int:
        guids = [e.guid or "" for e in outcome.entries]
        self.brought.append(guids)
        if self.failing:
            raise RuntimeError("database is locked")
        new = set(guids) - self.stored
        self.stored |= new
        await self.repo.finish_poll(source.id, "p", **values)
        return len(new)


async def test_entries_stored_once_are_left_out_and_nothing_unstored_is(
    repo: SourcesRepo,
) -> None:
    """A changed feed brings only what its last stored document did not have; a document
    whose store failed is not "seen", so its new entries come again at the next poll."""
    clock = FakeClock(T0)
    await repo.sync_config([DesiredSource("f", "rss", "https://feeds.test/f", None, 60)], T0)
    store = FailingIngest(repo)
    documents: list[bytes] = []

    def feed(*numbers: int) -> None:
        documents.append(
            render_rss(
                "t",
                [
                    {"title": f"S{n}", "link": f"https://n.test/{n}", "guid": str(n)}
                    for n in numbers
                ],
            )
        )

    async def poll() -> int:
        stats = await p.poll_due()
        clock.now += timedelta(seconds=60)
        return stats.new_articles

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=documents[-1]))
    ) as client:
        p = Poller(
            repo,
            client,
            {"rss": rss.fetch},
            one_by_one(store.ingest),
            finish_many=finish_each(repo),
            owner="p",
            limits=FetchLimits(),
            clock=clock,
            notify=store.notify,
            rand=lambda: 0.5,
        )
        feed(1, 2)
        assert await poll() == 2
        feed(3, 1, 2)
        assert await poll() == 1
        store.failing = True
        feed(4, 3, 1, 2)
        await poll()  # fails: entry 4 is not stored
        store.failing = False
        assert await poll() == 1  # the same document: entry 4 comes again, and only it
        feed(5, 4, 3)
        assert await poll() == 1
    assert store.brought == [["1", "2"], ["3"], ["4"], ["4"], ["5"]]
    assert store.stored == {"1", "2", "3", "4", "5"}


def test_recent_polls_keep_the_newest_thirty_oldest_first() -> None:
    from bot.ingest import poll_marks as polls

    marks = ""
    for n in range(40):
        marks = polls.after(marks, polls.ERROR if n % 10 == 9 else polls.NOT_MODIFIED)
    assert len(marks) == polls.KEPT
    assert marks == ("n" * 9 + "e") * 3
