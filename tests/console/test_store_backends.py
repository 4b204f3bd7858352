"""The console's queries on SQLite and PostgreSQL alike (the weekly chart's CASE buckets, the
case-insensitive country filter, the company join, a story's history)."""

from __future__ import annotations

from tests.console.conftest import Connect


async def test_console_reads_on_each_backend(connect: Connect, db_url: str) -> None:
    client = await connect(database_url=db_url)
    stories = await (await client.get("/api/stories?days=90")).json()
    assert len(stories["stories"]) == 5
    weeks = stories["chart"]["weeks"]
    assert [w["plant_closure"] for w in weeks][-1] == 2  # acme (2 days ago), script (1 day)
    assert sum(w["plant_closure"] for w in weeks) == 3
    assert sum(w["partnership"] for w in weeks) == 2
    germany = await (await client.get("/api/stories?days=90&country=GERMANY")).json()
    assert [s["key"] for s in germany["stories"]] == ["closure-old-1"]
    acme = await (await client.get("/api/company/acme")).json()
    assert {s["key"] for s in acme["stories"]} == {"closure-acme-1", "hostile-script"}
    story = await (await client.get("/api/stories/closure-acme-1")).json()
    assert story["feedback"] == {"useful": 2, "not_useful": 1}
    deliveries = await (await client.get("/api/deliveries")).json()
    assert deliveries["counts"]["pending"] == 12
