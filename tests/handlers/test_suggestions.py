""" "Did you mean": typos and words in another order, over the table and the stored companies,
with a bounded candidate list and the scoring done off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable

from bot.suggest import close_names, may_reach
from handlers.api import Caller
from handlers.company_directory import (
    MAX_CANDIDATES,
    STORED_CUTOFF,
    CompanyDirectory,
    StaticCompanyTable,
    fuzzy_candidates,
)
from handlers.memory import MemoryStore
from handlers.runner import DealCommands
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import make_story

USER = Caller("slack", "C1", "U1")


def store_with(*companies: str) -> MemoryStore:
    store = MemoryStore()
    for n, company in enumerate(companies, start=1):
        store.add_story(make_story(n, (company,)))
    return store


async def test_words_in_another_order_suggest_the_stored_company(clock: FakeClock) -> None:
    store = store_with("Toyota Motor", "Tata Motors", "Honda")
    deal = DealCommands(store, StaticCompanyTable({}), clock)
    reply = await deal.run("motor toyota", USER)
    assert reply.error
    assert reply.title.startswith("No company called 'motor toyota'. Did you mean Toyota Motor"), (
        reply.title
    )
    assert reply.title.endswith("e.g. /deal Toyota Motor")


async def test_words_in_another_order_suggest_a_table_name(clock: FakeClock) -> None:
    table = StaticCompanyTable({"General Motors": ["GM"], "Nissan": []})
    deal = DealCommands(MemoryStore(), table, clock)
    reply = await deal.run("watch motors generla", USER)
    assert reply.error
    assert reply.title == (
        "No company called 'motors generla'. Did you mean General Motors? "
        "e.g. /deal watch General Motors"
    )


async def test_typos_still_suggest_as_before(clock: FakeClock) -> None:
    store = store_with("Kestrel Dynamics")
    table = StaticCompanyTable({"Nissan": ["Nissan Motor"], "Honda": []})
    directory = CompanyDirectory(table, store, clock)
    assert (await directory.resolve("nisan")).suggestions == ("Nissan",)
    assert (await directory.resolve("kestrel dynamix")).suggestions == ("Kestrel Dynamics",)
    assert (await directory.resolve("zzqxw")).suggestions == ()


def test_close_names_rank_best_first_and_honour_the_cutoff() -> None:
    names = ["Tata Motors", "Toyota Motor", "Toyota"]
    assert close_names("toyota motr", names, limit=5, cutoff=70)[0] == "Toyota Motor"
    assert close_names("toyota motr", names, limit=1, cutoff=70) == ["Toyota Motor"]
    assert close_names("zzqxw", names, limit=5, cutoff=60) == []
    assert close_names("toyota", names, limit=0, cutoff=0) == []


def test_candidates_are_bounded_and_keep_every_name_that_could_match() -> None:
    near = "Kestrel Dynamics"
    stored = [f"Company {n:05d} of a rather long name" for n in range(20_000)]
    stored += [f"C{n}" for n in range(20_000)]  # too short to ever match
    stored.append(near)
    few = fuzzy_candidates("kestrel dynamix", stored[-10:])
    assert few == stored[-10:]  # under the bound: all of them
    # 40,001 names: only those whose length can reach the cutoff are scored, so the one
    # close name at the very end is still found
    assert fuzzy_candidates("kestrel dynamix", stored) == [near]
    alike = [f"Kestrel Dyn {n:04d}" for n in range(3 * MAX_CANDIDATES)]
    many = fuzzy_candidates("kestrel dynamix", alike)
    assert many == alike[:MAX_CANDIDATES]
    assert all(may_reach("kestrel dynamix", n, STORED_CUTOFF) for n in many)
    assert fuzzy_candidates("kestrel dynamix", [*stored[:5], *alike[:5]], bound=3) == alike[:3]


class _RecordingTable(StaticCompanyTable):
    """A table that notes the thread each "did you mean" runs in."""

    def __init__(self, entries: dict[str, Iterable[str]]) -> None:
        super().__init__({k: list(v) for k, v in entries.items()})
        self.threads: list[int] = []

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        self.threads.append(threading.get_ident())
        return super().suggest(name, limit)


async def test_suggestions_are_scored_off_the_event_loop(clock: FakeClock) -> None:
    stored = [f"Stored Company {n}" for n in range(30_000)]
    store = store_with(*stored[:3])
    table = _RecordingTable({"Nissan": []})
    directory = CompanyDirectory(table, store, clock)
    found = await directory.resolve("nisan")
    assert found.suggestions == ("Nissan",)
    assert table.threads and threading.get_ident() not in table.threads
    # the loop keeps running while a large store's names are scored
    many = store_with(*stored[:2000])
    directory = CompanyDirectory(table, many, clock)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        assert (await directory.resolve("stored compny 1999")).suggestions
    finally:
        ticker.cancel()
    assert ticks > 1
